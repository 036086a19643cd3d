import { test } from "node:test";
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { AuditReport } from "unmask/audit";
import { cli } from "../helpers/cli";
import { tempDir } from "../helpers/paths";
import { auditTree, EXPECTED, verdictOf } from "./tree";

function treeHash(dir: string): string {
  const h = crypto.createHash("sha256");
  const visit = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) visit(p);
      else h.update(p).update(fs.readFileSync(p));
    }
  };
  visit(dir);
  return h.digest("hex");
}

test("unmask audit: the right verdict for every series of the tree, every broken file listed, inputs unchanged", async () => {
  const tree = await auditTree();
  const before = treeHash(tree);
  const out = path.join(tempDir(), "report");
  const r = await cli(["audit", tree, "-o", out, "--workers", "2"]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(fs.readFileSync(path.join(out, "report.json"), "utf8")) as AuditReport;
  for (const [name, verdict] of Object.entries(EXPECTED)) {
    assert.deepEqual(verdictOf(report, name), [verdict], `${name}: ${JSON.stringify(report.items.filter((i) => i.label.includes(name)).map((i) => i.reason))}`);
  }
  assert.equal(report.items.length, Object.keys(EXPECTED).length, "no extra item");
  // RT Structure Set with a body contour: able to rebuild the face surface.
  assert.equal(report.items.find((i) => i.kind === "rt-object")?.canReconstructFace, true);
  // The burned-in name is read by OCR.
  const sc = report.items.find((i) => i.kind === "image-2d")!;
  assert.ok(sc.ocrText?.some((t) => /JOHN\s*DOE/i.test(t)), `OCR text: ${JSON.stringify(sc.ocrText)}`);
  // Broken files: each listed with its error code.
  const broken = Object.fromEntries(report.brokenFiles.map((b) => [path.basename(b.path), b.code]));
  assert.equal(broken["cut.dcm"], "TRUNCATED_DICOM");
  assert.equal(broken["noise.bin"], "NOT_DICOM");
  // Identity left in the headers, by the PS3.15 table: the shipped CT still names a patient.
  const ct = report.items.find((i) => i.label.split(path.sep)[1].startsWith("ct-cranium"))!;
  assert.ok(ct.headerRisks.some((h) => h.tag === "(0010,0010)" && h.name === "Patient's Name"));
  assert.ok(ct.thumbnails.front && fs.existsSync(path.join(out, ct.thumbnails.front)));
  // Traceability: version, model hashes, input hashes.
  assert.match(report.unmaskVersion, /^\d+\.\d+\.\d+/);
  assert.ok(Object.values(report.models).every((h) => /^[0-9a-f]{64}$/.test(h)) && Object.keys(report.models).length >= 2);
  assert.equal(Object.keys(ct.inputHashes).length, 108);
  assert.match(fs.readFileSync(path.join(out, "report.html"), "utf8"), /<table id="items">/);
  assert.equal(treeHash(tree), before, "the audited folder is not modified");

  // --fail-on-face: non-zero on this tree, zero on a folder of plane-cut copies.
  const gate = await cli(["audit", tree, "-o", path.join(tempDir(), "r"), "--workers", "1", "--fail-on-face"]);
  assert.equal(gate.code, 3, gate.stderr);
  const cutOnly = tempDir();
  for (const n of ["ct-planecut", "mri-planecut"]) fs.cpSync(path.join(tree, n), path.join(cutOnly, n), { recursive: true });
  const clean = await cli(["audit", cutOnly, "-o", path.join(tempDir(), "r"), "--workers", "0", "--fail-on-face", "--json"]);
  assert.equal(clean.code, 0, clean.stderr);
  assert.equal(JSON.parse(clean.stdout).summary.removed, 2);

  // An existing non-empty report folder is refused without --resume or --force.
  const again = await cli(["audit", tree, "-o", out]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /OUTPUT_EXISTS: .* is not empty: use --resume/);
});

test("unmask audit --resume redoes only the series whose results are missing", async () => {
  const tree = await auditTree();
  const src = tempDir();
  for (const n of ["ct-planecut", "mri-planecut", "rt"]) fs.cpSync(path.join(tree, n), path.join(src, n), { recursive: true });
  const out = path.join(tempDir(), "report");
  const first = await cli(["audit", src, "-o", out, "--workers", "0"]);
  assert.equal(first.code, 0, first.stderr);
  const items = fs.readdirSync(path.join(out, "items")).sort();
  assert.equal(items.length, 3);
  // Interrupted run: one result missing, the others kept with their modification times.
  fs.rmSync(path.join(out, "items", items[0]));
  const mtimes = items.slice(1).map((f) => fs.statSync(path.join(out, "items", f)).mtimeMs);
  const resumed = await cli(["audit", src, "-o", out, "--workers", "0", "--resume", "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const report = JSON.parse(fs.readFileSync(path.join(out, "report.json"), "utf8")) as AuditReport;
  assert.equal(report.options.skipped, 2);
  assert.equal(report.items.length, 3);
  assert.deepEqual(fs.readdirSync(path.join(out, "items")).sort(), items);
  assert.deepEqual(items.slice(1).map((f) => fs.statSync(path.join(out, "items", f)).mtimeMs), mtimes, "finished series are not redone");
});
