import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadSeries, marchingCubes, resample, type Mesh, type Vec3 } from "unmask";
import { InvalidArgumentError } from "unmask/core";
import { createVolume, type Direction } from "unmask/volume";
import { marchingCubesSync, meshArea, meshBounds, meshEdgeStats, meshVolume, shareVolume, warmUpSurfaceWorkers } from "unmask/surface";
import { CT_DIR, FIXTURES } from "../helpers/paths";
import { ball, centroid, ellipsoid, ellipsoidArea, minOf, rel, sampleField, triangleAreas } from "./helpers";

const skimage = JSON.parse(fs.readFileSync(path.join(FIXTURES, "skimage-marching-cubes.json"), "utf8"));

/** A closed, consistently oriented, non-degenerate surface. */
function assertClosed(mesh: Mesh, what: string) {
  const s = meshEdgeStats(mesh);
  assert.equal(s.boundaryEdges, 0, `${what}: ${s.boundaryEdges} boundary edges`);
  assert.equal(s.nonManifoldEdges, 0, `${what}: ${s.nonManifoldEdges} edges in 3+ triangles`);
  assert.equal(s.degenerateTriangles, 0, `${what}: repeated corner`);
  assert.ok(minOf(triangleAreas(mesh)) > 0, `${what}: zero-area triangle`);
  // Euler characteristic of a sphere: V − E + F = 2.
  assert.equal(mesh.positions.length / 3 - s.edges + mesh.triangles.length / 3, 2, `${what}: not a topological sphere`);
}

test("sphere of radius 20 mm: area and enclosed volume within 1 % of 4πr² and 4/3πr³; closed; outward", () => {
  const r = 20, c: Vec3 = [31.7, 32.2, 31.9];
  const mesh = marchingCubesSync(sampleField([64, 64, 64], ball(c, r)), { level: 0, normals: true });
  assertClosed(mesh, "sphere");
  assert.ok(rel(meshArea(mesh), 4 * Math.PI * r * r) < 0.01, `area ${meshArea(mesh)}`);
  assert.ok(rel(meshVolume(mesh), (4 / 3) * Math.PI * r ** 3) < 0.01, `volume ${meshVolume(mesh)}`);
  // Every vertex on the sphere (linear interpolation of an exact distance field) and its normal outward.
  const P = mesh.positions, N = mesh.normals!;
  for (let o = 0; o < P.length; o += 3) {
    const d = [P[o] - c[0], P[o + 1] - c[1], P[o + 2] - c[2]];
    const len = Math.hypot(d[0], d[1], d[2]);
    assert.ok(Math.abs(len - r) < 0.05, `vertex at radius ${len}`);
    assert.ok((d[0] * N[o] + d[1] * N[o + 1] + d[2] * N[o + 2]) / len > 0.99, "normal not outward");
  }
});

test("ellipsoid 24×16×11 mm on an anisotropic grid: area (numerical integral) and volume (4/3πabc) within 1 %", () => {
  const axes: Vec3 = [24, 16, 11], m: Vec3 = [30.3, 20.6, 18.2];
  const vol = sampleField([80, 50, 28], ellipsoid(m, axes), { spacing: [0.75, 0.85, 1.4] });
  const mesh = marchingCubesSync(vol, { level: 0 });
  assertClosed(mesh, "ellipsoid");
  const area = ellipsoidArea(...axes);
  assert.ok(rel(meshArea(mesh), area) < 0.01, `area ${meshArea(mesh)} vs ${area}`);
  assert.ok(rel(meshVolume(mesh), (4 / 3) * Math.PI * axes[0] * axes[1] * axes[2]) < 0.01, `volume ${meshVolume(mesh)}`);
});

