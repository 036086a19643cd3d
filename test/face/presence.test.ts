import { test, before } from "node:test";
import assert from "node:assert/strict";
import { loadSeries } from "unmask";
import { detectFaceInScan, presenceVariants, type FacePresence } from "unmask/face";
import { marchingCubes } from "unmask/surface";
import { resample, voxelToPatient, type Volume } from "unmask/volume";
import { InvalidArgumentError } from "unmask/core";
import {
  presenceTruthSet, anteriorMostPoint, levelAndStep, blank, phantom, collectTruthEvidence, losoVerdicts, summarize, verdicts,
  presenceFromEvidence, DEFAULT_FUSION, DEFAULT_DETECTORS, type TruthCase, type CaseEvidence,
} from "unmask/face/evaluation";
import { CT_DIR, MRI_DIR, FIXTURES } from "../helpers/paths";
import * as fs from "node:fs";
import * as path from "node:path";

// The truth set is built here from the shipped scans ("test" split: the crops, 2/3/4 mm,
// levels ±100 HU and the MRI equivalent, cuts 40 and 50 mm behind the nose tip, back halves,
// phantoms). The committed defaults were fitted by bench/fit-presence.ts on the disjoint "fit" split.
let ct: Volume, mri: Volume;
let cases: TruthCase[];
let items: CaseEvidence[];

before(async () => {
  ct = (await loadSeries(CT_DIR)).volume;
  mri = (await loadSeries(MRI_DIR)).volume;
  cases = presenceTruthSet([{ name: "ct", volume: ct }, { name: "mri", volume: mri }], "test");
  items = await collectTruthEvidence(cases, { variants: "default" });
});

/** Voxels above `level` whose centre satisfies `where`. */
function countAbove(v: Volume, level: number, where: (p: [number, number, number]) => boolean): number {
  let n = 0;
  const [nx, ny, nz] = v.shape;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    if (v.data[i + nx * (j + ny * k)] > level && where(voxelToPatient(v, [i, j, k]))) n++;
  }
  return n;
}

test("truth set: the cut copies hold no tissue in front of their plane, the crops are smaller, the phantom has its analytic volume", () => {
  const { level } = levelAndStep(ct);
  const nose = anteriorMostPoint(ct, level);
  // The cut leaves nothing anterior of the plane; the original has tissue there (the face).
  const cut = cases.find((c) => c.name === "ct/plane-cut-40mm")!.build();
  assert.ok(countAbove(ct, level, (p) => p[1] < nose[1] + 40) > 1000);
  assert.equal(countAbove(cut, level, (p) => p[1] < nose[1] + 40), 0);
  assert.ok(countAbove(cut, level, () => true) > 100_000, "the rest of the head is kept");
  const crop = cases.find((c) => c.name === "ct/crop-forehead-cut")!.build();
  const cropTop = voxelToPatient(crop, [0, 0, crop.shape[2] - 1])[2];
  assert.ok(cropTop <= nose[2] + 55 + 1e-6 && crop.shape[2] < ct.shape[2], `forehead cut ends at z ${cropTop}, nose tip ${nose[2]}`);
  assert.ok(!cases.some((c) => c.build === undefined));
  // Sphere of radius 80 mm sampled at 2 mm: voxel count × 8 mm³ ≈ 4/3 π r³ within 2 %.
  const s = phantom("sphere", 80);
  const vol = countAbove(s, -300, () => true) * 8;
  assert.ok(Math.abs(vol / ((4 / 3) * Math.PI * 80 ** 3) - 1) < 0.02, `sphere volume ${vol}`);
  // blank() does not modify its input.
  const before = ct.data[1000];
  blank(ct, () => true);
  assert.equal(ct.data[1000], before);
});

test("default verdict: yes on the shipped CT and MRI and their crops, coarse and level variants; no on deep cuts, back halves and phantoms", () => {
  const vs = verdicts(items, DEFAULT_FUSION);
  for (const v of vs) {
    if (v.face) assert.equal(v.present, "yes", `${v.name}: ${v.present} (${v.reason})`);
    else assert.equal(v.present, "no", `${v.name}: ${v.present} (${v.reason})`);
  }
  const s = summarize(vs);
  assert.equal(s.positives, 18);
  assert.equal(s.negatives, 8);
});

test("leave-one-scan-out: fitted on the CT-derived cases, judged on the MRI-derived ones and the reverse — no face called 'no', no non-face called 'yes'", () => {
  const { verdicts: vs, params } = losoVerdicts(items, [...DEFAULT_DETECTORS]);
  assert.deepEqual(Object.keys(params).sort(), ["ct", "mri"]);
  for (const v of vs) {
    if (v.face) assert.notEqual(v.present, "no", `${v.name} judged with the fit on the other scan: ${v.reason}`);
    else assert.notEqual(v.present, "yes", `${v.name} judged with the fit on the other scan: ${v.reason}`);
  }
  const s = summarize(vs);
  assert.ok(s.recall >= 0.9, `held-out recall ${s.recall}`);
});

