import { withSummary } from "../core/summary";
import * as fs from "node:fs";
import * as os from "node:os";
import {
  FileNotFoundError,
  InconsistentSeriesError,
  InvalidArgumentError,
  MissingSliceError,
  MultipleSeriesError,
  NoDicomFoundError,
  NotDicomError,
  TruncatedDicomError,
  UnmaskError,
  VolumeTooLargeError,
} from "../core/errors";
import type { ProgressFn, WarningFn } from "../core/progress";
import type { Vec3, Volume, VolumeUnits } from "../volume/types";
import { directionFromOrientation, sliceNormal, sliceStack } from "./geometry";
import { groupSeries, scanHeaders, seriesInfo } from "./list";
import { readDicomFileAsync, readDicomHeader } from "./parse";
import { loadFrameDecoder } from "./codecs";
import { decodeStoredPixels, type FrameDecoderLike } from "./pixels";
import type { FileProblem, LoadedSeries, SeriesInfo, SliceHeader } from "./types";

/** Options for {@link loadSeries}. */
export interface LoadSeriesOptions {
  /** Which series to load when the folder holds several. */
  seriesUid?: string;
  /**
   * Fail on files in the folder that are not readable DICOM (default true), so that a damaged slice
   * is never dropped. With false, such files are skipped with a warning (in `warnings` and
   * `onWarning`). Names that are never DICOM (README, licences, pictures) are skipped with a warning.
   */
  strict?: boolean;
  /** Relative tolerance on slice spacing before a gap counts as missing slices (default 0.1). */
  spacingTolerance?: number;
  /** Largest volume (bytes of Float32 voxels) to allocate; default 3/4 of the machine's memory. */
  maxVolumeBytes?: number;
  onProgress?: ProgressFn;
  onWarning?: WarningFn;
}

const RLE_LOSSLESS = "1.2.840.10008.1.2.5";
/** Float32Array's element limit in Node 20. */
const MAX_VOXELS = 2 ** 32 - 1;

function problemError(p: FileProblem): UnmaskError {
  if (p.error) return p.error;
  const detail = p.message.replace(`${p.path}: `, "");
  if (p.code === "TRUNCATED_DICOM") return new TruncatedDicomError(p.path, detail.replace(/^truncated DICOM file \((.*)\)$/, "$1"));
  if (p.code === "NOT_DICOM") return new NotDicomError(p.path, detail.replace(/^not a DICOM file \((.*)\)$/, "$1"));
  return new UnmaskError(p.code, p.message, p.path);
}

/** Warn with the first few notes of one kind and a count of the rest (a note per slice would drown the output). */
function summarizeNotes(notes: string[], warn: (m: string) => void): void {
  const shown = notes.slice(0, 3);
  for (const n of shown) warn(n);
  if (notes.length > shown.length) warn(`… and ${notes.length - shown.length} more file(s) with notes of the same kind`);
}

/**
 * Load one DICOM series into a Volume in Hounsfield units (CT) or scanner units (MR).
 * `source` is a folder tree, a single file, or a SeriesInfo from {@link listSeries}.
 * Headers are read and validated first (sizes against byte lengths, slice geometry), then the volume
 * is allocated once and filled slice by slice, so peak memory stays near the volume's own bytes.
 * Slices are ordered by ImagePositionPatient projected on the slice normal; spacing comes from
 * PixelSpacing and the positions; damaged files, gaps and mixed sizes are typed errors naming the file.
 */
