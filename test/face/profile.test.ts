import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { loadSeries } from "unmask/dicom";
import { resample, createVolume, voxelToPatient, type Volume, type Vec3, type Direction } from "unmask/volume";
import { faceProfile, skinLevel, otsu, type FaceProfile } from "unmask/face";
import { marchingCubes } from "unmask/surface";
import { CT_DIR, FIXTURES, MRI_DIR, tempDir } from "../helpers/paths";

// The geometric face detector (no 2D model) against nose tips annotated by hand on the slices
// (test/fixtures/nose-tips.json says how), on resampled copies, reoriented copies, and on
// negatives built here: the face cut away by a plane ≥ 30 mm behind the annotated tip, the back
// half of each head, and phantoms.
const TIPS = JSON.parse(fs.readFileSync(path.join(FIXTURES, "nose-tips.json"), "utf8")) as Record<string, { patient: Vec3 }>;
const scans: Record<string, { volume: Volume; tip: Vec3 }> = {};

before(async () => {
  scans.ct = { volume: (await loadSeries(CT_DIR)).volume, tip: TIPS["ct-cranium"].patient };
  scans.mri = { volume: (await loadSeries(MRI_DIR)).volume, tip: TIPS["mri-t1-head"].patient };
});

const dist = (a: Vec3, b: Vec3) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const ANTERIOR: Vec3 = [0, -1, 0]; // LPS

/** A copy with every voxel in front of the plane (point + anterior normal) set to the scan's air value. */
function cutInFront(vol: Volume, point: Vec3, normal: Vec3): Volume {
  const out = { ...vol, data: new Float32Array(vol.data) };
  let air = Infinity;
  for (const v of vol.data) if (v < air) air = v;
  const [nx, ny, nz] = vol.shape;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const p = voxelToPatient(vol, [i, j, k]);
    if ((p[0] - point[0]) * normal[0] + (p[1] - point[1]) * normal[1] + (p[2] - point[2]) * normal[2] > 0) out.data[i + nx * (j + ny * k)] = air;
  }
  return out;
}

/** The same voxels stored with axes permuted and flipped (direction cosines and origin updated): the same patient geometry. */
function reorient(vol: Volume, perm: [number, number, number], flip: [boolean, boolean, boolean]): Volume {
  const shape = perm.map((a) => vol.shape[a]) as Vec3;
  const spacing = perm.map((a) => vol.spacing[a]) as Vec3;
  const d = vol.direction;
  const direction = perm.flatMap((a, n) => [d[3 * a], d[3 * a + 1], d[3 * a + 2]].map((c) => (flip[n] ? -c : c))) as unknown as Direction;
  const [mx, my, mz] = shape;
  const data = new Float32Array(vol.data.length);
  const src = [0, 0, 0];
  for (let k = 0; k < mz; k++) for (let j = 0; j < my; j++) for (let i = 0; i < mx; i++) {
    const idx = [i, j, k];
    for (let n = 0; n < 3; n++) src[perm[n]] = flip[n] ? shape[n] - 1 - idx[n] : idx[n];
    data[i + mx * (j + my * k)] = vol.data[src[0] + vol.shape[0] * (src[1] + vol.shape[1] * src[2])];
  }
  const corner = [0, 0, 0];
  for (let n = 0; n < 3; n++) corner[perm[n]] = flip[n] ? shape[n] - 1 : 0;
  return { ...vol, data, shape, spacing, direction, origin: voxelToPatient(vol, corner as Vec3) };
}

/** The voxels whose centres lie inside patient limits [lo, hi] (a smaller field of view; identity-like directions). */
function cropTo(vol: Volume, lo: Vec3, hi: Vec3): Volume {
  const [nx, ny, nz] = vol.shape;
  const r = [[Infinity, -1], [Infinity, -1], [Infinity, -1]];
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const p = voxelToPatient(vol, [i, j, k]);
    if (p.every((x, a) => x >= lo[a] && x <= hi[a])) [i, j, k].forEach((q, a) => { r[a][0] = Math.min(r[a][0], q); r[a][1] = Math.max(r[a][1], q); });
  }
  const shape = r.map(([a, b]) => b - a + 1) as Vec3;
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let k = 0; k < shape[2]; k++) for (let j = 0; j < shape[1]; j++) for (let i = 0; i < shape[0]; i++) {
    data[i + shape[0] * (j + shape[1] * k)] = vol.data[i + r[0][0] + nx * (j + r[1][0] + ny * (k + r[2][0]))];
  }
  return { ...vol, data, shape, origin: voxelToPatient(vol, [r[0][0], r[1][0], r[2][0]]) };
}

