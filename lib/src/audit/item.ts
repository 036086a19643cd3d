import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as dicomParser from "dicom-parser";
import { UnmaskError } from "../core/errors";
import { writeFileAtomic } from "../core/fs";
import { loadSeries } from "../dicom/load";
import { seriesInfo } from "../dicom/list";
import { readDicomFile, readDicomHeader } from "../dicom/parse";
import { encodePng } from "../image/io";
import { readNifti } from "../nifti/nifti";
import { renderViews } from "../render/renderer";
import { axisCodes } from "../volume/volume";
import type { Volume } from "../volume/types";
import { faceVerdict } from "./face";
import { headerRisks } from "./header-risk";
import { ocrImage } from "./ocr";
import type { AuditItem, ItemAudit } from "./types";
import { RT_SOP } from "./walk";

/** Options of {@link auditItem}. */
export interface AuditItemOptions {
  /** Report folder: thumbnails are written under `thumbs/` in it. */
  outDir: string;
  /** Skin level override (default: −300 HU for CT, from the histogram for other data). */
  level?: number;
}

/** Body parts that are not the head: a series saying so and showing no face is `not-head`. */
const HEAD_PART = /HEAD|BRAIN|SKULL|FACE|NECK|ORBIT|SINUS|CRAN|TEMPORAL|MAXILL|MANDIB|NOSE|EAR|PITUIT/i;

