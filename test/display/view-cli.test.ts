import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { marchingCubes, loadSeries, writeMesh } from "unmask";
import { decodeImage } from "unmask/image";
import { CT_DIR, MRI_DIR, ROOT, tempDir } from "../helpers/paths";

const cli = (args: string[]) =>
  spawnSync(process.execPath, [path.join(ROOT, "lib", "bin", "unmask.js"), ...args], { encoding: "utf8", timeout: 120_000 });

test("unmask view writes an offline viewer page from a DICOM folder and from a mesh file", async () => {
  const dir = tempDir();
  try {
    const page = path.join(dir, "head.html");
    const r = cli(["view", CT_DIR, "-o", page, "--max-triangles", "50000", "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    assert.ok(res.sourceTriangles > 300_000 && res.triangles <= 50_000 && res.triangles > 10_000, r.stdout);
    const html = fs.readFileSync(page, "utf8");
    assert.match(html, /^<!DOCTYPE html>[\s\S]*class="unmask-viewer"[\s\S]*UnmaskViewer\.mount/);
    assert.ok(!/<script[^>]+src=/i.test(html));

    // The same from a mesh file (PLY written by the surface module).
    const { volume } = await loadSeries(CT_DIR);
    const ply = path.join(dir, "head.ply");
    writeMesh(ply, await marchingCubes(volume, { level: -300 }));
    const m = cli(["view", ply, "-o", path.join(dir, "ply.html"), "--view", "left", "--json"]);
    assert.equal(m.status, 0, m.stderr);
    assert.equal(JSON.parse(m.stdout).sourceTriangles, res.sourceTriangles);
    assert.match(fs.readFileSync(path.join(dir, "ply.html"), "utf8"), /"view":"left"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("unmask view -o .png writes labelled orthogonal slices (CT window, MR percentile window)", async () => {
  const dir = tempDir();
  try {
    const out = path.join(dir, "ct.png");
    const r = cli(["view", CT_DIR, "-o", out, "--window", "bone", "--index", "128,100,54", "--json"]);
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    assert.deepEqual(res.window, { center: 400, width: 1800 });
    assert.deepEqual(res.panels.map((p: { plane: string; index: number }) => [p.plane, p.index]), [["axial", 54], ["coronal", 100], ["sagittal", 128]]);
    const img = await decodeImage(fs.readFileSync(out));
    assert.ok(img.width > 2 * img.height);
    const mr = cli(["view", MRI_DIR, "-o", path.join(dir, "mr.png"), "--json"]);
    assert.equal(mr.status, 0, mr.stderr);
    assert.ok(JSON.parse(mr.stdout).window.width > 0);
    const bad = cli(["view", CT_DIR, "-o", path.join(dir, "x.png"), "--window", "nope"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /INVALID_ARGUMENT: --window must be one of brain, soft-tissue, bone, lung, skin or CENTER,WIDTH/);
    const noOut = cli(["view", CT_DIR]);
    assert.equal(noOut.status, 2);
    assert.match(noOut.stderr, /-o FILE\.html \(3D viewer\) or -o FILE\.png \(slices\) is required/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
