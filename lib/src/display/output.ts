import * as path from "node:path";
import { writeFileAtomic } from "../core/fs";

/** One rich output: a MIME type and its payload (bytes for images, text otherwise). */
export interface DisplayOutput {
  mime: "image/png" | "text/html" | "text/markdown" | "text/plain";
  data: Uint8Array | string;
}

/** Where outputs go: a function that receives each one (used by tests and custom front ends). */
export type DisplaySink = (out: DisplayOutput) => void;

interface TslabDisplay {
  png(b: Uint8Array): void;
  html(s: string): void;
  markdown(s: string): void;
  text(s: string): void;
}

let customSink: DisplaySink | null = null;
let cachedTslab: TslabDisplay | null | undefined;

/**
 * Find the tslab display API only when this process *is* a running tslab kernel: its jupyter
 * module is already in the require cache and has a live `lastWriteDisplayData` (set while a cell
 * executes). A CLI or test process never loads tslab (no TypeScript compiler start-up, no output).
 */
function tslabDisplay(): TslabDisplay | null {
  if (cachedTslab) return cachedTslab;
  const key = Object.keys(require.cache).find((k) => /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(k));
  if (!key) return null;
  const jupyter = require.cache[key]?.exports as { lastWriteDisplayData?: unknown } | undefined;
  if (!jupyter || jupyter.lastWriteDisplayData == null) return null;
  try {
    // Same folder as the kernel's own copy, so it shares the kernel's module instance.
    const pub = require(path.join(path.dirname(key), "public.js")) as { display: TslabDisplay };
    cachedTslab = pub.display;
    return cachedTslab;
  } catch {
    return null;
  }
}

/** True when running inside a tslab Jupyter kernel (outputs then appear in the notebook). */
export function inNotebook(): boolean {
  return tslabDisplay() !== null;
}

/** Route display outputs to `sink` instead of tslab (pass null to restore the default). */
export function setDisplaySink(sink: DisplaySink | null): void {
  customSink = sink;
}

/** Send one output to the notebook (or the custom sink); a no-op from the CLI and tests. */
export function emit(out: DisplayOutput): void {
  if (customSink) {
    customSink(out);
    return;
  }
  const d = tslabDisplay();
  if (!d) return;
  if (out.mime === "image/png") d.png(out.data as Uint8Array);
  else if (out.mime === "text/html") d.html(out.data as string);
  else if (out.mime === "text/markdown") d.markdown(out.data as string);
  else d.text(out.data as string);
}

/** Options every `show.*` helper accepts. */
export interface SaveOptions {
  /** Also write the artefact here (atomically): PNG bytes, an HTML page or JSON. */
  save?: string;
  /** Do not display, only return (and save) the artefact. */
  quiet?: boolean;
}

/** Write an artefact atomically when `save` is given. */
export function saveArtefact(save: string | undefined, data: string | Uint8Array): void {
  if (save) writeFileAtomic(save, data);
}

/** Escape text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

/** Wrap an HTML fragment in a minimal standalone page (for `save` of html artefacts). */
export function htmlPage(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body>\n${body}\n</body></html>\n`;
}

let counter = 0;
/** A page-unique element id (random part so two kernels' outputs on one page never clash). */
export function uniqueId(prefix: string): string {
  counter++;
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${counter}`;
}

/**
 * Give a returned artefact a quiet console form: tslab prints a cell's last value with
 * console.log, which would otherwise dump PNG bytes or a 4 MB HTML string under the output.
 */
export function quietInspect<T extends object>(value: T, summary: string): T {
  Object.defineProperty(value, inspectSymbol, { value: () => (inNotebook() ? "" : summary), enumerable: false, configurable: true });
  return value;
}
const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");
