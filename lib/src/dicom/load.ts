import * as fs from "node:fs";
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
} from "../core/errors";
import type { ProgressFn, WarningFn } from "../core/progress";
import type { Vec3, Volume, VolumeUnits } from "../volume/types";
import { directionFromOrientation, positionAlongNormal, sliceNormal } from "./geometry";
import { groupSeries, scanHeaders, seriesInfo } from "./list";
import { readDicomFile } from "./parse";
import { frameDecoder } from "./codecs";
import { decodeStoredPixels } from "./pixels";
import type { FileProblem, LoadedSeries, SeriesInfo, SliceHeader } from "./types";

/** Options for {@link loadSeries}. */
export interface LoadSeriesOptions {
  /** Which series to load when the folder holds several. */
  seriesUid?: string;
  /**
   * Fail on files in the folder that are not readable DICOM (default true), so that a corrupt slice
   * is never silently dropped. Names that are never DICOM (README, licences, pictures) are always ignored.
   */
  strict?: boolean;
  /** Relative tolerance on slice spacing before a gap counts as missing slices (default 0.1). */
  spacingTolerance?: number;
  onProgress?: ProgressFn;
  onWarning?: WarningFn;
}

function problemError(p: FileProblem): UnmaskError {
  const detail = p.message.replace(`${p.path}: `, "");
  if (p.code === "TRUNCATED_DICOM") return new TruncatedDicomError(p.path, detail.replace(/^truncated DICOM file \((.*)\)$/, "$1"));
  if (p.code === "NOT_DICOM") return new NotDicomError(p.path, detail.replace(/^not a DICOM file \((.*)\)$/, "$1"));
  return new UnmaskError(p.code, p.message, p.path);
}

/**
 * Load one DICOM series into a Volume in Hounsfield units (CT) or scanner units (MR).
 * `source` is a folder tree, a single file, or a SeriesInfo from {@link listSeries}.
 * Slices are ordered by ImagePositionPatient projected on the slice normal; spacing comes from
 * PixelSpacing and the positions; gaps, mixed sizes and truncated files are typed errors.
 */
export function loadSeries(source: string | SeriesInfo, opts: LoadSeriesOptions = {}): LoadedSeries {
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    opts.onWarning?.(m);
  };
  const strict = opts.strict ?? true;
  let info: SeriesInfo;
  if (typeof source === "string") {
    if (!fs.existsSync(source)) throw new FileNotFoundError(source, "DICOM folder or file");
    const scan = scanHeaders(source, opts.onProgress);
    for (const p of scan.problems) {
      if (p.code === "NON_IMAGE") warn(p.message);
      else if (strict && p.code !== "TRUNCATED_DICOM") throw problemError(p);
      else if (p.code !== "TRUNCATED_DICOM") warn(`${p.message} (skipped)`);
    }
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
      throw new MultipleSeriesError(source, all.map((s) => s.seriesInstanceUid));
    } else {
      info = all[0];
    }
  } else {
    info = source;
  }

  // Full read of the chosen series' files.
  const parsed = info.files.map((file, n) => {
    opts.onProgress?.(n, info.files.length, "read slices");
    return readDicomFile(file);
  });
  const headers = parsed.map((p) => p.header);
  checkConsistent(headers);

  const order = sliceOrder(info.root, headers, opts.spacingTolerance ?? 0.1, warn);
  const first = headers[order.indices[0]];
  if (first.numberOfFrames > 1) {
    throw new UnmaskError("UNSUPPORTED_MULTIFRAME", `${first.path}: multi-frame image (${first.numberOfFrames} frames); only one-slice-per-file series are supported`, first.path);
  }
  const [nx, ny, nz] = [first.columns, first.rows, headers.length];
  const data = new Float32Array(nx * ny * nz);
  const isCT = first.modality === "CT" || first.rescaleType.toUpperCase() === "HU";
  const air = isCT ? Math.min(-1000, first.rescaleIntercept) : 0;
  order.indices.forEach((src, k) => {
    const { dataSet, header } = parsed[src];
    const slice = data.subarray(k * nx * ny, (k + 1) * nx * ny);
    decodeStoredPixels(dataSet, header, slice, { air }, header.pixelData?.encapsulated ? frameDecoder(header.transferSyntaxUid) ?? undefined : undefined);
    opts.onProgress?.(k + 1, nz, "decode pixels");
  });
  const ps = first.pixelSpacing;
  if (!ps) warn(`${first.path}: no PixelSpacing; assuming 1 mm pixels`);
  const units: VolumeUnits = isCT ? "HU" : first.modality === "MR" ? "MR" : "stored";
  const volume: Volume = {
    data,
    shape: [nx, ny, nz],
    spacing: [ps ? ps[1] : 1, ps ? ps[0] : 1, order.spacing],
    origin: first.imagePosition ? ([...first.imagePosition] as Vec3) : [0, 0, 0],
    direction: first.imageOrientation ? directionFromOrientation(first.imageOrientation) : [1, 0, 0, 0, 1, 0, 0, 0, 1],
    modality: first.modality,
    units,
  };
  const slices = order.indices.map((i) => headers[i]);
  return { volume, info: seriesInfo(info.root, info.seriesInstanceUid, slices), slices, warnings };
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
    if (h.bitsAllocated !== ref.bitsAllocated || h.pixelRepresentation !== ref.pixelRepresentation) {
      throw new InconsistentSeriesError(h.path, `pixel format (BitsAllocated ${h.bitsAllocated}, PixelRepresentation ${h.pixelRepresentation}) differs from ${ref.path}`);
    }
  }
}

/** Order slices along the normal and derive the spacing; gaps and irregular spacing are errors. */
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
  const normal = sliceNormal(iop);
  const z = hs.map((h) => positionAlongNormal(h, normal));
  const indices = hs.map((_, n) => n).sort((a, b) => z[a] - z[b]);
  if (hs.length === 1) return { indices, spacing: hs[0].spacingBetweenSlices ?? hs[0].sliceThickness ?? 1 };
  const gaps = indices.slice(1).map((idx, k) => z[idx] - z[indices[k]]);
  for (let k = 0; k < gaps.length; k++) {
    if (gaps[k] < 1e-3) {
      throw new InconsistentSeriesError(hs[indices[k + 1]].path, `two slices at the same position (${z[indices[k]].toFixed(2)} mm along the normal): ${hs[indices[k]].path} and this file; the series mixes acquisitions`);
    }
  }
  const sorted = [...gaps].sort((a, b) => a - b);
  const spacing = sorted[Math.floor((sorted.length - 1) / 2)];
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
  const p0 = hs[indices[0]].imagePosition!, p1 = hs[indices[indices.length - 1]].imagePosition!;
  const d: Vec3 = [p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]];
  const along = d[0] * normal[0] + d[1] * normal[1] + d[2] * normal[2];
  const off = Math.hypot(d[0] - along * normal[0], d[1] - along * normal[1], d[2] - along * normal[2]);
  if (off > 0.5 * spacing) warn(`${root}: slice positions drift ${off.toFixed(1)} mm in-plane (gantry tilt?); the volume ignores the shear`);
  return { indices, spacing };
}
