import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { FileNotFoundError } from "../core/errors";
import type { ProgressFn } from "../core/progress";
import { groupSeries, scanHeaders, walkFiles } from "../dicom/list";
import type { SeriesInfo } from "../dicom/types";
import type { AuditItem, BrokenFile } from "./types";

/** SOP classes of single 2D pictures that may carry burned-in text: read by OCR, never volumes. */
const PICTURE_SOP: Record<string, string> = {
  "1.2.840.10008.5.1.4.1.1.7": "Secondary Capture",
  "1.2.840.10008.5.1.4.1.1.7.1": "Multi-frame Single Bit Secondary Capture",
  "1.2.840.10008.5.1.4.1.1.7.2": "Multi-frame Grayscale Byte Secondary Capture",
  "1.2.840.10008.5.1.4.1.1.7.3": "Multi-frame Grayscale Word Secondary Capture",
  "1.2.840.10008.5.1.4.1.1.7.4": "Multi-frame True Color Secondary Capture",
  "1.2.840.10008.5.1.4.1.1.1": "Computed Radiography",
  "1.2.840.10008.5.1.4.1.1.1.1": "Digital X-Ray",
};

/** RT objects that can rebuild the patient's outer surface (a body contour, a dose grid over the body). */
export const RT_SOP: Record<string, string> = {
  "1.2.840.10008.5.1.4.1.1.481.3": "RT Structure Set",
  "1.2.840.10008.5.1.4.1.1.481.2": "RT Dose",
  "1.2.840.10008.5.1.4.1.1.481.5": "RT Plan",
};

/** What the walker found under the audited paths. */
export interface AuditInventory {
  roots: string[];
  items: AuditItem[];
  brokenFiles: BrokenFile[];
  ignoredFiles: string[];
  filesScanned: number;
}

const NIFTI_NAME = /\.nii(\.gz)?$/i;

function itemId(kind: string, files: string[]): string {
  return crypto.createHash("sha256").update(kind).update("\0").update([...files].sort().join("\0")).digest("hex").slice(0, 16);
}

function labelOf(roots: string[], p: string): string {
  for (const r of roots) {
    const rel = path.relative(r, p);
    if (!rel.startsWith("..") && !path.isAbsolute(rel)) return path.join(path.basename(r), rel);
  }
  return p;
}

/**
 * Walk folder trees (any nesting, several series per folder) and list every auditable item: DICOM
 * image series (volumes, and 2D pictures for OCR), RT objects, NIfTI files; every file that could not
 * be read is kept with its error. Headers only: no pixel data is read here.
 */
export function findAuditItems(paths: string[], opts: { onProgress?: ProgressFn } = {}): AuditInventory {
  const roots = paths.map((p) => path.resolve(p));
  const items: AuditItem[] = [];
  const brokenFiles: BrokenFile[] = [];
  const ignoredFiles: string[] = [];
  let filesScanned = 0;
  for (const root of roots) {
    if (!fs.existsSync(root)) throw new FileNotFoundError(root, "folder or file to audit");
    const isDir = fs.statSync(root).isDirectory();
    const niftis = (isDir ? walkFiles(root) : [root]).filter((f) => NIFTI_NAME.test(f));
    for (const f of niftis) items.push({ id: itemId("nifti", [f]), kind: "nifti", label: labelOf(roots, f), files: [f] });
    if (!isDir && niftis.length) { filesScanned += 1; continue; }
    const scan = scanHeaders(root, opts.onProgress);
    filesScanned += scan.filesScanned;
    for (const f of scan.ignored) if (!NIFTI_NAME.test(f)) ignoredFiles.push(f);
    for (const p of scan.problems) {
      if (p.code === "NON_IMAGE") {
        const sop = sopClassOf(p.path);
        if (sop && RT_SOP[sop]) {
          items.push({ id: itemId("rt-object", [p.path]), kind: "rt-object", label: labelOf(roots, p.path), files: [p.path], sopClassUid: sop });
          continue;
        }
        // Other non-image objects (reports, presentation states, DICOMDIR): listed as skipped, with why.
        brokenFiles.push({ path: p.path, code: "NON_IMAGE", message: p.message });
        continue;
      }
      brokenFiles.push({ path: p.path, code: p.code, message: p.message });
    }
    for (const s of groupSeries(root, scan.headers)) {
      const sop = sopClassOf(s.files[0]) ?? "";
      const kind = RT_SOP[sop] ? "rt-object" : PICTURE_SOP[sop] || isPicture(s) ? "image-2d" : "dicom-series";
      items.push({
        id: itemId(kind, s.files),
        kind,
        label: labelOf(roots, commonFolder(s.files)) + (s.seriesNumber !== null ? ` #${s.seriesNumber}` : "") + (s.description ? ` ${s.description}` : ""),
        files: [...s.files].sort(),
        seriesInstanceUid: s.seriesInstanceUid,
        sopClassUid: sop,
      });
    }
  }
  items.sort((a, b) => a.label.localeCompare(b.label) || a.id.localeCompare(b.id));
  return { roots, items, brokenFiles, ignoredFiles, filesScanned };
}

// A single slice cannot form a volume: treat it as a picture (localizer, dose report, screenshot).
function isPicture(s: SeriesInfo): boolean {
  return s.sliceCount === 1;
}

function commonFolder(files: string[]): string {
  const dirs = files.map((f) => path.dirname(f));
  let common = dirs[0];
  for (const d of dirs) while (!(d + path.sep).startsWith(common + path.sep)) common = path.dirname(common);
  return common;
}

/** SOP Class UID of a DICOM file from its meta header or dataset (first 64 KiB), or null. */
export function sopClassOf(file: string): string | null {
  try {
    const fd = fs.openSync(file, "r");
    try {
      const buf = Buffer.alloc(Math.min(65536, fs.fstatSync(fd).size));
      fs.readSync(fd, buf, 0, buf.length, 0);
      // (0002,0002) Media Storage SOP Class UID, or (0008,0016): find the tag bytes and read the UI value.
      for (const tag of [Buffer.from([0x02, 0x00, 0x02, 0x00]), Buffer.from([0x08, 0x00, 0x16, 0x00])]) {
        const at = buf.indexOf(tag);
        if (at < 0) continue;
        const explicit = buf.toString("latin1", at + 4, at + 6) === "UI";
        const len = explicit ? buf.readUInt16LE(at + 6) : buf.readUInt32LE(at + 4);
        const start = at + (explicit ? 8 : 8);
        if (len > 0 && len < 65 && start + len <= buf.length) return buf.toString("latin1", start, start + len).replace(/[\0 ]+$/, "");
      }
      return null;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
}
