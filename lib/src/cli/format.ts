/** A plain-text table for the terminal: columns padded to their widest cell. */
export function textTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? "").length)));
  return cells.map((r) => r.map((v, c) => (v ?? "").padEnd(widths[c])).join("  ").trimEnd()).join("\n");
}

/** Print JSON to stdout (typed arrays become plain arrays). */
export function printJson(value: unknown): void {
  process.stdout.write(
    JSON.stringify(value, (_k, v) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v), 2) + "\n",
  );
}
