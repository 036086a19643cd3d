import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InvalidArgumentError, UnmaskError } from "../core/errors";
import { writeFileAtomic } from "../core/fs";
import { loadSeries } from "../dicom/load";
import { writeSeries } from "../dicom/write";
import type { LoadedSeries } from "../dicom/types";
import { detectFaceInScan } from "../face/presence";
import { embeddingDistance, encodeFace, recognizers as recognizerPanel } from "../face/recognize";
import type { RecognizerName } from "../face/types";
import type { RgbaImage } from "../image/types";
import { marchingCubes } from "../surface/marching-cubes";
import { renderMesh } from "../render/renderer";
import { resample } from "../volume/resample";
import { readNifti, writeNifti } from "../nifti/nifti";
import type { Mask, Volume } from "../volume/types";
import { deface, type DefaceMethod, type DefaceReport } from "./deface";
import { deidentify } from "./deidentify";
import { modelHashes, unmaskVersion } from "../audit/run";

/** One face-presence check of the verification. */
export interface DefaceCheck {
  level: number;
  present: "yes" | "no" | "uncertain";
  score: number;
  reason: string;
}

/** One recognizer's attempt to re-identify the defaced scan: its front render against a gallery holding the original's. */
export interface ReidentificationCheck {
  recognizer: string;
  /** Distance of the defaced render's face to the original render's (null: no face to encode on one of them). */
  distance: number | null;
  /** Match threshold used (distance ≤ threshold ⇒ match). */
  threshold: number;
  match: boolean;
  /** Rank of the original among the gallery sorted by distance to the defaced render (1: re-identified at rank 1; null: nothing to rank). */
  rank: number | null;
  gallerySize: number;
  reason: string;
}

/** The record of one defacing run (written as OUT/deface-report.json or OUT.json beside a NIfTI file). */
export interface DefaceRunReport {
  input: string;
  output: string;
  format: "dicom" | "nifti";
  deface: DefaceReport;
  /** Verdicts before (the paired positive control) and after, at each level tried. */
  verification: DefaceVerification | null;
  provenance: { unmaskVersion: string; models: Record<string, string>; options: Record<string, unknown>; inputHashes: Record<string, string>; createdAt: string };
}

/** The verification of a defacing: verdicts before and after, and re-identification by every recognizer. */
export interface DefaceVerification {
  before: DefaceCheck;
  after: DefaceCheck[];
  /** Every verdict after is "no". */
  faceRemoved: boolean;
  reidentification: ReidentificationCheck[];
  /** Some recognizer matched the defaced render to the original, or ranked the original first among a gallery of several. */
  reidentified: boolean;
  /** faceRemoved and not reidentified. */
  verified: boolean;
}

/** Options of {@link verifyDefacing} and {@link reidentifyDefaced}. */
export interface ReidentifyOptions {
  /** Other faces (photographs, other subjects' renders) ranked beside the original. */
  gallery?: RgbaImage[];
  /** Match thresholds per recognizer (default: each recognizer's own; pass the render thresholds an experiment measured). */
  thresholds?: Partial<Record<string, number>>;
  /** Recognizers to try (default: the whole panel). */
  recognizers?: readonly RecognizerName[];
}

/** Front render (three-point light, 512 px) of a volume's surface at a level, meshed on a grid no finer than 1 mm. */
async function frontRender(volume: Volume, level: number): Promise<RgbaImage> {
  const v = Math.min(...volume.spacing) < 1 - 1e-6 ? resample(volume, { spacing: 1 }) : volume;
  const mesh = await marchingCubes(v, { level });
  return (await renderMesh(mesh, { view: "front", light: "three-point", size: 512, voxelAxes: v.direction })).image;
}

/**
 * Can a recognizer still tell who it is? The defaced scan's front render is the probe; the gallery is
 * the original's front render (same level and camera) plus any other faces given. Per recognizer: the
 * distance to the original, whether it is a match at the threshold, and the original's rank.
 */
