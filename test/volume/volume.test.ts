import { test } from "node:test";
import * as assert from "node:assert/strict";
import { resample, type Vec3 } from "unmask";
import { IDENTITY_DIRECTION, createVolume, voxelToPatient, patientToVoxel, asNdarray, histogram, extractSlice, axisCodes, valueAt, type Direction } from "unmask/volume";

const oblique: Direction = (() => {
  // A rotation of 20° about z then 10° about x: orthonormal, non-trivial.
  const a = (20 * Math.PI) / 180, b = (10 * Math.PI) / 180;
  const i = [Math.cos(a), Math.sin(a), 0];
  const j = [-Math.sin(a) * Math.cos(b), Math.cos(a) * Math.cos(b), Math.sin(b)];
  const k = [i[1] * j[2] - i[2] * j[1], i[2] * j[0] - i[0] * j[2], i[0] * j[1] - i[1] * j[0]];
  return [...i, ...j, ...k] as Direction;
})();

test("voxel ↔ patient mapping round-trips on an oblique, anisotropic grid", () => {
  const v = createVolume({ shape: [5, 6, 7], spacing: [0.5, 0.8, 2], origin: [-10, 20, 33], direction: oblique });
  for (const ijk of [[0, 0, 0], [4, 5, 6], [1.5, 2.25, 3.75]] as Vec3[]) {
    const back = patientToVoxel(v, voxelToPatient(v, ijk));
    for (let a = 0; a < 3; a++) assert.ok(Math.abs(back[a] - ijk[a]) < 1e-9);
  }
  // One step along k moves spacing[2] mm along the third direction column.
  const p0 = voxelToPatient(v, [0, 0, 0]), p1 = voxelToPatient(v, [0, 0, 1]);
  assert.ok(Math.abs(Math.hypot(p1[0] - p0[0], p1[1] - p0[1], p1[2] - p0[2]) - 2) < 1e-9);
  assert.deepEqual(axisCodes(oblique), ["L", "P", "S"]);
  assert.deepEqual(axisCodes([-1, 0, 0, 0, 0, -1, 0, 1, 0]), ["R", "I", "P"]);
});

test("asNdarray is a view: same storage, x fastest", () => {
  const v = createVolume({ shape: [3, 4, 5] });
  const nd = asNdarray(v);
  nd.set(2, 3, 4, 42);
  assert.equal(v.data[2 + 3 * 3 + 4 * 12], 42);
  assert.equal(valueAt(v, 2, 3, 4), 42);
  assert.equal(nd.data, v.data);
});

test("trilinear resample keeps a linear ramp exact and the physical extent", () => {
  const v = createVolume({ shape: [11, 9, 6], spacing: [0.5, 0.75, 2], origin: [1, 2, 3] });
  for (let k = 0; k < 6; k++) for (let j = 0; j < 9; j++) for (let i = 0; i < 11; i++) {
    const [x, y, z] = voxelToPatient(v, [i, j, k]);
    v.data[i + 11 * (j + 9 * k)] = 3 * x - 2 * y + 0.5 * z;
  }
  const r = resample(v, { spacing: 1 });
  assert.deepEqual(r.shape, [6, 7, 11]); // extents 5, 6, 10 mm
  assert.deepEqual(r.spacing, [1, 1, 1]);
  assert.deepEqual(r.origin, v.origin);
  for (let n = 0; n < r.data.length; n += 7) {
    const i = n % 6, j = Math.floor(n / 6) % 7, k = Math.floor(n / 42);
    const [x, y, z] = voxelToPatient(r, [i, j, k]);
    assert.ok(Math.abs(r.data[n] - (3 * x - 2 * y + 0.5 * z)) < 1e-3);
  }
});

test("histogram counts every voxel in range; extractSlice picks the right plane", () => {
  const v = createVolume({ shape: [4, 3, 2] });
  v.data.forEach((_, n) => (v.data[n] = n));
  const h = histogram(v, { bins: 4, range: [0, 24] });
  assert.deepEqual(Array.from(h.counts), [6, 6, 6, 6]);
  const s = extractSlice(v, 1, 2); // j = 2: u = i, v = k
  assert.equal(s.width, 4);
  assert.equal(s.height, 2);
  assert.equal(s.data[1 + 4 * 1], 1 + 4 * 2 + 12 * 1);
});

test("createVolume hands out fresh geometry: changing one volume's direction leaves a new volume's identity intact", () => {
  const a = createVolume({ shape: [2, 2, 2] });
  a.direction[0] = -1;
  a.spacing[0] = 9;
  a.origin[2] = 5;
  const b = createVolume({ shape: [2, 2, 2] });
  assert.deepEqual(b.direction, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  assert.deepEqual(b.spacing, [1, 1, 1]);
  assert.deepEqual(b.origin, [0, 0, 0]);
  assert.deepEqual(IDENTITY_DIRECTION, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  // The caller's arrays are copied too: the volume does not alias them.
  const direction: Direction = [0, 1, 0, 1, 0, 0, 0, 0, 1];
  const c = createVolume({ shape: [2, 2, 2], direction });
  direction[0] = 7;
  assert.equal(c.direction[0], 0);
  // The exported constants are frozen: a write throws (strict mode) instead of changing every later volume.
  assert.throws(() => { (IDENTITY_DIRECTION as unknown as number[])[0] = 2; }, TypeError);
});