function explain(r: FaceProfile): string {
  return `found=${r.found} score=${r.score.toFixed(2)}\n  ${r.evidence.join("\n  ")}`;
}

for (const name of ["ct", "mri"] as const) {
  test(`${name}: the located nose tip lies within 5 mm of the hand-annotated one, at the native voxel size and resampled to 2, 3 and 4 mm`, (t) => {
    const { volume, tip } = scans[name];
    for (const spacing of [undefined, 2, 3, 4]) {
      const v = spacing ? resample(volume, { spacing }) : volume;
      const r = faceProfile(v);
      assert.ok(r.found, `${name} ${spacing ?? "native"}: ${explain(r)}`);
      assert.ok(r.score >= 0.5 && r.score <= 1);
      const e = dist(r.landmarks!.noseTip, tip);
      assert.ok(e <= 5, `${name} ${spacing ?? "native"}: nose tip ${e.toFixed(1)} mm from the annotation\n${explain(r)}`);
      t.diagnostic(`${name} ${spacing ? spacing + " mm" : "native"}: nose tip ${e.toFixed(1)} mm from the annotation, score ${r.score.toFixed(2)}, landmarks ${Object.keys(r.landmarks!).join(", ")}`);
      // The face box holds the tip; the mid-sagittal plane passes within 5 mm of the annotated tip.
      const b = r.box3d!;
      for (let a = 0; a < 3; a++) assert.ok(tip[a] >= b.min[a] - 5 && tip[a] <= b.max[a] + 5, `box axis ${a}`);
      const m = r.midSagittal!;
      const off = (tip[0] - m.point[0]) * m.normal[0] + (tip[1] - m.point[1]) * m.normal[1] + (tip[2] - m.point[2]) * m.normal[2];
      assert.ok(Math.abs(off) < 5, `${name}: annotated tip ${off.toFixed(1)} mm off the mid-sagittal plane`);
      assert.ok(r.frame!.anterior[1] < -0.9, "anterior ≈ patient −y");
    }
  });
}

test("smaller fields of view (ending 8 mm below the tip, 45 mm above it, or the face alone): the tip is still found within 5 mm", () => {
  const I = 1e9;
  for (const name of ["ct", "mri"] as const) {
    const { volume, tip: t } = scans[name];
    const v2 = resample(volume, { spacing: 2 });
    const crops: Record<string, [Vec3, Vec3]> = {
      "cut below the nose": [[-I, -I, t[2] - 8], [I, I, I]],
      "forehead cut": [[-I, -I, -I], [I, I, t[2] + 45]],
      "face only": [[t[0] - 75, -I, t[2] - 60], [t[0] + 75, t[1] + 90, t[2] + 60]],
    };
    for (const [what, [lo, hi]] of Object.entries(crops)) {
      const r = faceProfile(cropTo(v2, lo, hi));
      assert.ok(r.found, `${name} ${what}: ${explain(r)}`);
      const e = dist(r.landmarks!.noseTip, t);
      assert.ok(e <= 5, `${name} ${what}: tip ${e.toFixed(1)} mm from the annotation`);
    }
  }
});