export async function reidentifyDefaced(original: Volume, defaced: Volume, level: number, options: ReidentifyOptions = {}): Promise<ReidentificationCheck[]> {
  const probe = await frontRender(defaced, level);
  const gallery = [await frontRender(original, level), ...(options.gallery ?? [])];
  const out: ReidentificationCheck[] = [];
  for (const info of recognizerPanel.filter((r) => !options.recognizers || options.recognizers.includes(r.name))) {
    const threshold = options.thresholds?.[info.name] ?? info.tolerance;
    const p = await encodeFace(probe, { recognizer: info.name });
    const base = { recognizer: info.name, threshold, gallerySize: gallery.length };
    if (!p.face) { out.push({ ...base, distance: null, match: false, rank: null, reason: "no face found on the defaced render: nothing to compare" }); continue; }
    const ds: number[] = [];
    for (const g of gallery) {
      const e = await encodeFace(g, { recognizer: info.name });
      ds.push(e.face ? embeddingDistance(p.embedding, e.embedding) : Infinity);
    }
    if (!Number.isFinite(ds[0])) { out.push({ ...base, distance: null, match: false, rank: null, reason: "no face found on the original's render" }); continue; }
    const rank = 1 + ds.slice(1).filter((d) => d < ds[0]).length;
    const match = ds[0] <= threshold;
    out.push({ ...base, distance: ds[0], match, rank, reason: `distance ${ds[0].toFixed(3)} ${match ? "≤" : ">"} ${threshold} (${match ? "a match" : "no match"}); original ranked ${rank} of ${gallery.length}` });
  }
  return out;
}

/** Levels the verification looks at: CT the skin level and ±200 HU; MRI 0.5×, 1× and 1.5× the skin level. */
export function verificationLevels(volume: Volume, level: number): number[] {
  return volume.units === "HU" ? [level - 200, level, level + 200] : [0.5 * level, level, 1.5 * level];
}

async function check(volume: Volume, level: number): Promise<DefaceCheck> {
  const v = await detectFaceInScan(volume, { level });
  return { level: +level.toFixed(2), present: v.present, score: +v.score.toFixed(3), reason: v.reason };
}

/**
 * Verdict before (must be "yes": the paired positive control) and after at every verification level,
 * then re-identification of the defaced front render against the original's by every recognizer.
 */
export async function verifyDefacing(original: Volume, defaced: Volume, level: number, options: ReidentifyOptions = {}): Promise<DefaceVerification> {
  const before = await check(original, level);
  const after: DefaceCheck[] = [];
  for (const l of verificationLevels(original, level)) after.push(await check(defaced, l));
  const faceRemoved = after.every((c) => c.present === "no");
  const reidentification = await reidentifyDefaced(original, defaced, level, options);
  const reidentified = reidentification.some((r) => r.match || (r.rank === 1 && r.gallerySize > 1));
  return { before, after, faceRemoved, reidentification, reidentified, verified: faceRemoved && !reidentified };
}