function sha256File(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/**
 * Audit one item: load it, look for a face, list identifying header attributes and burned-in text.
 * The one job function of the audit: the local pool and the queue workers both run it. Never
 * throws for broken input: an unreadable series is a result with verdict `unreadable`.
 */
export async function auditItem(item: AuditItem, opts: AuditItemOptions): Promise<ItemAudit> {
  const t0 = performance.now();
  const base: ItemAudit = {
    id: item.id, kind: item.kind, label: item.label, verdict: "unreadable", reason: "", headerRisks: [], thumbnails: {},
    inputHashes: Object.fromEntries(item.files.map((f) => [f, sha256File(f)])), timeMs: 0,
  };
  try {
    const result = await auditByKind(item, base, opts);
    result.timeMs = performance.now() - t0;
    return result;
  } catch (e) {
    if (!(e instanceof UnmaskError)) throw e;
    return { ...base, verdict: "unreadable", reason: `${e.code}: ${e.message}`, error: { code: e.code, message: e.message }, timeMs: performance.now() - t0 };
  }
}

async function auditByKind(item: AuditItem, base: ItemAudit, opts: AuditItemOptions): Promise<ItemAudit> {
  if (item.kind === "rt-object") return auditRtObject(item, base);
  if (item.kind === "image-2d") return auditPicture(item, base, opts);
  let volume: Volume;
  let bodyPart = "";
  let risks = base.headerRisks;
  let burned: string | undefined;
  if (item.kind === "nifti") {
    volume = readNifti(item.files[0]).volume;
  } else {
    const headers = item.files.map((f) => readDicomHeader(f).header);
    const info = seriesInfo(path.dirname(item.files[0]), item.seriesInstanceUid ?? headers[0].seriesInstanceUid, headers);
    const loaded = await loadSeries(info);
    volume = loaded.volume;
    bodyPart = loaded.slices[0].bodyPartExamined;
    const ds = readDicomFile(item.files[0]).dataSet;
    risks = headerRisks(ds);
    burned = ds.string("x00280301") || undefined;
  }
  const face = await faceVerdict(volume, { level: opts.level });
  const mesh = face.mesh;
  const thumbs: ItemAudit["thumbnails"] = {};
  if (mesh.triangles.length) {
    const [front, profile] = await renderViews(mesh, ["front", "left"], { size: 256, voxelAxes: volume.direction });
    thumbs.front = saveThumb(opts.outDir, `${item.id}-front.png`, await encodePng(front.image));
    thumbs.profile = saveThumb(opts.outDir, `${item.id}-profile.png`, await encodePng(profile.image));
  }
  let verdict: ItemAudit["verdict"];
  let reason: string;
  if (face.present === "yes") {
    verdict = "face";
    reason = `face found (score ${face.score.toFixed(2)} at level ${face.level}): ${face.summary}`;
  } else if (face.present === "uncertain") {
    verdict = "review";
    reason = `uncertain: ${face.summary}`;
  } else if (bodyPart && !HEAD_PART.test(bodyPart)) {
    verdict = "not-head";
    reason = `BodyPartExamined ${bodyPart}, and no face found`;
  } else {
    verdict = "removed";
    reason = `no face found on the skin surface at level ${face.level} (${face.summary})`;
  }
  if (burned?.toUpperCase() === "YES" && verdict !== "face") {
    verdict = "review";
    reason += "; BurnedInAnnotation is YES";
  }
  return {
    ...base,
    verdict,
    reason,
    modality: volume.modality,
    bodyPart,
    geometry: { shape: volume.shape, spacing: volume.spacing.map((s) => +s.toFixed(4)) as [number, number, number], orientation: axisCodes(volume.direction).join("") },
    face: { present: face.present, score: face.score, level: face.level, evidence: face.evidence },
    headerRisks: risks,
    burnedInAnnotation: burned,
    thumbnails: thumbs,
  };
}

function saveThumb(outDir: string, name: string, png: Uint8Array): string {
  const rel = path.join("thumbs", name);
  writeFileAtomic(path.join(outDir, rel), png);
  return rel;
}

/** RT objects: a structure set with a body/external contour, or a dose grid, can rebuild the face surface. */
function auditRtObject(item: AuditItem, base: ItemAudit): ItemAudit {
  const { dataSet: ds } = readDicomFile(item.files[0]);
  const kind = RT_SOP[item.sopClassUid ?? ""] ?? "RT object";
  let canReconstruct = false;
  let reason = "";
  if (item.sopClassUid === "1.2.840.10008.5.1.4.1.1.481.3") {
    const names = (ds.elements.x30060020?.items ?? []).map((it) => it.dataSet?.string("x30060026") ?? "");
    const types = (ds.elements.x30060080?.items ?? []).map((it) => it.dataSet?.string("x300600a4") ?? "");
    const body = names.filter((n) => /body|external|skin|outline|patient/i.test(n));
    canReconstruct = body.length > 0 || types.includes("EXTERNAL");
    reason = canReconstruct
      ? `${kind} with a body contour (${[...body, ...(types.includes("EXTERNAL") ? ["type EXTERNAL"] : [])].join(", ")}): its contours rebuild the face surface`
      : `${kind} with ${names.length} structure(s), none a body contour`;
  } else if (item.sopClassUid === "1.2.840.10008.5.1.4.1.1.481.2") {
    canReconstruct = true;
    reason = `${kind}: a dose grid over the head outlines the body surface`;
  } else {
    reason = `${kind}: no image or surface data`;
  }
  return { ...base, verdict: "listed", reason, headerRisks: headerRisks(ds), canReconstructFace: canReconstruct, modality: ds.string("x00080060") ?? "" };
}

/** 2D pictures (secondary captures, localizers, dose reports): OCR for burned-in text. */
async function auditPicture(item: AuditItem, base: ItemAudit, opts: AuditItemOptions): Promise<ItemAudit> {
  const { dataSet: ds, header } = readDicomFile(item.files[0]);
  const image = pictureToRgba(ds, header.rows, header.columns, header.bitsAllocated, header.samplesPerPixel, header.pixelData, item.files[0]);
  const png = await encodePng(image);
  const thumb = saveThumb(opts.outDir, `${item.id}-image.png`, png);
  const text = await ocrImage(path.join(opts.outDir, thumb));
  const burned = ds.string("x00280301") || undefined;
  const hasText = text.length > 0 || burned?.toUpperCase() === "YES";
  return {
    ...base,
    verdict: hasText ? "review" : "removed",
    reason: hasText
      ? `burned-in text${text.length ? `: ${text.slice(0, 3).map((t) => `"${t}"`).join(", ")}${text.length > 3 ? " …" : ""}` : ""}${burned?.toUpperCase() === "YES" ? " (BurnedInAnnotation YES)" : ""}`
      : "2D image: no text found by OCR and no face check (not a volume)",
    modality: header.modality,
    headerRisks: headerRisks(ds),
    burnedInAnnotation: burned,
    ocrText: text,
    thumbnails: { image: thumb },
  };
}

/** Native greyscale 8/16-bit or RGB pixel data → an RGBA picture, windowed min–max. */
function pictureToRgba(ds: dicomParser.DataSet, rows: number, cols: number, bits: number, spp: number, pd: { offset: number; length: number; encapsulated: boolean } | null, file: string) {
  if (!pd || pd.encapsulated) throw new UnmaskError("UNSUPPORTED_PICTURE", `${file}: ${pd ? "compressed" : "no"} pixel data in a 2D image; OCR needs native pixels`, file);
  const n = rows * cols;
  const bytes = bits / 8;
  if (pd.offset + n * spp * bytes > ds.byteArray.length) throw new UnmaskError("TRUNCATED_DICOM", `${file}: pixel data shorter than ${rows}×${cols}×${spp}×${bytes} bytes`, file);
  const src = ds.byteArray;
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const out = new Uint8ClampedArray(n * 4);
  if (spp === 3 && bits === 8) {
    for (let v = 0; v < n; v++) {
      out[4 * v] = src[pd.offset + 3 * v]; out[4 * v + 1] = src[pd.offset + 3 * v + 1]; out[4 * v + 2] = src[pd.offset + 3 * v + 2]; out[4 * v + 3] = 255;
    }
    return { width: cols, height: rows, data: out };
  }
  const val = (v: number) => (bytes === 1 ? src[pd.offset + v] : view.getUint16(pd.offset + 2 * v, true));
  let lo = Infinity, hi = -Infinity;
  for (let v = 0; v < n; v++) { const x = val(v); if (x < lo) lo = x; if (x > hi) hi = x; }
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const invert = (ds.string("x00280004") ?? "").trim() === "MONOCHROME1";
  for (let v = 0; v < n; v++) {
    const g = (val(v) - lo) * scale;
    const y = invert ? 255 - g : g;
    out[4 * v] = out[4 * v + 1] = out[4 * v + 2] = y;
    out[4 * v + 3] = 255;
  }
  return { width: cols, height: rows, data: out };
}
