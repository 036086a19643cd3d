import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSeries, type Mesh, type Vec3 } from "unmask";
import { InvalidArgumentError } from "unmask/core";
import { computeNormals, connectedComponents, decimate, largestComponent, marchingCubesSync, meshArea, meshBounds, meshEdgeStats, meshVolume, selectComponents, taubinSmooth } from "unmask/surface";
import { CT_DIR } from "../helpers/paths";
import { ball, rel, sampleField } from "./helpers";

/** The unit cube [0,1]³ as 12 outward-wound triangles. */
function unitCube(): Mesh {
  const positions = new Float32Array([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1]);
  const triangles = new Uint32Array([
    0, 2, 1, 0, 3, 2, // z = 0, normal −z
    4, 5, 6, 4, 6, 7, // z = 1
    0, 1, 5, 0, 5, 4, // y = 0
    3, 7, 6, 3, 6, 2, // y = 1
    0, 4, 7, 0, 7, 3, // x = 0
    1, 2, 6, 1, 6, 5, // x = 1
  ]);
  return { positions, triangles };
}

function twoBalls(): Mesh {
  const big = ball([20, 24, 24], 10), small = ball([42, 24, 24], 6);
  return marchingCubesSync(sampleField([60, 48, 48], (x, y, z) => Math.max(big(x, y, z), small(x, y, z))), { level: 0 });
}

test("area, enclosed volume and bounds of the unit cube are exact; reversed winding gives negative volume", () => {
  const cube = unitCube();
  assert.equal(meshArea(cube), 6);
  assert.ok(Math.abs(meshVolume(cube) - 1) < 1e-12);
  assert.deepEqual(meshBounds(cube), { min: [0, 0, 0], max: [1, 1, 1] });
  const flipped = { ...cube, triangles: cube.triangles.map((v, i) => (i % 3 === 1 ? cube.triangles[i + 1] : i % 3 === 2 ? cube.triangles[i - 1] : v)) };
  assert.ok(Math.abs(meshVolume(flipped) + 1) < 1e-12);
  const st = meshEdgeStats(cube);
  assert.deepEqual(st, { edges: 18, boundaryEdges: 0, nonManifoldEdges: 0, degenerateTriangles: 0 });
  // Translation does not change the enclosed volume (measured about the box centre).
  const far = { ...cube, positions: cube.positions.map((x) => x + 1000) };
  assert.ok(Math.abs(meshVolume(far) - 1) < 1e-6);
});

test("computeNormals: unit length and outward on a sphere", () => {
  const c: Vec3 = [16, 16, 16];
  const m = computeNormals(marchingCubesSync(sampleField([32, 32, 32], ball(c, 10)), { level: 0 }));
  const P = m.positions, N = m.normals!;
  for (let o = 0; o < P.length; o += 3) {
    assert.ok(Math.abs(Math.hypot(N[o], N[o + 1], N[o + 2]) - 1) < 1e-5);
    const d = [P[o] - c[0], P[o + 1] - c[1], P[o + 2] - c[2]];
    assert.ok((d[0] * N[o] + d[1] * N[o + 1] + d[2] * N[o + 2]) / Math.hypot(d[0], d[1], d[2]) > 0.95);
  }
});

test("connected components: two balls are two components, largest first; largestComponent keeps the big one", () => {
  const m = twoBalls();
  const comps = connectedComponents(m);
  assert.equal(comps.count, 2);
  assert.ok(comps.triangleCounts[0] > comps.triangleCounts[1]);
  assert.equal(comps.triangleCounts[0] + comps.triangleCounts[1], m.triangles.length / 3);
  const big = largestComponent(m);
  assert.equal(big.triangles.length / 3, comps.triangleCounts[0]);
  assert.ok(rel(meshVolume(big), (4 / 3) * Math.PI * 1000) < 0.01, `big ball volume ${meshVolume(big)}`);
  assert.equal(meshEdgeStats(big).boundaryEdges, 0);
  const small = selectComponents(m, [1], comps);
  assert.ok(rel(meshVolume(small), (4 / 3) * Math.PI * 216) < 0.02);
  assert.ok(meshBounds(small).min[0] > 34, "the small ball is the right-hand one");
  assert.throws(() => selectComponents(m, [2], comps), InvalidArgumentError);
});

