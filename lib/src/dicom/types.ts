import type { Vec3, Volume } from "../volume/types";

/** The header fields of one DICOM image file that unmask uses (no patient identifiers). */
export interface SliceHeader {
  path: string;
  transferSyntaxUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  modality: string;
  seriesDescription: string;
  seriesNumber: number | null;
  instanceNumber: number | null;
  rows: number;
  columns: number;
  /** [spacing between rows (along the column direction), spacing between columns], mm. */
  pixelSpacing: [number, number] | null;
  imagePosition: Vec3 | null;
  /** Row direction cosines then column direction cosines. */
  imageOrientation: [number, number, number, number, number, number] | null;
  sliceThickness: number | null;
  spacingBetweenSlices: number | null;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  /** Whether RescaleSlope and RescaleIntercept are both present (otherwise 1 and 0 are used). */
  rescalePresent: boolean;
  rescaleSlope: number;
  rescaleIntercept: number;
  rescaleType: string;
  pixelPaddingValue: number | null;
  numberOfFrames: number;
  bodyPartExamined: string;
  /** Byte range of the (native or encapsulated) pixel data element's value in the file; null when absent. */
  pixelData: { offset: number; length: number; encapsulated: boolean; kind: "integer" | "float" | "double" } | null;
  fileSize: number;
  /** Bytes the offsets above index: the file size, or the inflated size of a deflated file. */
  availableBytes: number;
  /** What was tolerated in this file (extra pixel bytes, odd photometric interpretation), for warnings. */
  notes: string[];
}

/** A problem with one file met while scanning a folder: archives are messy, scans collect these. */
export interface FileProblem {
  path: string;
  code: string;
  message: string;
  /** The typed error behind the problem, when there is one (thrown as is by a strict load). */
  error?: import("../core/errors").UnmaskError;
}

/** One series found in a folder tree, as `listSeries` reports it (no patient identifiers). */
export interface SeriesInfo {
  seriesInstanceUid: string;
  modality: string;
  description: string;
  seriesNumber: number | null;
  bodyPart: string;
  /** Number of image files (slices) in the series. */
  sliceCount: number;
  rows: number;
  columns: number;
  /** [columns, rows, slices]. */
  dimensions: [number, number, number];
  /** [column spacing, row spacing] in mm (x, y), when present. */
  pixelSpacing: [number, number] | null;
  /** Median distance between slice positions along the normal (mm), or SliceThickness for one slice. */
  sliceSpacing: number | null;
  /** Anatomical direction of the voxel axes, e.g. "LPS". */
  orientation: string;
  transferSyntaxUid: string;
  transferSyntax: string;
  /** Files of the series (absolute paths), in no particular order. */
  files: string[];
  /** The folder scanned. */
  root: string;
}

/** What `listSeries` returns. */
export interface SeriesListing {
  root: string;
  series: SeriesInfo[];
  /** Files that could not be read as DICOM images (not DICOM, truncated, non-image objects). */
  problems: FileProblem[];
  /** Files ignored by name (README, licences, pictures …). */
  ignored: string[];
  filesScanned: number;
}

/** A series loaded into a Volume, with the per-slice headers kept for writing back. */
export interface LoadedSeries {
  volume: Volume;
  info: SeriesInfo;
  /** Slice headers in volume k order (k = 0 first). */
  slices: SliceHeader[];
  warnings: string[];
  /** Files under the source that are not in the volume, and why (ignored names, non-image objects, duplicates, damaged files with `strict: false`). */
  skipped: { path: string; reason: string }[];
}
