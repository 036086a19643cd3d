/**
 * Short, readable summaries of unmask values (a notebook cell's last expression, `console.log`).
 * Values stay plain data: `summarize` reads them by shape, and `withSummary` only adds a
 * non-enumerable symbol-keyed `util.inspect.custom`, which JSON.stringify, structuredClone,
 * spread and Object.keys all ignore. Core has no domain imports, so this file reads shapes only.
 */

/** `util.inspect.custom` (the registered symbol, so no node:util import is needed in browsers). */
export const INSPECT = Symbol.for("nodejs.util.inspect.custom");

type Any = Record<string, any>;
const isObj = (v: unknown): v is Any => !!v && typeof v === "object";
const isTyped = (v: unknown) => ArrayBuffer.isView(v) && !(v instanceof DataView);
const n = (x: number) => x.toLocaleString("en-US");
const mm = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "?");
const signed = (x: number) => (x < 0 ? "−" + n(Math.abs(Math.round(x))) : n(Math.round(x)));
const clip = (s: string, max = 80) => (s.length > max ? s.slice(0, max - 1) + "…" : s);

/** The closest anatomical letter of each voxel axis, e.g. "LPS" (same rule as volume's axisCodes). */
function orientationOf(direction: ArrayLike<number> | undefined): string {
  if (!direction || direction.length !== 9) return "?";
  let out = "";
  for (let c = 0; c < 3; c++) {
    const v = [direction[3 * c], direction[3 * c + 1], direction[3 * c + 2]];
    const a = v.map(Math.abs);
    const m = a.indexOf(Math.max(...a));
    out += v[m] >= 0 ? "LPS"[m] : "RAI"[m];
  }
  return out;
}

function range(data: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function volumeSummary(v: Any): string {
  const [lo, hi] = range(v.data);
  const sp = v.spacing as number[];
  const spacing = sp.every((s) => Math.abs(s - sp[0]) < 1e-3) ? `${mm(sp[0])} mm` : `${sp.map(mm).join("×")} mm`;
  const units = v.units === "HU" ? "HU " : v.units === "MR" ? "MR " : "";
  const kind = v.modality ? `${v.modality} ` : "";
  const values = Number.isFinite(lo) ? `${units}${signed(lo)}…${signed(hi)}` : "empty";
  return `Volume ${kind}${v.shape.join("×")} @${spacing}, ${values}, ${orientationOf(v.direction)}`;
}

function maskSummary(v: Any): string {
  let inside = 0;
  for (let i = 0; i < v.data.length; i++) if (v.data[i]) inside++;
  return `Mask ${v.shape.join("×")} @${v.spacing.map(mm).join("×")} mm, ${n(inside)} voxels inside (${((100 * inside) / Math.max(1, v.data.length)).toFixed(1)} %), ${orientationOf(v.direction)}`;
}

function meshSummary(m: Any): string {
  const nv = m.positions.length / 3;
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < m.positions.length; i++) {
    const a = i % 3;
    const p = m.positions[i];
    if (p < lo[a]) lo[a] = p;
    if (p > hi[a]) hi[a] = p;
  }
  const size = nv ? `, ${[0, 1, 2].map((a) => Math.round(hi[a] - lo[a])).join("×")} mm box` : "";
  return `Mesh ${n(m.triangles.length / 3)} triangles, ${n(nv)} vertices${size}${m.normals ? ", normals" : ""}`;
}

function seriesSummary(s: Any): string {
  const info = s.info as Any;
  const what = [info.modality, info.description ? `"${clip(info.description, 40)}"` : "", info.bodyPart].filter(Boolean).join(" ");
  const extra = [s.warnings?.length ? `${s.warnings.length} warning(s)` : "", s.skipped?.length ? `${s.skipped.length} file(s) skipped` : ""].filter(Boolean);
  return `LoadedSeries ${what}, ${s.slices.length} slices, ${info.transferSyntax || "?"}${extra.length ? ", " + extra.join(", ") : ""}\n  ${volumeSummary(s.volume)}`;
}

function imageSummary(im: Any): string {
  const rgba = im.data instanceof Uint8ClampedArray && im.data.length === 4 * im.width * im.height;
  return `${rgba ? "RgbaImage" : "Image"} ${im.width}×${im.height}`;
}

function faceSummary(f: Any): string {
  const b = f.box;
  const lm = f.landmarks?.length ? `, ${f.landmarks.length} landmarks` : "";
  return `Face (${f.detector}) score ${f.score.toFixed(2)} at ${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.width)}×${Math.round(b.height)} px${lm}`;
}

