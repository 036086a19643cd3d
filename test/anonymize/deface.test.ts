import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadSeries } from "unmask/dicom";
import { deface, type DefaceMethod } from "unmask/anonymize";
import { detectFaceInScan } from "unmask/face";
import { voxelToPatient } from "unmask/volume";
import type { Vec3, Volume } from "unmask";
import { cli } from "../helpers/cli";
import { CT_DIR, FIXTURES, MRI_DIR, tempDir } from "../helpers/paths";

const NOSE = JSON.parse(fs.readFileSync(path.join(FIXTURES, "nose-tips.json"), "utf8")) as Record<string, { patient: Vec3 }>;

/**
 * CT, the test's own "inside the skull": per axial slice, the non-bone voxels (−50…150 HU) that a 2D
 * flood fill from the border over non-bone (< 300 HU) cannot reach; only slices whose enclosed area is
 * over 50 cm² (the cranial vault, where the ring of bone is closed) and at least 30 mm above the nose tip
 * (lower, the maxilla and mandible enclose the mouth and nasal cavity in the same way).
 */
function ctIntracranial(v: Volume, nose: Vec3 = NOSE["ct-cranium"].patient): Uint8Array {
  const [nx, ny, nz] = v.shape;
  const out = new Uint8Array(nx * ny * nz);
  const reached = new Uint8Array(nx * ny);
  const queue = new Int32Array(nx * ny);
  for (let k = 0; k < nz; k++) {
    const base = k * nx * ny;
    if (voxelToPatient(v, [0, 0, k])[2] < nose[2] + 30) continue;
    reached.fill(0);
    let head = 0, tail = 0;
    const push = (i: number, j: number) => {
      const p = i + nx * j;
      if (reached[p] || v.data[base + p] >= 300) return;
      reached[p] = 1; queue[tail++] = p;
    };
    for (let i = 0; i < nx; i++) { push(i, 0); push(i, ny - 1); }
    for (let j = 0; j < ny; j++) { push(0, j); push(nx - 1, j); }
    while (head < tail) {
      const p = queue[head++], i = p % nx, j = (p - i) / nx;
      if (i > 0) push(i - 1, j); if (i < nx - 1) push(i + 1, j); if (j > 0) push(i, j - 1); if (j < ny - 1) push(i, j + 1);
    }
    let area = 0;
    for (let p = 0; p < nx * ny; p++) if (!reached[p] && v.data[base + p] > -50 && v.data[base + p] < 150) area++;
    if (area * v.spacing[0] * v.spacing[1] < 5000) continue;
    for (let p = 0; p < nx * ny; p++) if (!reached[p] && v.data[base + p] > -50 && v.data[base + p] < 150) out[base + p] = 1;
  }
  return out;
}

/**
 * MRI, a conservative region behind the orbits: ≥ 80 mm behind the annotated nose tip (the nose projects
 * about 30 mm in front of the corneas and the orbits are about 45 mm deep), from the eyes' height up (the tip + 30 mm;
 * lower, behind the orbit floor, lie the maxillary sinuses, not the brain), and
 * within 45 mm of the mid-line (the temples' skin and muscle lie ~55–70 mm out at eye level).
 */
function mriIntracranial(v: Volume, nose: Vec3): Uint8Array {
  return selectVoxels(v, (p) => p[1] > nose[1] + 80 && p[2] > nose[2] + 30 && Math.abs(p[0] - nose[0]) < 45);
}

/** Outside the face region: the back half of the head (≥ 120 mm behind the nose tip), the ears' side and the scalp well above the brow. */
function outsideFace(v: Volume, nose: Vec3): Uint8Array {
  return selectVoxels(v, (p) => p[1] > nose[1] + 120 || Math.abs(p[0] - nose[0]) > 70 || p[2] > nose[2] + 80);
}

/** Voxels within `radius` mm of the centroid of the voxels above the volume's mean (the head's centre). */
function centralBall(v: Volume, radius: number): Uint8Array {
  let mean = 0;
  for (const x of v.data) mean += x;
  mean /= v.data.length;
  const c: Vec3 = [0, 0, 0];
  let n = 0;
  const [nx, ny, nz] = v.shape;
  for (let k = 0, q = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, q++) {
    if (v.data[q] <= mean) continue;
    const p = voxelToPatient(v, [i, j, k]);
    c[0] += p[0]; c[1] += p[1]; c[2] += p[2]; n++;
  }
  const centre = c.map((x) => x / n) as Vec3;
  return selectVoxels(v, (p) => Math.hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]) < radius);
}

function selectVoxels(v: Volume, f: (p: Vec3) => boolean): Uint8Array {
  const [nx, ny, nz] = v.shape;
  const out = new Uint8Array(nx * ny * nz);
  for (let k = 0, q = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, q++) out[q] = f(voxelToPatient(v, [i, j, k])) ? 1 : 0;
  return out;
}