test("landmarks lie where a face has them: sellion above and behind the tip, eyes either side of the plane and behind the tip", () => {
  for (const name of ["ct", "mri"] as const) {
    const r = faceProfile(scans[name].volume);
    const lm = r.landmarks!;
    const A = r.frame!.anterior, S = r.frame!.superior, L = r.frame!.left;
    const rel = (p: Vec3, axis: Vec3) => (p[0] - lm.noseTip[0]) * axis[0] + (p[1] - lm.noseTip[1]) * axis[1] + (p[2] - lm.noseTip[2]) * axis[2];
    assert.ok(lm.sellion, `${name}: sellion\n${explain(r)}`);
    assert.ok(rel(lm.sellion!, S) > 15 && rel(lm.sellion!, A) < -8, `${name}: sellion above and behind the tip`);
    assert.ok(lm.eyes, `${name}: eyes`);
    const [right, left] = lm.eyes!;
    assert.ok(rel(right, L) < -20 && rel(left, L) > 20, `${name}: eyes on either side`);
    assert.ok(rel(right, A) < -10 && rel(left, A) < -10, `${name}: eyes behind the tip`);
    if (lm.lips) assert.ok(rel(lm.lips, S) < -10 && rel(lm.lips, A) < 0, `${name}: lips below and behind the tip`);
    if (lm.chin) assert.ok(lm.lips && rel(lm.chin, S) < rel(lm.lips, S), `${name}: chin below the lips`);
  }
});

test("the same CT stored with permuted and flipped voxel axes gives the same nose tip (direction cosines, not voxel order)", () => {
  const { volume, tip } = scans.ct;
  const base = faceProfile(resample(volume, { spacing: 2 })).landmarks!.noseTip;
  for (const [perm, flip] of [[[2, 0, 1], [false, true, false]], [[1, 0, 2], [true, false, true]]] as [[number, number, number], [boolean, boolean, boolean]][]) {
    const r = faceProfile(reorient(resample(volume, { spacing: 2 }), perm, flip));
    assert.ok(r.found, explain(r));
    assert.ok(dist(r.landmarks!.noseTip, base) < 1.5, `perm ${perm} flip ${flip}: ${dist(r.landmarks!.noseTip, base).toFixed(2)} mm from the original's`);
    assert.ok(dist(r.landmarks!.noseTip, tip) <= 5);
  }
});

/** The same voxels with the patient geometry rotated by R about `centre` (direction cosines and origin turned): a tilted head. */
function rotateGeometry(vol: Volume, R: number[][], centre: Vec3): Volume {
  const mul = (v: number[]): Vec3 => [0, 1, 2].map((r) => R[r][0] * v[0] + R[r][1] * v[1] + R[r][2] * v[2]) as Vec3;
  const d = vol.direction;
  const direction = [0, 1, 2].flatMap((a) => mul([d[3 * a], d[3 * a + 1], d[3 * a + 2]])) as unknown as Direction;
  const o = mul(vol.origin.map((x, a) => x - centre[a]));
  return { ...vol, direction, origin: o.map((x, a) => x + centre[a]) as Vec3 };
}

test("a tilted head (geometry turned 20° in yaw, 15° in roll, ±15° in pitch): the plane follows, the tip follows the annotation", () => {
  const rot = (axis: "x" | "y" | "z", deg: number): number[][] => {
    const c = Math.cos((deg * Math.PI) / 180), s = Math.sin((deg * Math.PI) / 180);
    return axis === "z" ? [[c, -s, 0], [s, c, 0], [0, 0, 1]] : axis === "x" ? [[1, 0, 0], [0, c, -s], [0, s, c]] : [[c, 0, s], [0, 1, 0], [-s, 0, c]];
  };
  for (const name of ["ct", "mri"] as const) {
    const { volume, tip } = scans[name];
    const v2 = resample(volume, { spacing: 2 });
    const centre: Vec3 = [0, 1, 2].map((a) => v2.origin[a] + 0.5 * (v2.shape[a] - 1) * v2.spacing[a]) as Vec3;
    // Yaw and roll keep the nose the most anterior point; pitch moves which skin point is most anterior, hence the looser bound.
    for (const [axis, deg, tol] of [["z", 20, 5], ["y", -15, 5], ["x", 15, name === "ct" ? 5 : 8], ["x", -15, 5]] as const) {
      const R = rot(axis, deg);
      const r = faceProfile(rotateGeometry(v2, R, centre));
      assert.ok(r.found, `${name} ${axis} ${deg}°: ${explain(r)}`);
      const want = [0, 1, 2].map((q) => R[q][0] * (tip[0] - centre[0]) + R[q][1] * (tip[1] - centre[1]) + R[q][2] * (tip[2] - centre[2]) + centre[q]) as Vec3;
      const e = dist(r.landmarks!.noseTip, want);
      assert.ok(e <= tol, `${name} ${axis} ${deg}°: tip ${e.toFixed(1)} mm from the turned annotation`);
      if (axis !== "x") {
        // The plane's normal is the turned patient x axis.
        const nx = R.map((row) => row[0]);
        const cos = Math.abs(nx[0] * r.midSagittal!.normal[0] + nx[1] * r.midSagittal!.normal[1] + nx[2] * r.midSagittal!.normal[2]);
        assert.ok(cos > Math.cos((3 * Math.PI) / 180), `${name} ${axis} ${deg}°: plane normal off by ${(Math.acos(Math.min(1, cos)) * 180 / Math.PI).toFixed(1)}°`);
      }
    }
  }
});

