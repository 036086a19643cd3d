import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as fs from "node:fs";

/** Repository root (benchmarks are compiled to build/bench/…). */
export const ROOT = (() => {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, "data-samples"))) d = path.dirname(d);
  return d;
})();
export const CT_DIR = path.join(ROOT, "data-samples", "ct-cranium");
export const MRI_DIR = path.join(ROOT, "data-samples", "mri-t1-head");
/** Scratch folder for benchmark files (git-ignored). */
export const SCRATCH = path.join(ROOT, ".bench");
fs.mkdirSync(SCRATCH, { recursive: true });

/** Best-of-n wall time in ms of an (async) function, after one warm-up run; returns the last result too. */
export async function timeIt<T>(f: () => T | Promise<T>, runs = 3, warmup = 1): Promise<{ ms: number; result: T }> {
  let result!: T;
  for (let w = 0; w < warmup; w++) result = await f();
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    result = await f();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms: best, result };
}

/** Run a python3 script from Debian's python (not a pyenv shim) and parse its last stdout line as JSON. */
export function runPython(script: string, args: string[], timeoutMs = 600_000): Record<string, unknown> {
  const r = spawnSync("/usr/bin/python3", [path.join(ROOT, "bench", "python", script), ...args], { encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (r.status !== 0) return { error: (r.stderr || r.stdout || `exit ${r.status}`).trim().split("\n").slice(-3).join(" | ") };
  const last = r.stdout.trim().split("\n").pop() ?? "{}";
  try {
    return JSON.parse(last);
  } catch {
    return { error: `unparsable output: ${last.slice(0, 200)}` };
  }
}

/** Print a fixed-width table. */
export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map((v) => (typeof v === "number" ? fmt(v) : v)))];
  const w = header.map((_, c) => Math.max(...cells.map((r) => String(r[c] ?? "").length)));
  console.log(`\n${title}`);
  for (const [n, r] of cells.entries()) {
    console.log(r.map((v, c) => String(v ?? "").padEnd(w[c])).join("  ").trimEnd());
    if (n === 0) console.log(w.map((x) => "-".repeat(x)).join("  "));
  }
}

/** Compact number formatting for tables. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** "a / b" as a ratio string, e.g. "12.3× faster" or "0.8× (slower)". */
export function ratio(ours: number, theirs: number): string {
  if (!(ours > 0) || !(theirs > 0)) return "n/a";
  const r = theirs / ours;
  return r >= 1 ? `${r.toFixed(1)}× faster` : `${(1 / r).toFixed(1)}× slower`;
}
