import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError } from "../core/errors";
import { writeFolderAtomic } from "../core/fs";
import type { ProgressFn, WarningFn } from "../core/progress";
import type { Volume } from "../volume/types";
import { EXPLICIT_VR_LITTLE_ENDIAN, encodeDicomFile, readDicomDataset, type DicomDataset, type DicomFileData } from "./dataset";
import type { SliceHeader } from "./types";
import { newUid, UNMASK_IMPLEMENTATION_UID, UNMASK_IMPLEMENTATION_VERSION } from "./uid";

/** What {@link writeSeries} needs: a volume and the per-slice headers of the series it came from (a LoadedSeries will do). */
export interface WritableSeries {
  volume: Volume;
  /** Source slices in volume k order; each file is re-read so that every attribute is preserved. */
  slices: readonly Pick<SliceHeader, "path" | "rescaleSlope" | "rescaleIntercept" | "pixelRepresentation">[];
}

/** Stored value = (value − intercept) / slope. */
export interface Rescale {
  slope: number;
  intercept: number;
}

/** Options for {@link writeSeries}. */
export interface WriteSeriesOptions {
  /** DerivationDescription (0008,2111): what was done to the pixels, in words. */
  derivationDescription: string;
  /** SeriesDescription (0008,103E); default: the source's with `suffix` appended. */
  seriesDescription?: string;
  /** Appended to the source SeriesDescription when `seriesDescription` is not given (default "derived by unmask"). */
  suffix?: string;
  /**
   * Rescale to write. Default: the source's slope and intercept when every value is stored exactly in
   * 16 bits with them, otherwise intercept 0 / slope 1 when the values are integers that fit, otherwise
   * a linear map of the value range onto 0…65535.
   */
  rescale?: Rescale;
  /** Replace an existing output folder (default false). */
  force?: boolean;
  onProgress?: ProgressFn;
  onWarning?: WarningFn;
}

/** What {@link writeSeries} wrote. */
export interface WrittenSeries {
  dir: string;
  /** Absolute paths, slice k first. */
  files: string[];
  seriesInstanceUid: string;
  sopInstanceUids: string[];
  rescale: Rescale;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: 0 | 1;
  /** Whether every voxel is stored exactly (false only for the linear fallback). */
  exact: boolean;
}

interface Encoding extends Rescale {
  signed: boolean;
  exact: boolean;
}