export async function loadSeries(source: string | SeriesInfo, opts: LoadSeriesOptions = {}): Promise<LoadedSeries> {
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    opts.onWarning?.(m);
  };
  const strict = opts.strict ?? true;
  const skipped: FileProblem[] = [];
  const skippedFiles: { path: string; reason: string }[] = [];
  const take = (p: FileProblem) => {
    if (p.code === "NON_IMAGE") {
      skippedFiles.push({ path: p.path, reason: p.message.replace(`${p.path}: `, "") });
      return warn(p.message);
    }
    if (strict) throw problemError(p);
    warn(`${p.message} (skipped)`);
    skippedFiles.push({ path: p.path, reason: p.message.replace(`${p.path}: `, "") });
    skipped.push(p);
  };
  let info: SeriesInfo;
  let headers: SliceHeader[];
  if (typeof source === "string") {
    if (!fs.existsSync(source)) throw new FileNotFoundError(source, "DICOM folder or file");
    const scan = scanHeaders(source, opts.onProgress);
    // Names that are never DICOM (README, licences, pictures) are reported in `skipped`, not warned about.
    for (const f of scan.ignored) skippedFiles.push({ path: f, reason: "not DICOM by its name" });
    for (const p of scan.problems) take(p);
    const all = groupSeries(source, scan.headers);
    if (all.length === 0) {
      const why = scan.problems.length ? `${scan.problems.length} file(s) unreadable or non-image, e.g. ${scan.problems[0].message}` : `${scan.filesScanned} file(s) scanned`;
      throw new NoDicomFoundError(source, why);
    }
    if (opts.seriesUid) {
      const found = all.find((s) => s.seriesInstanceUid === opts.seriesUid);
      if (!found) {
        throw new InvalidArgumentError(`${source}: no series ${opts.seriesUid}; found ${all.map((s) => s.seriesInstanceUid).join(", ")}`);
      }
      info = found;
    } else if (all.length > 1) {
      // Name the files of small series: a stray slice (or a damaged SeriesInstanceUID) shows itself.
      const detail = all.map((s) => `${s.seriesInstanceUid} (${s.sliceCount} file${s.sliceCount > 1 ? "s" : ""}${s.sliceCount <= 3 ? `: ${s.files.join(", ")}` : ""})`);
      throw new MultipleSeriesError(source, all.map((s) => s.seriesInstanceUid), detail);
    } else {
      info = all[0];
    }
    const byPath = new Map(scan.headers.map((h) => [h.path, h]));
    headers = info.files.map((f) => byPath.get(f)!);
  } else {
    info = source;
    headers = [];
    info.files.forEach((file, n) => {
      opts.onProgress?.(n, info.files.length, "read headers");
      try {
        headers.push(readDicomHeader(file).header);
      } catch (e) {
        if (!(e instanceof UnmaskError)) throw e;
        take({ path: file, code: e.code, message: e.message, error: e });
      }
    });
    if (headers.length === 0) throw new NoDicomFoundError(info.root, "no readable file in the series");
  }
  headers = skipDuplicates(headers, warn, skippedFiles);
  summarizeNotes(headers.flatMap((h) => h.notes), warn);
  checkConsistent(headers);

  let order: { indices: number[]; spacing: number };
  try {
    order = sliceOrder(info.root, headers, opts.spacingTolerance ?? 0.1, warn);
  } catch (e) {
    // A gap where a skipped file would sit: the damaged file is the news, not a "missing slice".
    if (e instanceof MissingSliceError && skipped.length) throw problemError(skipped[0]);
    throw e;
  }
  const first = headers[order.indices[0]];
  const [nx, ny, nz] = [first.columns, first.rows, headers.length];
  const voxels = nx * ny * nz;
  const maxBytes = opts.maxVolumeBytes ?? Math.floor(os.totalmem() * 0.75);
  if (voxels > MAX_VOXELS || voxels * 4 > maxBytes) {
    throw new VolumeTooLargeError(info.root, `${nx} × ${ny} × ${nz} voxels need ${(voxels * 4 / 2 ** 30).toFixed(2)} GiB as Float32, more than the ${(maxBytes / 2 ** 30).toFixed(2)} GiB allowed (maxVolumeBytes)`);
  }
  const isCT = first.modality === "CT" || first.rescaleType.toUpperCase() === "HU";
  if (isCT) {
    const noRescale = headers.filter((h) => !h.rescalePresent && h.pixelData?.kind === "integer");
    if (noRescale.length) {
      warn(`${noRescale[0].path}${noRescale.length > 1 ? ` and ${noRescale.length - 1} other slice(s)` : ""}: CT without RescaleSlope/RescaleIntercept (0028,1053/1052); stored values taken as HU (slope 1, intercept 0)`);
    }
  }
  const mono1 = headers.some((h) => h.photometricInterpretation === "MONOCHROME1");
  if (mono1 && isCT) warn(`${first.path}: MONOCHROME1 CT; Hounsfield units come from the rescale, so values are not inverted`);
  const invert = mono1 && !isCT;
  const ps = first.pixelSpacing;
  if (!ps) warn(`${first.path}: no PixelSpacing; assuming 1 mm pixels`);

  // Decoders for the compressed syntaxes present (one wasm init per syntax).
  const decoders = new Map<string, FrameDecoderLike | null>();
  for (const h of headers) {
    const ts = h.transferSyntaxUid;
    if (h.pixelData?.encapsulated && ts !== RLE_LOSSLESS && !decoders.has(ts)) decoders.set(ts, await loadFrameDecoder(ts));
  }

  const data = new Float32Array(voxels);
  const air = isCT ? Math.min(-1000, first.rescaleIntercept) : 0;
  for (let k = 0; k < nz; k++) {
    const scanned = headers[order.indices[k]];
    const { dataSet, header } = await readDicomFileAsync(scanned.path);
    if (header.rows !== scanned.rows || header.columns !== scanned.columns || header.bitsAllocated !== scanned.bitsAllocated || header.transferSyntaxUid !== scanned.transferSyntaxUid) {
      throw new InconsistentSeriesError(scanned.path, "the file changed while the series was loading (its header differs from the one scanned)");
    }
    const slice = data.subarray(k * nx * ny, (k + 1) * nx * ny);
    decodeStoredPixels(dataSet, header, slice, { air, invert: invert && header.photometricInterpretation === "MONOCHROME1" }, decoders.get(header.transferSyntaxUid));
    opts.onProgress?.(k + 1, nz, "load slices");
  }
  const units: VolumeUnits = isCT ? "HU" : first.modality === "MR" ? "MR" : "stored";
  const volume: Volume = withSummary({
    data,
    shape: [nx, ny, nz],
    spacing: [ps ? ps[1] : 1, ps ? ps[0] : 1, order.spacing],
    origin: first.imagePosition ? ([...first.imagePosition] as Vec3) : [0, 0, 0],
    direction: first.imageOrientation ? directionFromOrientation(first.imageOrientation) : [1, 0, 0, 0, 1, 0, 0, 0, 1],
    modality: first.modality,
    units,
  });
  const slices = order.indices.map((i) => headers[i]);
  return withSummary({ volume, info: seriesInfo(info.root, info.seriesInstanceUid, slices), slices, warnings, skipped: skippedFiles });
}