function sha256(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Options of {@link defaceFiles}. */
export interface DefaceFilesOptions {
  method?: DefaceMethod;
  level?: number;
  /** NIfTI label file on the scan's grid: voxels > 0 are kept. */
  protect?: string;
  format?: "dicom" | "nifti";
  force?: boolean;
  verify?: boolean;
  /** Re-identification thresholds per recognizer (default: each recognizer's own; see {@link readRenderThresholds}). */
  thresholds?: Partial<Record<string, number>>;
  onWarning?: (m: string) => void;
}

/**
 * The render thresholds an identification experiment measured: each recognizer's EER threshold from
 * the `result.json` that `unmask experiment` (`writeExperiment`) writes.
 */
export function readRenderThresholds(file: string): Record<string, number> {
  let j: { recognizers?: { recognizer?: unknown; eerThreshold?: unknown }[] };
  try {
    j = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (cause) {
    throw new InvalidArgumentError(`${file}: not an experiment result.json (${(cause as Error).message})`);
  }
  const out: Record<string, number> = {};
  for (const r of j.recognizers ?? []) if (typeof r.recognizer === "string" && typeof r.eerThreshold === "number" && Number.isFinite(r.eerThreshold)) out[r.recognizer] = r.eerThreshold;
  if (Object.keys(out).length === 0) throw new InvalidArgumentError(`${file}: no recognizer with an EER threshold (expected the result.json of unmask experiment)`);
  return out;
}

function readProtect(file: string, volume: Volume): Mask {
  const { volume: m } = readNifti(file);
  if (m.shape.some((n, a) => n !== volume.shape[a])) {
    throw new InvalidArgumentError(`${file}: protect mask is ${m.shape.join("×")}, the scan ${volume.shape.join("×")}: it must be on the scan's grid`);
  }
  const data = new Uint8Array(m.data.length);
  for (let q = 0; q < data.length; q++) data[q] = m.data[q] > 0 ? 1 : 0;
  return { data, shape: volume.shape, spacing: volume.spacing, origin: volume.origin, direction: volume.direction };
}

/**
 * Deface a DICOM series (or a NIfTI file) into OUT: a new DICOM series with de-identified headers
 * (PS3.15 Basic Profile) or one NIfTI-1 file, atomically, with a report (method, voxels changed,
 * time, the verdicts before and after, provenance). The input is never modified.
 */
export async function defaceFiles(input: string, out: string, opts: DefaceFilesOptions = {}): Promise<DefaceRunReport> {
  const format = opts.format ?? (/\.nii(\.gz)?$/i.test(out) ? "nifti" : "dicom");
  if (fs.existsSync(out) && !opts.force) throw new UnmaskError("OUTPUT_EXISTS", `${out} exists: use --force to replace it`, out);
  const isNifti = /\.nii(\.gz)?$/i.test(input);
  let loaded: LoadedSeries | null = null;
  let volume: Volume;
  let inputFiles: string[];
  if (isNifti) {
    volume = readNifti(input).volume;
    inputFiles = [input];
  } else {
    loaded = await loadSeries(input, { onWarning: opts.onWarning });
    volume = loaded.volume;
    inputFiles = loaded.slices.map((s) => s.path);
  }
  if (format === "dicom" && !loaded) throw new InvalidArgumentError("DICOM output needs a DICOM input (its headers are rewritten); write NIfTI with -o OUT.nii.gz");
  const protect = opts.protect ? readProtect(opts.protect, volume) : undefined;
  const result = deface(volume, { method: opts.method, level: opts.level, protect });
  for (const w of result.report.warnings) opts.onWarning?.(w);
  const verification = opts.verify === false ? null : await verifyDefacing(volume, result.volume, result.report.level, { thresholds: opts.thresholds });
  const version = unmaskVersion();
  const report: DefaceRunReport = {
    input: path.resolve(input), output: path.resolve(out), format, deface: result.report, verification,
    provenance: { unmaskVersion: version, models: modelHashes({ recognizers: opts.verify !== false }), options: { method: result.report.method, level: opts.level ?? null, protect: opts.protect ?? null, format, thresholds: opts.thresholds ?? null }, inputHashes: Object.fromEntries(inputFiles.map((f) => [f, sha256(f)])), createdAt: new Date().toISOString() },
  };
  const description = `defaced by unmask ${version} (${result.report.method}): ${result.report.voxelsChanged} voxels of the face region set to ${result.report.background}`;
  if (format === "nifti") {
    if (opts.force) fs.rmSync(out, { force: true });
    writeNifti(out, result.volume, { description: `unmask deface ${result.report.method}` });
    writeFileAtomic(out.replace(/\.nii(\.gz)?$/i, "") + ".deface.json", JSON.stringify(report, null, 2) + "\n");
    return report;
  }
  // DICOM: write the derived series into a scratch folder, then de-identify it into OUT (atomic).
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "unmask-deface-"));
  try {
    const tmpSeries = path.join(scratch, "series");
    await writeSeries({ volume: result.volume, slices: loaded!.slices }, tmpSeries, { derivationDescription: description, suffix: `defaced (${result.report.method})`, onWarning: opts.onWarning });
    await deidentify(tmpSeries, out, { force: opts.force, onWarning: opts.onWarning });
    writeFileAtomic(path.join(out, "deface-report.json"), JSON.stringify(report, null, 2) + "\n");
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return report;
}