function presenceSummary(p: Any): string {
  const level = p.level?.value != null ? ` at ${signed(p.level.value)} HU` : "";
  return `FacePresence ${p.present.toUpperCase()} (score ${p.score.toFixed(2)}${level}; ${p.evidence.length} detection(s), ${p.variants.length} variant(s)): ${clip(p.reason, 120)}`;
}

function experimentSummary(e: Any): string {
  const recs = (e.recognizers as Any[]).map((r) => `${r.recognizer} rank-1 ${(100 * r.rank1.value).toFixed(0)} %`).join(", ");
  return `ExperimentResult ${e.probes.length} probes vs ${e.gallerySize} gallery identities: ${clip(recs, 160)}${e.warnings.length ? `; ${e.warnings.length} warning(s)` : ""}`;
}

function auditSummary(a: Any): string {
  const s = a.summary as Any;
  const counts = Object.entries(s).filter(([k, v]) => k !== "items" && k !== "brokenFiles" && v).map(([k, v]) => `${k} ${v}`).join(", ");
  return `AuditReport ${s.items} item(s) under ${clip(a.roots.join(", "), 60)}: ${counts || "nothing"}; ${s.brokenFiles} broken file(s)`;
}

function itemAuditSummary(i: Any): string {
  const face = i.face ? `, face ${i.face.present} (${i.face.score.toFixed(2)})` : "";
  return `ItemAudit ${i.kind} "${clip(i.label, 40)}": ${i.verdict}${face} — ${clip(i.reason, 100)}`;
}

function renderSummary(r: Any): string {
  return `RenderResult ${r.image.width}×${r.image.height}, ${n(r.triangles)} triangles, ${Math.round(r.ms)} ms${r.depth ? ", depth" : ""}`;
}

/**
 * A one-or-two-line summary of an unmask value (Volume, Mask, LoadedSeries, Mesh, RgbaImage, Face,
 * FacePresence, RenderResult, ExperimentResult, AuditReport, ItemAudit, UnmaskError), or null when
 * the value is none of these. Reads the value only; never modifies it.
 */
export function summarize(value: unknown): string | null {
  try {
    if (value instanceof Error && typeof (value as Any).code === "string") {
      const e = value as Any;
      return `${e.name} ${e.code}: ${e.message}${e.path && !e.message.includes(e.path) ? ` (${e.path})` : ""}`;
    }
    if (!isObj(value)) return null;
    const v = value;
    if (isTyped(v.data) && Array.isArray(v.shape) && v.shape.length === 3 && Array.isArray(v.spacing)) {
      return v.data instanceof Float32Array ? volumeSummary(v) : maskSummary(v);
    }
    if (isObj(v.volume) && isObj(v.info) && Array.isArray(v.slices)) return seriesSummary(v);
    if (v.positions instanceof Float32Array && v.triangles instanceof Uint32Array) return meshSummary(v);
    if (typeof v.width === "number" && typeof v.height === "number" && isTyped(v.data)) return imageSummary(v);
    if (isObj(v.image) && isObj(v.camera) && typeof v.triangles === "number") return renderSummary(v);
    if (isObj(v.box) && typeof v.score === "number" && typeof v.detector === "string") return faceSummary(v);
    if (typeof v.present === "string" && Array.isArray(v.evidence) && Array.isArray(v.variants)) return presenceSummary(v);
    if (Array.isArray(v.recognizers) && Array.isArray(v.probes) && typeof v.gallerySize === "number") return experimentSummary(v);
    if (v.schema === "unmask-audit/1" && isObj(v.summary)) return auditSummary(v);
    if (typeof v.verdict === "string" && typeof v.kind === "string" && Array.isArray(v.headerRisks)) return itemAuditSummary(v);
  } catch {
    // A value that looks like one of ours but is not well-formed: fall back to the default print.
  }
  return null;
}

/** The shared inspect function: `this` is the value being printed. */
function inspectSummary(this: unknown, _depth: number, options: { stylize?: (s: string, style: string) => string }, inspect?: (v: unknown, o: unknown) => string): string {
  const s = summarize(this);
  if (s !== null) return s;
  // Not recognised (e.g. mutated into another shape): print it without our hook.
  const copy = isObj(this) ? { ...(this as Any) } : this;
  return inspect ? inspect(copy, options) : String(copy);
}

/**
 * Give `value` a readable console form (its `summarize` line) through a non-enumerable
 * `util.inspect.custom`; returns the same value. JSON.stringify and structuredClone ignore it.
 */
export function withSummary<T>(value: T): T {
  if (isObj(value) && !Object.prototype.hasOwnProperty.call(value, INSPECT) && Object.isExtensible(value)) {
    Object.defineProperty(value, INSPECT, { value: inspectSummary, enumerable: false, configurable: true, writable: true });
  }
  return value;
}