/** Files with the same SOP Instance UID: identical bytes are one slice copied twice (skipped, warned); different bytes are an error. */
function skipDuplicates(hs: SliceHeader[], warn: (m: string) => void, skippedFiles: { path: string; reason: string }[]): SliceHeader[] {
  const seen = new Map<string, SliceHeader>();
  const out: SliceHeader[] = [];
  for (const h of hs) {
    const prev = h.sopInstanceUid ? seen.get(h.sopInstanceUid) : undefined;
    if (!prev) {
      if (h.sopInstanceUid) seen.set(h.sopInstanceUid, h);
      out.push(h);
      continue;
    }
    if (prev.fileSize === h.fileSize && fs.readFileSync(prev.path).equals(fs.readFileSync(h.path))) {
      warn(`${h.path}: exact duplicate of ${prev.path} (same SOP Instance UID and bytes), skipped`);
      skippedFiles.push({ path: h.path, reason: `exact duplicate of ${prev.path}` });
      continue;
    }
    throw new InconsistentSeriesError(h.path, `same SOP Instance UID ${h.sopInstanceUid} as ${prev.path} but different content`);
  }
  return out;
}

/** Rows, columns, orientation and pixel spacing must agree across a series. */
function checkConsistent(hs: SliceHeader[]): void {
  const ref = hs[0];
  for (const h of hs) {
    if (h.rows !== ref.rows || h.columns !== ref.columns) {
      throw new InconsistentSeriesError(h.path, `mismatched image size: ${h.columns}×${h.rows} here but ${ref.columns}×${ref.rows} in ${ref.path} (same series ${ref.seriesInstanceUid})`);
    }
    const a = h.imageOrientation, b = ref.imageOrientation;
    if ((a === null) !== (b === null) || (a && b && a.some((v, n) => Math.abs(v - b[n]) > 1e-3))) {
      throw new InconsistentSeriesError(h.path, `ImageOrientationPatient differs from ${ref.path}: the series mixes orientations`);
    }
    const p = h.pixelSpacing, q = ref.pixelSpacing;
    if (p && q && (Math.abs(p[0] - q[0]) > 1e-3 || Math.abs(p[1] - q[1]) > 1e-3)) {
      throw new InconsistentSeriesError(h.path, `PixelSpacing ${p.join("\\")} differs from ${q.join("\\")} in ${ref.path}`);
    }
    if (h.bitsAllocated !== ref.bitsAllocated || h.pixelRepresentation !== ref.pixelRepresentation || h.pixelData?.kind !== ref.pixelData?.kind) {
      throw new InconsistentSeriesError(h.path, `pixel format (BitsAllocated ${h.bitsAllocated}, PixelRepresentation ${h.pixelRepresentation}) differs from ${ref.path}`);
    }
    if (h.modality !== ref.modality) {
      throw new InconsistentSeriesError(h.path, `Modality ${h.modality || "(none)"} differs from ${ref.modality || "(none)"} in ${ref.path}`);
    }
  }
}