test("spacing, origin and direction are honoured: a shifted, anisotropic, mirrored grid gives the same surface in mm", () => {
  const c: Vec3 = [-12.5, 40.25, 101.1], r = 15;
  const a = marchingCubesSync(sampleField([48, 48, 48], ball(c, r), { origin: [c[0] - 24, c[1] - 24, c[2] - 24] }), { level: 0 });
  // j runs along z and k along y: a mirroring direction (determinant −1), whose winding must be flipped.
  const dir: Direction = [1, 0, 0, 0, 0, 1, 0, 1, 0];
  const b = marchingCubesSync(sampleField([60, 40, 30], ball(c, r), { spacing: [0.6, 0.9, 1.25], origin: [c[0] - 17.7, c[1] - 18.1, c[2] - 17.5], direction: dir }), { level: 0 });
  // And a rotation (determinant +1) with i running towards −x.
  const rot: Direction = [-1, 0, 0, 0, 0, 1, 0, 1, 0];
  const e = marchingCubesSync(sampleField([60, 40, 30], ball(c, r), { spacing: [0.6, 0.9, 1.25], origin: [c[0] + 17.7, c[1] - 18.1, c[2] - 17.5], direction: rot }), { level: 0 });
  for (const [mesh, what] of [[a, "unit grid"], [b, "mirrored anisotropic grid"], [e, "rotated anisotropic grid"]] as const) {
    assertClosed(mesh, what);
    assert.ok(meshVolume(mesh) > 0, `${what}: inward winding`);
    const ctr = centroid(mesh);
    for (let d = 0; d < 3; d++) assert.ok(Math.abs(ctr[d] - c[d]) < 0.1, `${what}: centroid ${ctr} vs ${c}`);
    const { min, max } = meshBounds(mesh);
    for (let d = 0; d < 3; d++) {
      assert.ok(Math.abs(min[d] - (c[d] - r)) < 0.3 && Math.abs(max[d] - (c[d] + r)) < 0.3, `${what}: bounds ${min} ${max}`);
    }
    assert.ok(rel(meshArea(mesh), 4 * Math.PI * r * r) < 0.01, `${what}: area`);
  }
  assert.ok(rel(meshVolume(a), meshVolume(b)) < 0.01);
});

test("step and roi: step 2 keeps the sphere at a quarter of the triangles; roi keeps only its box", () => {
  const c: Vec3 = [32, 32, 32];
  const vol = sampleField([64, 64, 64], ball(c, 20));
  const full = marchingCubesSync(vol, { level: 0 });
  const coarse = marchingCubesSync(vol, { level: 0, step: 2 });
  assertClosed(coarse, "step 2");
  const ratio = coarse.triangles.length / full.triangles.length;
  assert.ok(ratio > 0.2 && ratio < 0.3, `step 2 triangle ratio ${ratio}`);
  assert.ok(rel(meshArea(coarse), 4 * Math.PI * 400) < 0.02);
  const half = marchingCubesSync(vol, { level: 0, roi: { min: [0, 0, 0], max: [63, 63, 32] } });
  const { max } = meshBounds(half);
  assert.ok(max[2] <= 32 + 1e-4, `roi exceeded: ${max}`);
  assert.ok(meshEdgeStats(half).boundaryEdges > 0, "a cut sphere is open");
  assert.ok(rel(meshArea(half), 2 * Math.PI * 400) < 0.02, `half area ${meshArea(half)}`);
  assert.throws(() => marchingCubesSync(vol, { level: Number.NaN }), InvalidArgumentError);
  assert.throws(() => marchingCubesSync(vol, { level: 0, step: 0 }), InvalidArgumentError);
});

test("two touching-diagonal blobs (ambiguous faces) stay watertight; triangle counts within 1 % of scikit-image", () => {
  // The same formula as scripts/fixtures/make-skimage-fixture.py, evaluated in float64 then stored as float32.
  const n = 48;
  const blobs: Array<[number, number, number, number, number]> = [[18.3, 20.1, 22.7, 7.0, 1.0], [29.6, 27.2, 24.4, 6.0, 0.9], [24.0, 16.0, 31.0, 4.5, 0.8]];
  const vol = sampleField([n, n, n], (x, y, z) => blobs.reduce((s, [cx, cy, cz, sd, a]) => s + a * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2) / (2 * sd * sd)), 0));
  for (const [level, count] of Object.entries(skimage.blobs.levels) as [string, number][]) {
    const mesh = marchingCubesSync(vol, { level: Number(level) });
    const s = meshEdgeStats(mesh);
    assert.equal(s.boundaryEdges + s.nonManifoldEdges + s.degenerateTriangles, 0, `level ${level}: ${JSON.stringify(s)}`);
    assert.ok(meshVolume(mesh) > 0);
    const nt = mesh.triangles.length / 3;
    assert.ok(rel(nt, count) < 0.01, `level ${level}: ${nt} triangles vs skimage ${count}`);
  }
});

