import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { resample, type Vec3, type Volume } from "unmask";
import { InvalidArgumentError } from "unmask/core";
import { createVolume } from "unmask/volume";
import { FIXTURES } from "../helpers/paths";

function fill(shape: Vec3, spacing: Vec3, f: (x: number, y: number, z: number) => number, origin: Vec3 = [0, 0, 0]): Volume {
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  let o = 0;
  for (let k = 0; k < shape[2]; k++) for (let j = 0; j < shape[1]; j++) for (let i = 0; i < shape[0]; i++) data[o++] = f(i * spacing[0], j * spacing[1], k * spacing[2]);
  return createVolume({ shape, spacing, origin, data });
}

/** Largest |a − f(position)| over the voxels whose index is at least `margin` from every border. */
function maxError(v: Volume, f: (x: number, y: number, z: number) => number, margin = 0): number {
  let e = 0;
  const [nx, ny, nz] = v.shape;
  for (let k = margin; k < nz - margin; k++) for (let j = margin; j < ny - margin; j++) for (let i = margin; i < nx - margin; i++) {
    e = Math.max(e, Math.abs(v.data[i + nx * (j + ny * k)] - f(i * v.spacing[0], j * v.spacing[1], k * v.spacing[2])));
  }
  return e;
}

test("linear: exact for a linear field; grid keeps the physical extent at the new spacing, origin and direction kept", () => {
  const lin = (x: number, y: number, z: number) => 3 + 2 * x - 1.5 * y + 0.5 * z;
  const v = fill([20, 16, 10], [0.7, 1.1, 2.5], lin, [-5, 7, 100]);
  const r = resample(v, { spacing: 1 });
  assert.deepEqual(r.shape, [14, 17, 23]); // floor(19·0.7)+1, floor(15·1.1)+1, floor(9·2.5)+1
  assert.deepEqual(r.spacing, [1, 1, 1]);
  assert.deepEqual(r.origin, v.origin);
  assert.deepEqual(r.direction, v.direction);
  assert.ok(maxError(r, lin) < 1e-4, `linear error ${maxError(r, lin)}`);
  const n = resample(v, { spacing: [1.4, 2.2, 5], interpolation: "nearest" });
  assert.ok(maxError(n, lin) < 1e-4, "nearest on a grid that hits source voxels exactly");
  assert.throws(() => resample(v, { spacing: -1 }), InvalidArgumentError);
});

test("cubic B-spline: matches scipy.ndimage.map_coordinates(order=3, mode='mirror') to 1e-4", () => {
  const fx = JSON.parse(fs.readFileSync(path.join(FIXTURES, "skimage-marching-cubes.json"), "utf8")).scipy_cubic;
  const v = fill(fx.shape_xyz, [1, 1, 1], (i, j, k) => Math.fround(Math.sin(0.7 * i) + Math.cos(0.5 * j) * (k / 3) + 0.1 * i * j));
  v.spacing = fx.spacing_xyz;
  const r = resample(v, { spacing: 1, interpolation: "cubic" });
  assert.deepEqual(r.shape, fx.out_shape_xyz);
  let worst = 0;
  fx.values_x_fastest.forEach((want: number, q: number) => (worst = Math.max(worst, Math.abs(r.data[q] - want))));
  assert.ok(worst < 1e-4, `largest difference from scipy ${worst}`);
});

test("cubic B-spline interpolates (same grid is the identity) and beats linear on a smooth field", () => {
  const f = (x: number, y: number, z: number) => Math.sin(0.35 * x) * Math.cos(0.25 * y) + 0.02 * z * z;
  const v = fill([40, 36, 30], [1.5, 1.5, 1.5], f);
  const same = resample(v, { spacing: 1.5, interpolation: "cubic" });
  for (let q = 0; q < v.data.length; q++) assert.ok(Math.abs(same.data[q] - v.data[q]) < 1e-4);
  const lin = resample(v, { spacing: 0.7, interpolation: "linear" });
  const cub = resample(v, { spacing: 0.7, interpolation: "cubic" });
  const el = maxError(lin, f, 10), ec = maxError(cub, f, 10);
  assert.ok(ec < el / 5, `interior error: cubic ${ec}, linear ${el}`);
});
