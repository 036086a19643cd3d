import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadSeries } from "unmask/dicom";
import { writeNifti } from "unmask/nifti";
import { CT_DIR, MRI_DIR, ROOT, tempDir } from "../helpers/paths";

/** Folder names of the audit tree and the verdict each must get (fixed by how it was made, not by unmask). */
export const EXPECTED: Record<string, string> = {
  "ct-cranium": "face",
  "mri-t1-head": "face",
  "mri.nii.gz": "face",
  "ct-planecut": "removed",
  "mri-planecut": "removed",
  "ct-back": "removed",
  "mri-back": "removed",
  "rt": "listed",
  "screens": "review",
};

let cached: string | undefined;

/**
 * The audit test tree, made once per process: the shipped samples, plane-cut and back-half copies and
 * an RT Structure Set and a secondary capture written by pydicom (test/audit/make-audit-tree.py), a
 * NIfTI copy of the MRI, broken files. Returned path is removed by the process's exit handler.
 */
export async function auditTree(): Promise<string> {
  if (cached) return cached;
  const dir = tempDir("unmask-audit-tree-");
  fs.cpSync(CT_DIR, path.join(dir, "ct-cranium"), { recursive: true });
  fs.cpSync(MRI_DIR, path.join(dir, "mri-t1-head"), { recursive: true });
  execFileSync("/usr/bin/python3", [path.join(ROOT, "test", "audit", "make-audit-tree.py"), CT_DIR, MRI_DIR, dir], { stdio: "pipe" });
  writeNifti(path.join(dir, "mri.nii.gz"), (await loadSeries(MRI_DIR)).volume);
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  cached = dir;
  return dir;
}

/** The verdict of the item whose label starts with `name` (after the tree's own folder name). */
export function verdictOf(report: { items: { label: string; verdict: string }[] }, name: string): string[] {
  return report.items.filter((i) => (i.label.split(path.sep)[1] ?? "").split(" ")[0] === name).map((i) => i.verdict);
}
