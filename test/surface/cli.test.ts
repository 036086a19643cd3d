import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { meshArea, readMesh } from "unmask/surface";
import { CT_DIR, FIXTURES, tempDir } from "../helpers/paths";
import { cli } from "../helpers/cli";

const skimage = JSON.parse(fs.readFileSync(path.join(FIXTURES, "skimage-marching-cubes.json"), "utf8"));

test("unmask surface --json writes a PLY whose triangles and area match the printed figures (skimage count ±1 %)", async () => {
  const dir = tempDir();
  const out = path.join(dir, "head.ply");
  const r = await cli(["surface", CT_DIR, "-o", out, "--level", "-300", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const mesh = readMesh(out);
  assert.equal(j.triangles, mesh.triangles.length / 3);
  assert.ok(Math.abs(j.triangles - skimage.ct_native.counts["-300"]) / skimage.ct_native.counts["-300"] < 0.01);
  assert.ok(Math.abs(j.areaCm2 - meshArea(mesh) / 100) < 0.01);
  assert.ok(j.timeMs.marchingCubes > 0);
  fs.rmSync(dir, { recursive: true });
});

test("unmask surface text output: STL at 2 mm and level 400 (bone) with --largest; bad extension fails before loading", async () => {
  const dir = tempDir();
  const out = path.join(dir, "bone.stl");
  const r = await cli(["surface", CT_DIR, "-o", out, "--level", "400", "--spacing", "2", "--largest"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /bone\.stl: [\d,]+ triangles, [\d,]+ vertices, area [\d.]+ cm² at 400 on \d+×\d+×\d+ voxels of 2×2×2 mm/);
  assert.match(r.stdout, /time: marching cubes \d+ ms/);
  const n = Number(/: ([\d,]+) triangles/.exec(r.stdout)![1].replace(/,/g, ""));
  assert.equal(fs.statSync(out).size, 84 + 50 * n);
  const bad = await cli(["surface", CT_DIR, "-o", path.join(dir, "x.vtk")]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /unknown mesh format/);
  const missing = await cli(["surface", CT_DIR]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /-o FILE/);
  fs.rmSync(dir, { recursive: true });
});
