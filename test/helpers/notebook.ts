import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./paths";

/** One output of an executed cell, decoded for checks. */
export interface CellOutput {
  kind: "png" | "html" | "markdown" | "text" | "stdout" | "stderr" | "error";
  /** PNG bytes for "png", text otherwise. */
  data: Buffer | string;
  /** Every MIME type of a display/execute_result output (one output may hold several). */
  mimes?: string[];
  /** text/plain of a rich output, when it has one. */
  plain?: string;
}

/** An executed notebook: code cells with their decoded outputs. */
export interface ExecutedNotebook {
  path: string;
  cells: { index: number; source: string; outputs: CellOutput[] }[];
  /** Every output of every code cell, flattened in order. */
  outputs: CellOutput[];
  pngs: Buffer[];
  html: string[];
  text: string;
  seconds: number;
}

const asText = (v: unknown) => (Array.isArray(v) ? v.join("") : String(v ?? ""));

/**
 * Execute a notebook headless with the committed tslab kernel (scripts/execute-notebook.py) into
 * out/test-notebooks/, and return its outputs. Throws with the failing cell's stderr when it fails.
 */
export function executeNotebook(notebook: string, timeoutSeconds = 1500): ExecutedNotebook {
  const nbPath = path.isAbsolute(notebook) ? notebook : path.join(ROOT, notebook);
  const outDir = path.join(ROOT, "out", "test-notebooks");
  const t0 = Date.now();
  const r = spawnSync("/usr/bin/python3", [path.join(ROOT, "scripts", "execute-notebook.py"), nbPath, outDir, "--timeout", String(timeoutSeconds)], {
    env: { ...process.env, JUPYTER_PATH: path.join(ROOT, "jupyter") },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    throw new Error(`notebook ${nbPath} failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
  }
  return readNotebookOutputs(path.join(outDir, path.basename(nbPath)), (Date.now() - t0) / 1000);
}

/** Decode the outputs of an already executed notebook file. */
export function readNotebookOutputs(file: string, seconds = 0): ExecutedNotebook {
  const nb = JSON.parse(fs.readFileSync(file, "utf8"));
  const cells: ExecutedNotebook["cells"] = [];
  nb.cells.forEach((c: { cell_type: string; source: unknown; outputs?: Record<string, unknown>[] }, index: number) => {
    if (c.cell_type !== "code") return;
    const outputs: CellOutput[] = [];
    for (const o of c.outputs ?? []) {
      const type = o.output_type as string;
      if (type === "stream") outputs.push({ kind: o.name === "stderr" ? "stderr" : "stdout", data: asText(o.text) });
      else if (type === "error") outputs.push({ kind: "error", data: `${o.ename}: ${o.evalue}` });
      else {
        const d = (o.data ?? {}) as Record<string, unknown>;
        const mimes = Object.keys(d);
        const plain = d["text/plain"] !== undefined ? asText(d["text/plain"]) : undefined;
        if (d["image/png"]) outputs.push({ kind: "png", data: Buffer.from(asText(d["image/png"]), "base64"), mimes, plain });
        else if (d["text/html"]) outputs.push({ kind: "html", data: asText(d["text/html"]), mimes, plain });
        else if (d["text/markdown"]) outputs.push({ kind: "markdown", data: asText(d["text/markdown"]), mimes, plain });
        else if (d["text/plain"]) outputs.push({ kind: "text", data: asText(d["text/plain"]), mimes, plain });
      }
    }
    cells.push({ index, source: asText(c.source), outputs });
  });
  const outputs = cells.flatMap((c) => c.outputs);
  return {
    path: file,
    cells,
    outputs,
    pngs: outputs.filter((o) => o.kind === "png").map((o) => o.data as Buffer),
    html: outputs.filter((o) => o.kind === "html").map((o) => o.data as string),
    text: outputs.filter((o) => o.kind !== "png").map((o) => o.data as string).join("\n"),
    seconds,
  };
}

/** Write a notebook of code cells (tslab kernel) to `file`, for tests that build their own. */
export function writeCodeNotebook(file: string, cells: string[]): void {
  const nb = {
    cells: cells.map((source, i) => ({ cell_type: "code", execution_count: null, id: `cell-${i}`, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript (tslab, unmask)", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(nb, null, 1));
}

/**
 * Rows of the HTML table (among a notebook's HTML outputs) whose text contains `caption`: every row,
 * the header first, each cell's text with tags stripped and &amp; &lt; &gt; decoded. Fails when no table has it.
 */
export function htmlTableRows(html: string[], caption: string): string[][] {
  const t = html.find((h) => h.includes(caption));
  assert.ok(t, `table "${caption}" shown`);
  return t
    .split(/<tr[^>]*>/)
    .slice(1)
    .map((r) => [...r.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((m) => m[1].replace(/<[^>]+>/g, "").replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">").trim()))
    .filter((r) => r.length);
}