test("Taubin smoothing: removes noise from a sphere while keeping its volume within 2 %", () => {
  const r = 15, c: Vec3 = [24, 24, 24];
  const m = marchingCubesSync(sampleField([48, 48, 48], ball(c, r)), { level: 0 });
  // Deterministic radial noise of ±0.3 mm.
  const noisy = { ...m, positions: new Float32Array(m.positions) };
  const P = noisy.positions;
  for (let v = 0; v < P.length / 3; v++) {
    const e = 0.3 * Math.sin(v * 12.9898) ;
    const d = [P[3 * v] - c[0], P[3 * v + 1] - c[1], P[3 * v + 2] - c[2]];
    const l = Math.hypot(d[0], d[1], d[2]);
    for (let a = 0; a < 3; a++) P[3 * v + a] += (e * d[a]) / l;
  }
  const spread = (mesh: Mesh) => {
    let s = 0;
    const Q = mesh.positions;
    for (let o = 0; o < Q.length; o += 3) s += (Math.hypot(Q[o] - c[0], Q[o + 1] - c[1], Q[o + 2] - c[2]) - r) ** 2;
    return Math.sqrt(s / (Q.length / 3));
  };
  const smooth = taubinSmooth(noisy, { iterations: 10, lambda: 0.5, mu: -0.53 });
  assert.ok(spread(smooth) < 0.6 * spread(noisy), `rms radius error ${spread(noisy)} → ${spread(smooth)}`);
  assert.ok(rel(meshVolume(smooth), (4 / 3) * Math.PI * r ** 3) < 0.02, `volume ${meshVolume(smooth)}`);
  assert.deepEqual(smooth.triangles, noisy.triangles);
  assert.notEqual(smooth.positions, noisy.positions, "input untouched: a new array");
});

test("decimate the CT head surface: within the triangle budget, every vertex within a cell diagonal of the original surface", async () => {
  const { volume } = await loadSeries(CT_DIR);
  const m = marchingCubesSync(volume, { level: -300, normals: true });
  const area = meshArea(m);
  // Index the original vertices on a grid to find nearest distances quickly.
  const cell = 2;
  const grid = new Map<string, number[]>();
  const P = m.positions;
  for (let v = 0; v < P.length / 3; v++) {
    const key = `${Math.floor(P[3 * v] / cell)},${Math.floor(P[3 * v + 1] / cell)},${Math.floor(P[3 * v + 2] / cell)}`;
    let list = grid.get(key);
    if (!list) grid.set(key, (list = []));
    list.push(v);
  }
  const nearest = (x: number, y: number, z: number, reach: number) => {
    let best = Infinity;
    const r = Math.ceil(reach / cell);
    const gx = Math.floor(x / cell), gy = Math.floor(y / cell), gz = Math.floor(z / cell);
    for (let a = -r; a <= r; a++) for (let b = -r; b <= r; b++) for (let c = -r; c <= r; c++) {
      for (const v of grid.get(`${gx + a},${gy + b},${gz + c}`) ?? []) {
        best = Math.min(best, Math.hypot(P[3 * v] - x, P[3 * v + 1] - y, P[3 * v + 2] - z));
      }
    }
    return best;
  };
  for (const target of [100_000, 20_000]) {
    const d = decimate(m, { targetTriangles: target });
    const nt = d.triangles.length / 3;
    assert.ok(nt <= target && nt > 0.5 * target, `${nt} triangles for a budget of ${target}`);
    assert.ok(d.cellSize > 0);
    assert.equal(d.normals!.length, d.positions.length);
    assert.equal(meshEdgeStats(d).degenerateTriangles, 0);
    const bound = d.cellSize * Math.sqrt(3);
    const Q = d.positions;
    for (let v = 0; v < Q.length / 3; v += 7) {
      const dist = nearest(Q[3 * v], Q[3 * v + 1], Q[3 * v + 2], bound);
      assert.ok(dist <= bound + 1e-3, `vertex ${v} is ${dist} mm from the surface (bound ${bound})`);
    }
    assert.ok(rel(meshArea(d), area) < 0.1, `area ${meshArea(d)} vs ${area}`);
  }
  // Already within budget: unchanged.
  assert.equal(decimate(m, { targetTriangles: 1e7 }).triangles, m.triangles);
  assert.throws(() => decimate(m, { targetTriangles: 0 }), InvalidArgumentError);
});