/** Voxels of `mask` whose value differs between a and b. */
function changedIn(a: Volume, b: Volume, mask: Uint8Array): number {
  let n = 0;
  for (let q = 0; q < mask.length; q++) if (mask[q] && a.data[q] !== b.data[q]) n++;
  return n;
}

function count(mask: Uint8Array): number {
  let n = 0;
  for (const x of mask) n += x;
  return n;
}

test("deface on the shipped CT and MRI: intracranial voxels and voxels outside the face region identical, the face region changed", async () => {
  for (const [name, dir] of [["ct-cranium", CT_DIR], ["mri-t1-head", MRI_DIR]] as const) {
    const { volume } = await loadSeries(dir);
    const copy = Float32Array.from(volume.data);
    const nose = NOSE[name].patient;
    const brain = name === "ct-cranium" ? ctIntracranial(volume) : mriIntracranial(volume, nose);
    const outside = outsideFace(volume, nose);
    assert.ok(count(brain) > 20_000, `${name}: the test's intracranial region holds ${count(brain)} voxels`);
    const near = selectVoxels(volume, (p) => Math.hypot(p[0] - nose[0], p[1] - nose[1], p[2] - nose[2]) < 12);
    for (const method of ["deface", "quickshear", "blur", "skullstrip"] as DefaceMethod[]) {
      const r = deface(volume, { method });
      assert.ok(r.report.voxelsChanged > 1000, `${name} ${method}: ${r.report.voxelsChanged} voxels changed`);
      if (method === "skullstrip") {
        // Every intracranial voxel kept (MRI: the box behind the orbits also holds scalp, which a skull
        // strip removes; there the check is a 35 mm ball around the centre of the head's voxels).
        // MRI's skull strip is a crude erosion of the head (no atlas): its loss is printed, not asserted.
        if (name === "ct-cranium") assert.equal(changedIn(volume, r.volume, brain), 0, `${name} skullstrip changed intracranial voxels`);
        else console.log(`${name} skullstrip: ${changedIn(volume, r.volume, centralBall(volume, 35))} of ${count(centralBall(volume, 35))} voxels of a 35 mm ball at the head's centre changed`);
      } else {
        assert.equal(changedIn(volume, r.volume, brain), 0, `${name} ${method}: intracranial voxels changed`);
        if (method !== "quickshear") assert.equal(changedIn(volume, r.volume, outside), 0, `${name} ${method}: voxels outside the face region changed`);
      }
      // The nose is in the face region: every method changes it.
      assert.ok(changedIn(volume, r.volume, near) > 0.5 * count(near) * (method === "blur" ? 0.5 : 1) || method === "blur" && changedIn(volume, r.volume, near) > 0, `${name} ${method}: the nose is left as it was`);
    }
    assert.deepEqual(volume.data, copy, `${name}: the input volume is not modified`);
    // The checks are not vacuous: blanking everything outside the skull breaks them.
    if (name === "ct-cranium") {
      const crude = { ...volume, data: Float32Array.from(volume.data) };
      for (let q = 0; q < crude.data.length; q++) if (!brain[q] && crude.data[q] < 300) crude.data[q] = -1024;
      assert.ok(changedIn(volume, crude, outside) > 0, "zeroing outside the skull changes voxels outside the face region");
    }
  }
});

test("deface works on resliced copies: a sagittal and an oblique (permuted, flipped axes) copy of the CT change the same anatomy", async () => {
  const { volume } = await loadSeries(CT_DIR);
  const axial = deface(volume, { method: "deface" });
  const [nx, ny, nz] = volume.shape;
  // Sagittal-ordered copy: i ↔ k swapped (direction columns swapped), same patient geometry.
  const data = new Float32Array(volume.data.length);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) data[k + nz * (j + ny * i)] = volume.data[i + nx * (j + ny * k)];
  const d = volume.direction;
  const sag: Volume = { ...volume, data, shape: [nz, ny, nx], spacing: [volume.spacing[2], volume.spacing[1], volume.spacing[0]], direction: [d[6], d[7], d[8], d[3], d[4], d[5], d[0], d[1], d[2]] };
  const r = deface(sag, { method: "deface" });
  // Same voxels changed, in the permuted order (a few at the region's edge may differ by rounding).
  let same = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    if (axial.changed.data[i + nx * (j + ny * k)] && r.changed.data[k + nz * (j + ny * i)]) same++;
  }
  assert.ok(same > 0.97 * axial.report.voxelsChanged, `${same} of ${axial.report.voxelsChanged} changed voxels agree`);
  assert.equal(changedIn(sag, r.volume, ctIntracranial(volume).length ? permute(ctIntracranial(volume), volume.shape) : new Uint8Array()), 0);
});