test("'uncertain' always says why: the detectors' support and both thresholds", () => {
  const tight = { ...DEFAULT_FUSION, no: 0.0001, yes: 0.99999 };
  let seen = 0;
  for (const it of items) {
    const v = presenceFromEvidence(it.collected, tight);
    if (v.present !== "uncertain") continue;
    seen++;
    assert.match(v.reason, /disagree/);
    for (const d of v.detectors) assert.match(v.reason, new RegExp(`${d} support \\d`));
    assert.match(v.reason, /"no" threshold 0\.00.*"yes" threshold 1\.00/);
    assert.ok(v.evidence.length > 0 && v.best >= 0);
  }
  assert.ok(seen >= 5, `uncertain cases with the narrowed thresholds: ${seen}`);
  // Under the defaults every uncertain verdict (if any) explains itself the same way.
  for (const v of verdicts(items, DEFAULT_FUSION)) if (v.present === "uncertain") assert.match(v.reason, /disagree.*support/);
});

test("detectFaceInScan on the CT: yes, level −300 HU by default, evidence on the anterior skin, nose tip next to the anterior-most tissue", async () => {
  const v: FacePresence = await detectFaceInScan(ct);
  assert.equal(v.present, "yes");
  assert.equal(v.level.value, -300);
  assert.equal(v.level.source, "ct-hu");
  assert.equal(v.variants.length, presenceVariants("default").length);
  const inCluster = v.evidence.filter((e) => e.cluster === v.best);
  assert.ok(inCluster.length >= 3, `${inCluster.length} detections agree`);
  for (const e of inCluster) {
    assert.ok(e.position && e.anterior !== null && e.anterior > 0.4, `${e.detector} on ${e.variant} at anterior ${e.anterior}`);
    assert.ok(e.box && e.box.width > 0 && typeof e.variant === "string");
  }
  const nose = anteriorMostPoint(ct, -300);
  const tip = v.face?.landmarks.noseTip;
  assert.ok(tip, "human's mesh gives a nose tip");
  const d = Math.hypot(tip[0] - nose[0], tip[1] - nose[1], tip[2] - nose[2]);
  assert.ok(d < 12, `nose tip ${tip.map((x) => x.toFixed(1))} is ${d.toFixed(1)} mm from the anterior-most tissue ${nose.map((x) => x.toFixed(1))}`);
  const b = v.face!.box3d;
  assert.ok(b.min[1] <= nose[1] + 3 && b.max[2] - b.min[2] > 40, "the 3D box spans the face");
});

test("detectFaceInScan on the MRI chooses its level from the histogram and says so; --level overrides; a mesh works too", async () => {
  const v = await detectFaceInScan(mri);
  assert.equal(v.present, "yes");
  assert.equal(v.level.source, "otsu");
  assert.match(v.level.how, /Otsu/);
  assert.ok(v.level.value! > 10 && v.level.value! < 60, `MRI skin level ${v.level.value}`);
  const g = await detectFaceInScan(mri, { level: 30, variants: presenceVariants("default").slice(0, 3) });
  assert.equal(g.level.value, 30);
  assert.equal(g.level.source, "given");
  const mesh = await marchingCubes(resample(ct, { spacing: 2 }), { level: -300 });
  const m = await detectFaceInScan(mesh, { variants: presenceVariants("default").slice(0, 3) });
  assert.equal(m.level.source, "mesh");
  assert.notEqual(m.present, "no");
});

test("with the geometric profile in the panel, the located nose tip is within 5 mm of the one annotated by hand on the slices (CT and MRI)", async () => {
  const annotated = JSON.parse(fs.readFileSync(path.join(FIXTURES, "nose-tips.json"), "utf8"));
  for (const [vol, key] of [[ct, "ct-cranium"], [mri, "mri-t1-head"]] as const) {
    const v = await detectFaceInScan(vol, { detectors: [...DEFAULT_DETECTORS, "profile"] });
    assert.equal(v.present, "yes", key);
    const prof = v.evidence.find((e) => e.detector === "profile");
    assert.ok(prof && prof.variant === "volume" && prof.box === null && prof.cluster === v.best, `${key}: the profile's nose tip joins the winning cluster`);
    assert.equal(v.face?.detector, "profile");
    const tip = v.face!.landmarks.noseTip!, want = annotated[key].patient as number[];
    const d = Math.hypot(tip[0] - want[0], tip[1] - want[1], tip[2] - want[2]);
    assert.ok(d <= 5, `${key}: located nose tip ${tip.map((x) => x.toFixed(1))} is ${d.toFixed(1)} mm from the annotated ${want}`);
  }
  // A mesh works too: the profile runs on the mesh's own skin.
  const m = await detectFaceInScan(await marchingCubes(resample(ct, { spacing: 2 }), { level: -300 }), { detectors: ["human", "profile"], variants: presenceVariants("default").slice(0, 2) });
  const tip = m.evidence.find((e) => e.detector === "profile")?.position;
  const want = annotated["ct-cranium"].patient as number[];
  assert.ok(tip && Math.hypot(tip[0] - want[0], tip[1] - want[1], tip[2] - want[2]) <= 5, `profile on the mesh: ${tip}`);
});

test("bad options are typed errors; an empty surface is a normal 'no'", async () => {
  await assert.rejects(detectFaceInScan(ct, { variants: [] }), InvalidArgumentError);
  await assert.rejects(detectFaceInScan(ct, { detectors: [] }), InvalidArgumentError);
  await assert.rejects(detectFaceInScan(ct, { level: Number.NaN }), InvalidArgumentError);
  await assert.rejects(detectFaceInScan(ct, { detectors: ["nose-sniffer"] }), InvalidArgumentError);
  const none = await detectFaceInScan(ct, { level: 5000 });
  assert.equal(none.present, "no");
  assert.match(none.reason, /no surface/);
});