/** Order slices along the normal and take the spacing from {@link sliceStack}; gaps and irregular spacing are errors. */
function sliceOrder(root: string, hs: SliceHeader[], tol: number, warn: (m: string) => void): { indices: number[]; spacing: number } {
  const iop = hs[0].imageOrientation;
  const missingPos = hs.filter((h) => !h.imagePosition);
  if (!iop || missingPos.length === hs.length) {
    warn(`${root}: no ImagePositionPatient/ImageOrientationPatient; slices ordered by InstanceNumber, spacing from SliceThickness`);
    const indices = hs.map((_, n) => n).sort((a, b) => (hs[a].instanceNumber ?? 0) - (hs[b].instanceNumber ?? 0));
    return { indices, spacing: hs[0].spacingBetweenSlices ?? hs[0].sliceThickness ?? 1 };
  }
  if (missingPos.length) {
    throw new InconsistentSeriesError(missingPos[0].path, "no ImagePositionPatient while other slices of the series have one");
  }
  const stack = sliceStack(hs)!;
  const { order: indices, positions: z, gaps } = stack;
  if (hs.length === 1) return { indices, spacing: hs[0].spacingBetweenSlices ?? hs[0].sliceThickness ?? 1 };
  for (let k = 0; k < gaps.length; k++) {
    if (gaps[k] < 1e-3) {
      throw new InconsistentSeriesError(hs[indices[k + 1]].path, `two slices at the same position (${z[indices[k]].toFixed(2)} mm along the normal): ${hs[indices[k]].path} and this file; the series mixes acquisitions`);
    }
  }
  const spacing = stack.spacing!;
  for (let k = 0; k < gaps.length; k++) {
    const g = gaps[k];
    if (Math.abs(g - spacing) <= tol * spacing) continue;
    const h = hs[indices[k]];
    if (g > spacing * 1.5 && Math.abs(g / spacing - Math.round(g / spacing)) < 0.25) {
      throw new MissingSliceError(root, k, z[indices[k]], spacing, g, [h.path, hs[indices[k + 1]].path]);
    }
    throw new InconsistentSeriesError(hs[indices[k + 1]].path, `irregular slice spacing: ${g.toFixed(3)} mm after ${h.path} where the series' spacing is ${spacing.toFixed(3)} mm`);
  }
  // Shear (gantry tilt): positions drift in-plane as k grows.
  const normal = sliceNormal(iop);
  const p0 = hs[indices[0]].imagePosition!, p1 = hs[indices[indices.length - 1]].imagePosition!;
  const d: Vec3 = [p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]];
  const along = d[0] * normal[0] + d[1] * normal[1] + d[2] * normal[2];
  const off = Math.hypot(d[0] - along * normal[0], d[1] - along * normal[1], d[2] - along * normal[2]);
  if (off > 0.5 * spacing) warn(`${root}: slice positions drift ${off.toFixed(1)} mm in-plane (gantry tilt?); the volume ignores the shear`);
  return { indices, spacing };
}