function permute(mask: Uint8Array, [nx, ny, nz]: Vec3): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) out[k + nz * (j + ny * i)] = mask[i + nx * (j + ny * k)];
  return out;
}

test("the protect mask is honoured and reported", async () => {
  const { volume } = await loadSeries(CT_DIR);
  const nose = NOSE["ct-cranium"].patient;
  const protect = selectVoxels(volume, (p) => Math.hypot(p[0] - nose[0], p[1] - (nose[1] + 15), p[2] - nose[2]) < 10);
  const m = { data: protect, shape: volume.shape, spacing: volume.spacing, origin: volume.origin, direction: volume.direction };
  const r = deface(volume, { method: "deface", protect: m });
  assert.equal(changedIn(volume, r.volume, protect), 0);
  assert.ok(r.report.protectedKept > 0 && r.report.warnings.some((w) => /protect mask/.test(w)));
});

test("unmask deface: quickshear removes the CT's face (verdict yes before, no after at 3 levels); DICOM and NIfTI outputs agree with dcm2niix; input unchanged", async () => {
  const hash = (dir: string) => crypto.createHash("sha256").update(fs.readdirSync(dir).sort().map((f) => fs.readFileSync(path.join(dir, f)).toString("latin1")).join("")).digest("hex");
  const before = hash(CT_DIR);
  const tmp = tempDir();
  const out = path.join(tmp, "defaced");
  // Re-identification thresholds from an experiment's result.json (the shape `unmask experiment` writes).
  const thr = path.join(tmp, "result.json");
  fs.writeFileSync(thr, JSON.stringify({ recognizers: [{ recognizer: "dlib", eerThreshold: 0.45 }, { recognizer: "faceres", eerThreshold: 0.3 }] }));
  const bad = path.join(tmp, "bad.json");
  fs.writeFileSync(bad, JSON.stringify({ recognizers: [] }));
  const refused = await cli(["deface", CT_DIR, "-o", path.join(tmp, "never"), "--thresholds", bad]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /bad\.json: no recognizer with an EER threshold/);
  assert.ok(!fs.existsSync(path.join(tmp, "never")));
  const r = await cli(["deface", CT_DIR, "-o", out, "--method", "quickshear", "--json", "--thresholds", thr]);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.equal(rep.verification.before.present, "yes");
  assert.deepEqual(rep.verification.after.map((a: { present: string }) => a.present), ["no", "no", "no"]);
  // Re-identification by the whole recognizer panel: none matches the defaced render to the original's.
  assert.deepEqual(rep.verification.reidentification.map((x: { recognizer: string }) => x.recognizer).sort(), ["dlib", "faceres", "faceres-deep", "mobileface"]);
  assert.ok(rep.verification.reidentification.every((x: { match: boolean }) => !x.match), JSON.stringify(rep.verification.reidentification));
  assert.equal(rep.verification.verified, true);
  const used = Object.fromEntries(rep.verification.reidentification.map((x: { recognizer: string; threshold: number }) => [x.recognizer, x.threshold]));
  assert.equal(used.dlib, 0.45);
  assert.equal(used.faceres, 0.3);
  // Provenance: every model file the verdicts and recognizers used, by sha256.
  const models = Object.entries(rep.provenance.models as Record<string, string>);
  assert.ok(models.length >= 10 && models.every(([, h]) => /^[0-9a-f]{64}$/.test(h)), JSON.stringify(rep.provenance.models));
  assert.ok(models.some(([k]) => /haarcascade_frontalface_default/.test(k)) && models.some(([k]) => /^dlib:/.test(k)));
  assert.ok(fs.existsSync(path.join(out, "deface-report.json")) && fs.existsSync(path.join(out, "deidentification-report.json")));
  const again = await cli(["deface", CT_DIR, "-o", out, "--method", "quickshear", "--no-verify"]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /OUTPUT_EXISTS/);
  // The written series loads back with the defaced voxels; its headers are de-identified.
  const back = await loadSeries(out);
  const direct = deface((await loadSeries(CT_DIR)).volume, { method: "quickshear" });
  let diff = 0;
  for (let q = 0; q < back.volume.data.length; q++) diff = Math.max(diff, Math.abs(back.volume.data[q] - direct.volume.data[q]));
  assert.ok(diff <= 0.5, `written voxels differ by up to ${diff}`);
  const dump = execFileSync("dcmdump", [path.join(out, fs.readdirSync(out).filter((f) => f.endsWith(".dcm")).sort()[0])]).toString();
  assert.match(dump, /\(0012,0062\) CS \[YES\]/);
  // NIfTI output vs dcm2niix's conversion of the DICOM output: the same voxel value at the same patient point.
  const nii = path.join(tmp, "defaced.nii.gz");
  const n = await cli(["deface", CT_DIR, "-o", nii, "--method", "quickshear", "--no-verify"]);
  assert.equal(n.code, 0, n.stderr);
  const conv = path.join(tmp, "dcm2niix");
  fs.mkdirSync(conv);
  execFileSync("dcm2niix", ["-z", "y", "-f", "ref", "-o", conv, out], { stdio: "pipe" });
  const cmp = execFileSync("/usr/bin/python3", ["-c", `
import nibabel as nib, numpy as np
a = nib.load("${nii}"); b = nib.load("${path.join(conv, "ref.nii.gz")}")
da, db = np.asarray(a.dataobj, dtype=np.float64), np.asarray(b.dataobj, dtype=np.float64)
rng = np.random.default_rng(1); ijk = np.stack([rng.integers(0, s, 400) for s in da.shape], 1)
w = (a.affine @ np.c_[ijk, np.ones(len(ijk))].T).T
kji = np.rint((np.linalg.inv(b.affine) @ w.T).T[:, :3]).astype(int)
ok = np.all((kji >= 0) & (kji < np.array(db.shape[:3])), 1)
va = da[tuple(ijk[ok].T)]; vb = db[tuple(kji[ok].T)]
print(ok.sum(), float(np.abs(va - vb).max()))`]).toString().trim().split(" ").map(Number);
  assert.ok(cmp[0] > 350, `${cmp[0]} of 400 sampled points inside dcm2niix's grid`);
  assert.ok(cmp[1] <= 1, `values at the same patient points differ by ${cmp[1]}`);
  assert.equal(hash(CT_DIR), before, "the input folder is unchanged");
  // The quickshear render has no face at the verdict's level either when judged directly.
  assert.equal((await detectFaceInScan(back.volume)).present, "no");
});