/** Whether `data` stores exactly as 16-bit integers with `r`, and signed or not. */
function fits(data: Float32Array, r: Rescale): { signed: boolean } | null {
  let lo = Infinity, hi = -Infinity;
  const tol = 1e-3 * Math.max(1, Math.abs(r.slope));
  const { slope, intercept } = r;
  for (let n = 0; n < data.length; n++) {
    const v = data[n];
    const s = Math.round((v - intercept) / slope);
    if (!(Math.abs(s * slope + intercept - v) <= tol)) return null;
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  if (lo >= 0 && hi <= 65535) return { signed: false };
  if (lo >= -32768 && hi <= 32767) return { signed: true };
  return null;
}

function chooseEncoding(data: Float32Array, source: Rescale, requested?: Rescale): Encoding {
  if (requested) {
    if (!(requested.slope > 0) || !Number.isFinite(requested.intercept)) {
      throw new InvalidArgumentError(`rescale: slope must be > 0 and intercept finite (got ${requested.slope}, ${requested.intercept})`);
    }
    const f = fits(data, requested);
    if (!f) throw new InvalidArgumentError(`rescale slope ${requested.slope} intercept ${requested.intercept}: the values do not store exactly in 16 bits`);
    return { ...requested, signed: f.signed, exact: true };
  }
  for (const r of [source, { slope: 1, intercept: 0 }]) {
    const f = fits(data, r);
    if (f) return { ...r, signed: f.signed, exact: true };
  }
  let lo = Infinity, hi = -Infinity;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { intercept: lo, slope: hi > lo ? (hi - lo) / 65535 : 1, signed: false, exact: false };
}

/** A DS value (at most 16 characters). */
function ds(x: number): number {
  if (String(x).length <= 16) return x;
  return Number(x.toPrecision(10));
}

/** Append to a LO value without going past its 64 characters. */
function loWithSuffix(base: string, suffix: string): string {
  const room = 64 - suffix.length - 1;
  return base ? `${base.slice(0, Math.max(0, room))} ${suffix}`.slice(0, 64) : suffix.slice(0, 64);
}

/**
 * Write a volume as a new DICOM series: one file per slice (IM0001.dcm …, slice k = 0 first),
 * Explicit VR Little Endian, every attribute of each source file kept except the ones a derived
 * series must change — new SOP Instance and Series Instance UIDs (2.25 UUID UIDs), ImageType
 * DERIVED\SECONDARY, DerivationDescription, SeriesDescription, pixel data with its Bits/
 * PixelRepresentation/RescaleSlope/RescaleIntercept. Modality, Study and Frame of Reference stay.
 * Atomic: written into a temporary folder renamed to `outDir` at the end; an existing `outDir` is
 * refused without `force`; the source folder is never written to.
 */
export async function writeSeries(series: WritableSeries, outDir: string, options: WriteSeriesOptions): Promise<WrittenSeries> {
  const { volume, slices } = series;
  const [nx, ny, nz] = volume.shape;
  if (slices.length !== nz) throw new InvalidArgumentError(`writeSeries: ${slices.length} slice headers for a volume of ${nz} slices`);
  if (volume.data.length !== nx * ny * nz) throw new InvalidArgumentError(`writeSeries: volume data holds ${volume.data.length} values, shape says ${nx * ny * nz}`);
  const first = slices[0];
  const enc = chooseEncoding(volume.data, { slope: first.rescaleSlope, intercept: first.rescaleIntercept }, options.rescale);
  if (!enc.exact) options.onWarning?.(`values do not fit 16-bit integers; stored with slope ${enc.slope} (quantised)`);
  const seriesUid = newUid();
  const sopUids = slices.map(() => newUid());
  const sourceDirs = [...new Set(slices.map((s) => path.dirname(path.resolve(s.path))))];
  const names = slices.map((_, k) => `IM${String(k + 1).padStart(4, "0")}.dcm`);

  await writeFolderAtomic(
    outDir,
    (tmp) => {
      for (let k = 0; k < nz; k++) {
        const file = readDicomDataset(slices[k].path);
        const plane = volume.data.subarray(k * nx * ny, (k + 1) * nx * ny);
        const out = deriveSlice(file, plane, enc, {
          sopInstanceUid: sopUids[k],
          seriesInstanceUid: seriesUid,
          derivationDescription: options.derivationDescription,
          seriesDescription: options.seriesDescription,
          suffix: options.suffix ?? "derived by unmask",
          rows: ny,
          columns: nx,
          path: slices[k].path,
          onWarning: k === 0 ? options.onWarning : undefined,
        });
        fs.writeFileSync(path.join(tmp, names[k]), encodeDicomFile(out));
        options.onProgress?.(k + 1, nz, "write slices");
      }
    },
    { force: options.force, protect: sourceDirs },
  );
  const dir = path.resolve(outDir);
  return {
    dir,
    files: names.map((n) => path.join(dir, n)),
    seriesInstanceUid: seriesUid,
    sopInstanceUids: sopUids,
    rescale: { slope: enc.slope, intercept: enc.intercept },
    pixelRepresentation: enc.signed ? 1 : 0,
    exact: enc.exact,
  };
}

interface SliceEdit {
  sopInstanceUid: string;
  seriesInstanceUid: string;
  derivationDescription: string;
  seriesDescription?: string;
  suffix: string;
  rows: number;
  columns: number;
  path: string;
  onWarning?: WarningFn;
}

function deriveSlice(file: DicomFileData, plane: Float32Array, enc: Encoding, e: SliceEdit): DicomFileData {
  const dict: DicomDataset = { ...file.dict };
  const get = (tag: string) => dict[tag]?.Value?.[0];
  const rows = Number(get("00280010")), cols = Number(get("00280011"));
  if (rows !== e.rows || cols !== e.columns) {
    throw new InvalidArgumentError(`${e.path}: ${cols}×${rows} pixels but the volume's slices are ${e.columns}×${e.rows}`);
  }
  if (Number(get("00280002") ?? 1) !== 1) throw new InvalidArgumentError(`${e.path}: SamplesPerPixel ${get("00280002")}; only grey-scale series can be written`);

  const pixels = enc.signed ? new Int16Array(plane.length) : new Uint16Array(plane.length);
  // Smallest/Largest Image Pixel Value take the pixel representation's VR: computed in the same pass.
  let lo = Infinity, hi = -Infinity;
  const { intercept, slope } = enc;
  for (let n = 0; n < plane.length; n++) {
    const s = Math.round((plane[n] - intercept) / slope);
    pixels[n] = s;
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  const changedEncoding =
    Number(get("00281053") ?? 1) !== enc.slope || Number(get("00281052") ?? 0) !== enc.intercept ||
    Number(get("00280103") ?? 0) !== (enc.signed ? 1 : 0) || Number(get("00280101") ?? 16) !== 16;

  const imageType = (dict["00080008"]?.Value ?? []).map(String);
  dict["00080008"] = { vr: "CS", Value: ["DERIVED", "SECONDARY", ...imageType.slice(2)] };
  dict["00080018"] = { vr: "UI", Value: [e.sopInstanceUid] };
  dict["0020000E"] = { vr: "UI", Value: [e.seriesInstanceUid] };
  dict["00082111"] = { vr: "ST", Value: [e.derivationDescription.slice(0, 1024)] };
  const oldDescription = String(get("0008103E") ?? "");
  dict["0008103E"] = { vr: "LO", Value: [e.seriesDescription?.slice(0, 64) ?? loWithSuffix(oldDescription, `[${e.suffix}]`)] };
  dict["00280100"] = { vr: "US", Value: [16] };
  dict["00280101"] = { vr: "US", Value: [16] };
  dict["00280102"] = { vr: "US", Value: [15] };
  dict["00280103"] = { vr: "US", Value: [enc.signed ? 1 : 0] };
  const hadRescale = dict["00281053"] !== undefined || dict["00281052"] !== undefined;
  if (hadRescale || enc.slope !== 1 || enc.intercept !== 0) {
    dict["00281052"] = { vr: "DS", Value: [ds(enc.intercept)] };
    dict["00281053"] = { vr: "DS", Value: [ds(enc.slope)] };
  }
  for (const [tag, v] of [["00280106", lo], ["00280107", hi]] as const) {
    if (dict[tag]) dict[tag] = { vr: enc.signed ? "SS" : "US", Value: [v] };
  }
  // Padding values and their range are stored values: meaningless once the encoding changes.
  if (changedEncoding) {
    for (const tag of ["00280120", "00280121"]) {
      if (dict[tag]) {
        delete dict[tag];
        e.onWarning?.(`${e.path}: (${tag.slice(0, 4)},${tag.slice(4)}) pixel padding dropped: the stored-value encoding changed`);
      }
    }
  }
  dict["7FE00010"] = { vr: "OW", Value: [pixels.buffer.slice(0) as ArrayBuffer] };

  const meta: DicomDataset = {
    ...file.meta,
    "00020002": { vr: "UI", Value: [String(get("00080016") ?? "")] },
    "00020003": { vr: "UI", Value: [e.sopInstanceUid] },
    "00020010": { vr: "UI", Value: [EXPLICIT_VR_LITTLE_ENDIAN] },
    "00020012": { vr: "UI", Value: [UNMASK_IMPLEMENTATION_UID] },
    "00020013": { vr: "SH", Value: [UNMASK_IMPLEMENTATION_VERSION] },
  };
  delete meta["00020000"];
  if (!meta["00020001"]) meta["00020001"] = { vr: "OB", Value: [new Uint8Array([0, 1]).buffer] };
  return { meta, dict };
}