test("negatives: the face cut away by a plane 30, 40 or 60 mm behind the annotated tip, and the back half of the head → no face", (t) => {
  for (const name of ["ct", "mri"] as const) {
    const { volume, tip } = scans[name];
    const v2 = resample(volume, { spacing: 2 });
    for (const depth of [30, 40, 60]) {
      const plane: Vec3 = [tip[0] - ANTERIOR[0] * depth, tip[1] - ANTERIOR[1] * depth, tip[2] - ANTERIOR[2] * depth];
      const r = faceProfile(cutInFront(v2, plane, ANTERIOR));
      assert.equal(r.found, false, `${name} cut ${depth} mm behind the tip:\n${explain(r)}`);
      assert.ok(r.score < 0.5);
    }
    // Back half: everything in front of the head's middle (the mid-point of its anterior–posterior extent at the skin level) removed.
    const level = skinLevel(v2).level;
    let yMin = Infinity, yMax = -Infinity;
    const [nx, ny, nz] = v2.shape;
    for (let k = 0; k < nz; k += 2) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i += 2) {
      if (v2.data[i + nx * (j + ny * k)] > level) { const y = voxelToPatient(v2, [i, j, k])[1]; yMin = Math.min(yMin, y); yMax = Math.max(yMax, y); }
    }
    const back = faceProfile(cutInFront(v2, [0, (yMin + yMax) / 2, 0], ANTERIOR));
    assert.equal(back.found, false, `${name} back half:\n${explain(back)}`);
    // Not asserted: a shallow cut (10 mm) takes the nose but leaves eyes and mouth.
    const shallow = faceProfile(cutInFront(v2, [tip[0], tip[1] + 10, tip[2]], ANTERIOR));
    t.diagnostic(`${name} cut 10 mm behind the tip (not a negative): found=${shallow.found} score=${shallow.score.toFixed(2)}`);
  }
});

test("negatives: spheres, cylinders and a head-sized ellipsoid have no face", () => {
  const phantom = (inside: (x: number, y: number, z: number) => number): Volume => {
    // 2 mm grid over ±120 mm; value 40 inside, −1000 outside, a 2 mm linear ramp across the surface (a signed distance).
    const n = 121, vol = createVolume({ shape: [n, n, n], spacing: [2, 2, 2], origin: [-120, -120, -120], modality: "CT", units: "HU" });
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
      const d = inside(-120 + 2 * i, -120 + 2 * j, -120 + 2 * k);
      vol.data[i + n * (j + n * k)] = 40 - 1040 * Math.max(0, Math.min(1, (d + 1) / 2));
    }
    return vol;
  };
  const cases: Record<string, (x: number, y: number, z: number) => number> = {
    "sphere r=90": (x, y, z) => Math.hypot(x, y, z) - 90,
    "sphere r=40": (x, y, z) => Math.hypot(x, y, z) - 40,
    "cylinder r=75 along S": (x, y) => Math.hypot(x, y) - 75,
    "cylinder r=60 along L": (_x, y, z) => Math.hypot(y, z) - 60,
    "cylinder r=50 along A, 160 long": (x, y, z) => Math.max(Math.hypot(x, z) - 50, Math.abs(y) - 80),
    // Approximate signed distance of an ellipsoid 150 × 190 × 220 mm.
    "ellipsoid 75/95/110": (x, y, z) => (Math.hypot(x / 75, y / 95, z / 110) - 1) * 75,
  };
  for (const [name, f] of Object.entries(cases)) {
    const r = faceProfile(phantom(f));
    assert.equal(r.found, false, `${name}:\n${explain(r)}`);
    assert.ok(r.evidence.length >= 2);
  }
});