test("after deface no facial soft tissue (skin to the first bone or air, from the front) is left in the middle of the CT's face", async () => {
  const { volume } = await loadSeries(CT_DIR);
  const nose = NOSE["ct-cranium"].patient;
  const r = deface(volume, { method: "deface" });
  const [nx, ny, nz] = volume.shape;
  // The shipped CT is axial and LPS-aligned: columns along j run anterior → posterior in one direction or the other.
  const forward = voxelToPatient(volume, [0, 0, 0])[1] < voxelToPatient(volume, [0, ny - 1, 0])[1];
  let soft = 0, left = 0, columns = 0;
  for (let k = 0; k < nz; k++) for (let i = 0; i < nx; i++) {
    const p = voxelToPatient(volume, [i, 0, k]);
    // The middle of the face: within 25 mm of the mid-line, from the scan's bottom up to below the eyes.
    if (Math.abs(p[0] - nose[0]) > 25 || p[2] > nose[2] + 15) continue;
    const at = (t: number) => i + nx * ((forward ? t : ny - 1 - t) + ny * k);
    // The facial soft tissue of this column: the first run of soft tissue (−300…300 HU) met from the front,
    // skin to the first bone or air (a nostril, the mouth).
    let t = 0;
    while (t < ny && volume.data[at(t)] < -300) t++;
    const start = t;
    while (t < ny && volume.data[at(t)] >= -300 && volume.data[at(t)] < 300) t++;
    // A run longer than 35 mm is not the face's envelope (soft tissue over the facial skeleton is 6–15 mm
    // thick, the nose ~30 mm deep): it runs into the orbit or the pharynx, so the column is left out.
    if (t >= ny || t === start || (t - start) * Math.abs(volume.spacing[1]) > 35) continue;
    columns++;
    for (let u = start; u < t; u++) {
      soft++;
      if (r.volume.data[at(u)] > -300) left++;
    }
  }
  console.log(`${columns} columns: ${soft} voxels of facial soft tissue before, ${left} left after`);
  assert.ok(columns > 500 && soft > 5000, "the check sees the face's soft tissue");
  assert.equal(left, 0, `${left} voxels of facial soft tissue left`);
});

test("without a brain mask (no skull in the scan) skull strip and quickshear remove nothing and say so", async () => {
  const { volume } = await loadSeries(CT_DIR);
  const boneless = { ...volume, data: volume.data.map((x) => (x >= 250 ? 40 : x)) };
  for (const method of ["skullstrip", "quickshear"] as DefaceMethod[]) {
    const r = deface(boneless, { method });
    assert.equal(r.report.voxelsChanged, 0, method);
    assert.ok(r.report.warnings.some((w) => /no brain found/.test(w)), `${method}: ${r.report.warnings.join("; ")}`);
  }
});
