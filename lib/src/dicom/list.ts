import * as fs from "node:fs";
import * as path from "node:path";
import { FileNotFoundError, UnmaskError } from "../core/errors";
import type { ProgressFn } from "../core/progress";
import { axisCodes } from "../volume/volume";
import { readDicomHeader } from "./parse";
import { transferSyntaxName } from "./transfer-syntax";
import type { FileProblem, SeriesInfo, SeriesListing, SliceHeader } from "./types";
import { seriesGeometry } from "./geometry";

/** File names that are never DICOM in an archive: skipped silently (listed in `ignored`). */
const IGNORED_NAME = /^(readme|licen[cs]e|copying|provenance|notice)([._-].*)?$|\.(txt|md|json|xml|html?|pdf|png|jpe?g|gif|zip|gz|tgz|py|sh|csv|tsv|ya?ml|ipynb|nii|nrrd|mha|mhd|ini|log)$|^\.ds_store$|^thumbs\.db$|^desktop\.ini$/i;

/** SOP classes that carry no image, named for the warning. */
const NON_IMAGE_SOP: Record<string, string> = {
  "1.2.840.10008.1.3.10": "Media Storage Directory (DICOMDIR)",
  "1.2.840.10008.5.1.4.1.1.481.3": "RT Structure Set",
  "1.2.840.10008.5.1.4.1.1.481.5": "RT Plan",
  "1.2.840.10008.5.1.4.1.1.11.1": "Grayscale Softcopy Presentation State",
  "1.2.840.10008.5.1.4.1.1.66": "Raw Data",
  "1.2.840.10008.5.1.4.1.1.104.1": "Encapsulated PDF",
  "1.2.840.10008.5.1.4.1.1.88.11": "Basic Text SR",
  "1.2.840.10008.5.1.4.1.1.88.22": "Enhanced SR",
  "1.2.840.10008.5.1.4.1.1.88.33": "Comprehensive SR",
};

/** Whether a file name is one unmask never treats as DICOM (README, licence, picture …). */
export function isIgnoredName(file: string): boolean {
  return IGNORED_NAME.test(path.basename(file));
}

/** All regular files under `root` (recursively, hidden folders skipped), sorted for stable output. */
export function walkFiles(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) {
        if (!ent.name.startsWith(".")) visit(p);
      } else if (ent.isFile()) out.push(p);
    }
  };
  visit(root);
  return out.sort();
}

/** Result of reading the headers of a folder tree: image headers grouped later, problems kept. */
export interface HeaderScan {
  headers: SliceHeader[];
  problems: FileProblem[];
  ignored: string[];
  filesScanned: number;
}

/** Read the header of every file under `root` (or `root` itself when it is a file), collecting problems. */
export function scanHeaders(root: string, onProgress?: ProgressFn): HeaderScan {
  if (!fs.existsSync(root)) throw new FileNotFoundError(root, "DICOM folder or file");
  const isDir = fs.statSync(root).isDirectory();
  const files = isDir ? walkFiles(root) : [root];
  const headers: SliceHeader[] = [];
  const problems: FileProblem[] = [];
  const ignored: string[] = [];
  files.forEach((file, n) => {
    onProgress?.(n, files.length, "read headers");
    if (isDir && isIgnoredName(file)) {
      ignored.push(file);
      return;
    }
    try {
      const { header } = readDicomHeader(file);
      if (!header.pixelData) {
        const name = NON_IMAGE_SOP[header.sopClassUid] ?? `SOP class ${header.sopClassUid || "unknown"}`;
        problems.push({ path: file, code: "NON_IMAGE", message: `${file}: non-image DICOM object (${name}), skipped` });
        return;
      }
      headers.push(header);
    } catch (e) {
      if (e instanceof UnmaskError) {
        // The typed error travels along for a strict load, but stays out of JSON listings.
        const p: FileProblem = { path: file, code: e.code, message: e.message };
        Object.defineProperty(p, "error", { value: e, enumerable: false });
        problems.push(p);
      }
      else problems.push({ path: file, code: "READ_ERROR", message: `${file}: ${(e as Error).message}` });
    }
  });
  onProgress?.(files.length, files.length, "read headers");
  return { headers, problems, ignored, filesScanned: files.length };
}

/** Group headers by SeriesInstanceUID into SeriesInfo records (no patient identifiers). */
export function groupSeries(root: string, headers: SliceHeader[]): SeriesInfo[] {
  const groups = new Map<string, SliceHeader[]>();
  for (const h of headers) {
    const key = h.seriesInstanceUid || `(no SeriesInstanceUID: ${path.dirname(h.path)})`;
    const g = groups.get(key);
    if (g) g.push(h);
    else groups.set(key, [h]);
  }
  const out: SeriesInfo[] = [];
  for (const [uid, hs] of groups) out.push(seriesInfo(root, uid, hs));
  return out.sort((a, b) => (a.seriesNumber ?? 1e9) - (b.seriesNumber ?? 1e9) || a.seriesInstanceUid.localeCompare(b.seriesInstanceUid));
}

/** Build the listing record of one series from its slice headers. */
export function seriesInfo(root: string, uid: string, hs: SliceHeader[]): SeriesInfo {
  const first = hs[0];
  const geom = seriesGeometry(hs);
  return {
    seriesInstanceUid: uid,
    modality: first.modality,
    description: first.seriesDescription,
    seriesNumber: first.seriesNumber,
    bodyPart: first.bodyPartExamined,
    sliceCount: hs.length,
    rows: first.rows,
    columns: first.columns,
    dimensions: [first.columns, first.rows, hs.length],
    pixelSpacing: first.pixelSpacing ? [first.pixelSpacing[1], first.pixelSpacing[0]] : null,
    sliceSpacing: geom.medianSpacing ?? first.spacingBetweenSlices ?? first.sliceThickness,
    orientation: geom.direction ? axisCodes(geom.direction).join("") : "?",
    transferSyntaxUid: first.transferSyntaxUid,
    transferSyntax: transferSyntaxName(first.transferSyntaxUid),
    files: hs.map((h) => h.path),
    root,
  };
}

/**
 * List the image series under a folder tree, reading headers only. Never stops at a bad file:
 * problems (not DICOM, truncated, non-image objects) are collected in the result.
 */
export function listSeries(root: string, opts: { onProgress?: ProgressFn } = {}): SeriesListing {
  const scan = scanHeaders(root, opts.onProgress);
  return { root, series: groupSeries(root, scan.headers), problems: scan.problems, ignored: scan.ignored, filesScanned: scan.filesScanned };
}
