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
import { readNifti, writeNifti } from "../nifti/nifti";
import type { Mask, Volume } from "../volume/types";
import { deface, type DefaceMethod, type DefaceReport } from "./deface";
import { deidentify } from "./deidentify";

/** One face-presence check of the verification. */
export interface DefaceCheck {
  level: number;
  present: "yes" | "no" | "uncertain";
  score: number;
  reason: string;
}

/** The record of one defacing run (written as OUT/deface-report.json or OUT.json beside a NIfTI file). */
export interface DefaceRunReport {
  input: string;
  output: string;
  format: "dicom" | "nifti";
  deface: DefaceReport;
  /** Verdicts before (the paired positive control) and after, at each level tried. */
  verification: { before: DefaceCheck; after: DefaceCheck[]; faceRemoved: boolean } | null;
  provenance: { unmaskVersion: string; options: Record<string, unknown>; inputHashes: Record<string, string>; createdAt: string };
}

/** Levels the verification looks at: CT the skin level and ±200 HU; MRI 0.5×, 1× and 1.5× the skin level. */
export function verificationLevels(volume: Volume, level: number): number[] {
  return volume.units === "HU" ? [level - 200, level, level + 200] : [0.5 * level, level, 1.5 * level];
}

async function check(volume: Volume, level: number): Promise<DefaceCheck> {
  const v = await detectFaceInScan(volume, { level });
  return { level: +level.toFixed(2), present: v.present, score: +v.score.toFixed(3), reason: v.reason };
}

/** Verdict before (must be "yes": the paired positive control) and after at every verification level. */
export async function verifyDefacing(original: Volume, defaced: Volume, level: number): Promise<NonNullable<DefaceRunReport["verification"]>> {
  const before = await check(original, level);
  const after: DefaceCheck[] = [];
  for (const l of verificationLevels(original, level)) after.push(await check(defaced, l));
  return { before, after, faceRemoved: after.every((c) => c.present === "no") };
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
  onWarning?: (m: string) => void;
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
  const verification = opts.verify === false ? null : await verifyDefacing(volume, result.volume, result.report.level);
  const version = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).version;
  const report: DefaceRunReport = {
    input: path.resolve(input), output: path.resolve(out), format, deface: result.report, verification,
    provenance: { unmaskVersion: version, options: { method: result.report.method, level: opts.level ?? null, protect: opts.protect ?? null, format }, inputHashes: Object.fromEntries(inputFiles.map((f) => [f, sha256(f)])), createdAt: new Date().toISOString() },
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