test("a skin mesh instead of a volume (marching cubes at the skin level, 2 mm): the same tip within 5 mm; a mesh of the 40 mm cut has none", async () => {
  for (const name of ["ct", "mri"] as const) {
    const { volume, tip } = scans[name];
    const v2 = resample(volume, { spacing: 2 });
    const level = skinLevel(v2).level;
    const r = faceProfile(await marchingCubes(v2, { level }));
    assert.ok(r.found, `${name} mesh: ${explain(r)}`);
    assert.equal(r.level, null);
    assert.ok(dist(r.landmarks!.noseTip, tip) <= 5, `${name} mesh: tip ${dist(r.landmarks!.noseTip, tip).toFixed(1)} mm from the annotation`);
    const cut = faceProfile(await marchingCubes(cutInFront(v2, [tip[0], tip[1] + 40, tip[2]], ANTERIOR), { level }));
    assert.equal(cut.found, false, `${name} mesh of the 40 mm cut: ${explain(cut)}`);
    assert.throws(() => faceProfile({ positions: new Float32Array(9), triangles: new Uint32Array([0, 1, 2]) }, { level: 10 }), { code: "INVALID_ARGUMENT" });
  }
});

test("bad input is a typed error; a volume with nothing above the level is a normal \"not found\"", () => {
  assert.throws(() => faceProfile({ ...scans.ct.volume, data: new Float32Array(10) }), { code: "INVALID_ARGUMENT" });
  assert.throws(() => faceProfile({ ...scans.ct.volume, spacing: [0, 1, 1] }), { code: "INVALID_ARGUMENT" });
  assert.throws(() => faceProfile(scans.ct.volume, { level: NaN }), { code: "INVALID_ARGUMENT" });
  const air = createVolume({ shape: [20, 20, 20], spacing: [2, 2, 2], fill: -1000, modality: "CT", units: "HU" });
  const r = faceProfile(air);
  assert.equal(r.found, false);
  assert.match(r.evidence.join(" "), /no head/);
});

test("skinLevel: −300 for CT, a given level as is, and for the MRI Otsu's threshold as skimage computes it on the same histogram range", () => {
  assert.deepEqual([skinLevel(scans.ct.volume).level, skinLevel(scans.ct.volume).method], [-300, "ct-hu"]);
  assert.equal(skinLevel(scans.mri.volume, { level: 50 }).level, 50);
  const s = skinLevel(scans.mri.volume);
  assert.equal(s.method, "otsu");
  assert.match(s.how, /Otsu/);
  // skimage.filters.threshold_otsu on the same voxels clipped to the same range, 256 bins.
  const dir = tempDir("unmask-otsu-");
  const raw = path.join(dir, "mri.f32");
  fs.writeFileSync(raw, Buffer.from(scans.mri.volume.data.buffer, scans.mri.volume.data.byteOffset, scans.mri.volume.data.byteLength));
  const [lo, hi] = s.histogram!.range;
  const py = `import numpy as np, sys\nfrom skimage.filters import threshold_otsu\nv = np.fromfile(sys.argv[1], dtype=np.float32)\nv = np.minimum(v, np.float32(${hi}))\nprint(threshold_otsu(v, nbins=256))`;
  const ref = Number(execFileSync("/usr/bin/python3", ["-c", py, raw], { encoding: "utf8" }).trim());
  fs.rmSync(dir, { recursive: true });
  assert.ok(lo === 0 && Math.abs(s.level - ref) <= (hi - lo) / 256 + 1e-6, `ours ${s.level} vs skimage ${ref}`);
  // Otsu on a two-peak histogram lands between the peaks.
  const edges = Array.from({ length: 11 }, (_, i) => i), counts = [50, 30, 5, 0, 0, 0, 5, 30, 50, 10];
  const t = otsu(edges, counts).threshold;
  assert.ok(t > 2 && t < 6.5, `two-peak threshold ${t}`);
});
