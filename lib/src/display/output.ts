import * as path from "node:path";
import { writeFileAtomic } from "../core/fs";
import { INSPECT } from "../core/summary";

/** MIME types unmask outputs carry. */
export type DisplayMime = "image/png" | "text/html" | "text/markdown" | "text/plain";

/**
 * One rich output: its main MIME type and payload (bytes for images, text otherwise), and the
 * whole bundle of representations (`bundle`, always with text/plain) that goes into the one
 * notebook output, so exports and static viewers that want another type still show something.
 */
export interface DisplayOutput {
  mime: DisplayMime;
  data: Uint8Array | string;
  bundle?: Partial<Record<DisplayMime, Uint8Array | string>>;
}

/** Where outputs go: a function that receives each one (used by tests and custom front ends). */
export type DisplaySink = (out: DisplayOutput) => void;

interface TslabDisplay {
  png(b: Uint8Array): void;
  html(s: string): void;
  markdown(s: string): void;
  text(s: string): void;
}
type WriteDisplayData = (content: { data: Record<string, string>; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void;
interface TslabKernel {
  /** Public API: one MIME type per output (the fallback). */
  display: TslabDisplay;
  /** tslab's jupyter module: `lastWriteDisplayData` takes a whole MIME bundle (internal). */
  jupyter: { lastWriteDisplayData?: WriteDisplayData | null };
}

let customSink: DisplaySink | null = null;
let cachedTslab: TslabKernel | null | undefined;

/**
 * Find tslab only when this process *is* a running tslab kernel: its jupyter module is already in
 * the require cache and has a live `lastWriteDisplayData` (set while a cell executes). A CLI or test
 * process never loads tslab (no TypeScript compiler start-up, no output).
 */
function tslabKernel(): TslabKernel | null {
  if (cachedTslab) return cachedTslab;
  const key = Object.keys(require.cache).find((k) => /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(k));
  if (!key) return null;
  const jupyter = require.cache[key]?.exports as TslabKernel["jupyter"] | undefined;
  if (!jupyter || jupyter.lastWriteDisplayData == null) return null;
  try {
    // Same folder as the kernel's own copy, so it shares the kernel's module instance.
    const pub = require(path.join(path.dirname(key), "public.js")) as { display: TslabDisplay };
    cachedTslab = { display: pub.display, jupyter };
    return cachedTslab;
  } catch {
    return null;
  }
}

/** True when running inside a tslab Jupyter kernel (outputs then appear in the notebook). */
export function inNotebook(): boolean {
  return tslabKernel() !== null;
}

/** Route display outputs to `sink` instead of tslab (pass null to restore the default). */
export function setDisplaySink(sink: DisplaySink | null): void {
  customSink = sink;
}

let warnedDetached = false;
/** Which way the last output went: "bundle" (tslab internal channel), "single" (public API), "sink", "none". */
export let lastChannel: "bundle" | "single" | "sink" | "none" = "none";

const encode = (d: Uint8Array | string) => (typeof d === "string" ? d : Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString("base64"));

/**
 * Send one output to the notebook (or the custom sink). The whole MIME bundle goes into one
 * output through tslab's `lastWriteDisplayData` (internal: tslab's public API sends one type per
 * output); when that is unavailable, the main type alone through the public API. Outside a
 * notebook: nothing is shown, and a one-time note on stderr says so.
 */
export function emit(out: DisplayOutput): void {
  const bundle = { ...(out.bundle ?? {}), [out.mime]: out.data } as Partial<Record<DisplayMime, Uint8Array | string>>;
  if (!("text/plain" in bundle)) bundle["text/plain"] = typeof out.data === "string" && out.mime !== "text/html" ? out.data : `<${out.mime} output>`;
  const full: DisplayOutput = { mime: out.mime, data: out.data, bundle };
  if (customSink) {
    lastChannel = "sink";
    customSink(full);
    return;
  }
  const k = tslabKernel();
  if (!k) {
    lastChannel = "none";
    if (!warnedDetached && process.env.UNMASK_QUIET_DISPLAY !== "1") {
      warnedDetached = true;
      process.stderr.write("unmask: no notebook attached (not a tslab kernel): show.* and display() return their artefacts without displaying them; pass { save: file } to write one.\n");
    }
    return;
  }
  const write = k.jupyter.lastWriteDisplayData;
  if (typeof write === "function") {
    try {
      const data: Record<string, string> = {};
      for (const [mime, d] of Object.entries(bundle)) if (d !== undefined) data[mime] = encode(d);
      write({ data, metadata: {}, transient: {} }, false);
      lastChannel = "bundle";
      return;
    } catch {
      // Fall through to the public one-type API.
    }
  }
  lastChannel = "single";
  const d = k.display;
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
  Object.defineProperty(value, INSPECT, { value: () => (inNotebook() ? "" : summary), enumerable: false, configurable: true });
  return value;
}