test("shipped CT: triangle counts within 1 % of scikit-image at six levels; no degenerate triangles; parallel = sync", async () => {
  const { volume } = await loadSeries(CT_DIR);
  assert.deepEqual(volume.shape, skimage.ct_native.shape_xyz);
  await warmUpSurfaceWorkers(2);
  for (const [level, count] of Object.entries(skimage.ct_native.counts) as [string, number][]) {
    const mesh = marchingCubesSync(volume, { level: Number(level) });
    const nt = mesh.triangles.length / 3;
    assert.ok(rel(nt, count) < 0.01, `level ${level}: ${nt} triangles vs skimage ${count}`);
    const s = meshEdgeStats(mesh);
    assert.equal(s.nonManifoldEdges, 0, `level ${level}: non-manifold edges`);
    assert.equal(s.degenerateTriangles, 0);
    if (level === "-300") {
      assert.ok(minOf(triangleAreas(mesh)) > 0, "zero-area triangle on integer-valued data");
      // Parallel (slab copies, and the volume in a SharedArrayBuffer) = sync, normals included.
      const withNormals = marchingCubesSync(volume, { level: -300, normals: true });
      for (const vol of [volume, shareVolume(volume)]) {
        const par = await marchingCubes(vol, { level: -300, workers: 2, normals: true });
        assert.deepEqual(par.triangles, mesh.triangles);
        assert.deepEqual(par.positions, mesh.positions);
        assert.deepEqual(par.normals, withNormals.normals);
      }
      // The head surface is a few hundred mm² per cm of height: sanity of units (2000–2300 cm² with holder and ears).
      assert.ok(meshArea(mesh) / 100 > 1500 && meshArea(mesh) / 100 < 3000, `area ${meshArea(mesh) / 100} cm²`);
    }
  }
});

test("shipped CT at 1 mm (cubic B-spline): -300 HU count within 1 % of scikit-image on scipy's spline of the same grid", async () => {
  const { volume } = await loadSeries(CT_DIR);
  const iso = resample(volume, { spacing: 1, interpolation: "cubic" });
  assert.deepEqual(iso.shape, skimage.ct_1mm_cubic.shape_xyz);
  const mesh = await marchingCubes(iso, { level: -300 });
  const nt = mesh.triangles.length / 3;
  assert.ok(rel(nt, skimage.ct_1mm_cubic.counts["-300"]) < 0.01, `${nt} vs ${skimage.ct_1mm_cubic.counts["-300"]}`);
  // And within 1 % of the seed's own zoom (one slice more: round(shape × spacing)).
  assert.ok(rel(nt, skimage.ct_seed_zoom.counts["-300"]) < 0.01);
});

test("voxel classification: WebAssembly SIMD and plain JS give the same mesh bit for bit (partial words, NaN, values at the level)", () => {
  // Rows of 70 voxels: two full 32-voxel words and a partial one; three slices make two cube layers.
  const nx = 70, ny = 9, nz = 3;
  for (const level of [-300, 0.1, 1e-40, -0.1, 0]) {
    const data = new Float32Array(nx * ny * nz);
    let seed = 12345;
    for (let q = 0; q < data.length; q++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const r = seed / 2 ** 32;
      data[q] = r < 0.05 ? Number.NaN : r < 0.3 ? Math.fround(level) : r < 0.4 ? level : (r - 0.7) * 2000;
    }
    const volume = createVolume({ shape: [nx, ny, nz], data });
    const simd = marchingCubesSync(volume, { level });
    const js = marchingCubesSync(volume, { level, simd: false });
    assert.ok(simd.triangles.length > 0, `level ${level}: a surface`);
    assert.deepEqual(simd.triangles, js.triangles, `level ${level}`);
    assert.ok(Buffer.from(simd.positions.buffer).equals(Buffer.from(js.positions.buffer)), `level ${level}: positions`);
  }
});

test("ambiguous face: the asymptotic decider joins diagonal inside corners only when the saddle is inside", async () => {
  const { connectedComponents } = await import("unmask/surface");
  // Two cubes along x share the face x = 1, whose corners (y, z) = (0,0) and (1,1) are inside.
  const shared = (strong: number, weak: number) => {
    const data = new Float32Array(3 * 2 * 2).fill(-10);
    const at = (i: number, j: number, k: number) => i + 3 * (j + 2 * k);
    data[at(1, 0, 0)] = strong; data[at(1, 1, 1)] = strong;
    data[at(1, 1, 0)] = weak; data[at(1, 0, 1)] = weak;
    return marchingCubesSync(createVolume({ shape: [3, 2, 2], data }), { level: 0 });
  };
  // Saddle (10·10 − 1·1) / … > 0: one band through the face; (1·1 − 10·10) < 0: two separate caps.
  const joined = shared(10, -1), apart = shared(1, -10);
  assert.equal(connectedComponents(joined).count, 1);
  assert.equal(connectedComponents(apart).count, 2);
  for (const m of [joined, apart]) {
    const s = meshEdgeStats(m);
    assert.equal(s.nonManifoldEdges + s.degenerateTriangles, 0);
  }
});
