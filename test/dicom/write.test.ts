import { test, after } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadSeries, writeSeries, readDicomDataset, encodeDicomFile } from "unmask/dicom";
import { convert } from "unmask/anonymize";
import { voxelToPatient } from "unmask/volume";
import { CT_DIR, MRI_DIR, ROOT, tempDir } from "../helpers/paths";

const PY = "/usr/bin/python3";
const REF = path.join(ROOT, "test", "helpers", "python", "reference_voxels.py");
const work = tempDir("unmask-write-");
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** sha256 over every file name and content of a folder tree. */
function folderHash(dir: string): string {
  const h = createHash("sha256");
  const visit = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      h.update(path.relative(dir, p));
      if (e.isDirectory()) visit(p);
      else h.update(fs.readFileSync(p));
    }
  };
  visit(dir);
  return h.digest("hex");
}
const inputHash = folderHash(CT_DIR);

function readRaw(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function firstMismatch(a: Float32Array, b: Float32Array): string | null {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  for (let n = 0; n < a.length; n++) if (a[n] !== b[n]) return `voxel ${n}: ${a[n]} vs ${b[n]}`;
  return null;
}

/** dciodvfy's "Error" lines (warnings aside), as a set. */
function dciodvfyErrors(file: string): Set<string> {
  const r = spawnSync("dciodvfy", [file], { encoding: "utf8" });
  return new Set((r.stdout + r.stderr).split("\n").filter((l) => l.startsWith("Error")).map((l) => l.trim()));
}

const source = loadSeries(CT_DIR);
let hu: Awaited<ReturnType<typeof convert>>;
let huOut: string;

test("write then load: the hu-converted CT comes back voxel for voxel, with new UIDs and derived headers", async () => {
  const s = await source;
  hu = convert(s, { mode: "hu" });
  huOut = path.join(work, "hu");
  const w = await writeSeries(hu, huOut, { ...hu.write });
  assert.equal(w.files.length, 108);
  assert.deepEqual(w.rescale, { slope: 1, intercept: 0 });
  assert.equal(w.pixelRepresentation, 0);
  const back = await loadSeries(huOut);
  assert.equal(firstMismatch(back.volume.data, hu.volume.data), null);
  assert.deepEqual(back.volume.shape, s.volume.shape);
  for (let a = 0; a < 3; a++) assert.ok(Math.abs(back.volume.spacing[a] - s.volume.spacing[a]) < 1e-6);
  assert.deepEqual(back.volume.origin, s.volume.origin);
  // New series and instances; study and frame of reference kept.
  const srcSops = new Set(s.slices.map((h) => h.sopInstanceUid));
  const outSops = new Set(back.slices.map((h) => h.sopInstanceUid));
  assert.equal(outSops.size, 108);
  for (const u of outSops) assert.ok(!srcSops.has(u) && /^2\.25\.\d{1,39}$/.test(u), u);
  assert.notEqual(back.slices[0].seriesInstanceUid, s.slices[0].seriesInstanceUid);
  assert.equal(back.slices[0].studyInstanceUid, s.slices[0].studyInstanceUid);
  assert.equal(back.slices[0].modality, "CT");
  assert.equal(back.slices[0].transferSyntaxUid, "1.2.840.10008.1.2.1");
  const d = readDicomDataset(w.files[10]).dict;
  assert.deepEqual(d["00080008"].Value!.slice(0, 2), ["DERIVED", "SECONDARY"]);
  assert.match(String(d["00082111"].Value![0]), /below 0 HU set to 0/);
  assert.match(String(d["0008103E"].Value![0]), /MRI-like/);
  assert.equal(Number(d["00281052"].Value![0]), 0);
  // Every other attribute of the source is kept, value for value.
  const src = readDicomDataset(s.slices[10].path).dict;
  const changed = new Set(["00080008", "00080018", "0020000E", "00082111", "0008103E", "00281052", "00281053", "00280100", "00280101", "00280102", "00280103", "7FE00010"]);
  for (const [tag, el] of Object.entries(src)) {
    if (changed.has(tag)) continue;
    assert.deepEqual(d[tag], el, `(${tag}) changed`);
  }
});

test("dciodvfy finds no error in the written files that the input does not already have", async () => {
  const s = await source;
  for (const k of [0, 54, 107]) {
    const inErr = dciodvfyErrors(s.slices[k].path);
    const outErr = dciodvfyErrors(path.join(huOut, `IM${String(k + 1).padStart(4, "0")}.dcm`));
    const fresh = [...outErr].filter((e) => !inErr.has(e));
    assert.deepEqual(fresh, [], `slice ${k}: new dciodvfy errors`);
    assert.ok(inErr.size > 0, "the check is live: the sample input has known dciodvfy errors");
  }
});

test("pydicom's pixel values with slope and intercept equal the written volume", () => {
  const raw = path.join(work, "pydicom.raw");
  execFileSync(PY, [REF, "pydicom", huOut, raw]);
  assert.equal(firstMismatch(readRaw(raw), hu.volume.data), null);
});

test("dcm2niix's NIfTI of the written series holds the written volume (mapped through its affine)", () => {
  const nii = path.join(work, "nii");
  fs.mkdirSync(nii);
  execFileSync("dcm2niix", ["-z", "n", "-b", "n", "-f", "vol", "-o", nii, huOut], { stdio: "pipe" });
  const v = hu.volume;
  const geometry = path.join(work, "geometry.json");
  fs.writeFileSync(geometry, JSON.stringify({ p000: voxelToPatient(v, [0, 0, 0]), p100: voxelToPatient(v, [1, 0, 0]), p010: voxelToPatient(v, [0, 1, 0]), p001: voxelToPatient(v, [0, 0, 1]), shape: v.shape }));
  const raw = path.join(work, "nifti.raw");
  execFileSync(PY, [REF, "nifti", path.join(nii, "vol.nii"), raw, geometry]);
  assert.equal(firstMismatch(readRaw(raw), v.data), null);
});

test("seed mode on a series stored signed: stored values below 0 become 0, as the seed did", async () => {
  const s = await source;
  // Derived test data: the CT written with intercept 0, so air is stored as −1000 (signed).
  const signedDir = path.join(work, "signed");
  const w = await writeSeries(s, signedDir, { derivationDescription: "test data: stored as HU", rescale: { slope: 1, intercept: 0 } });
  assert.equal(w.pixelRepresentation, 1);
  const signed = await loadSeries(signedDir);
  const seed = convert(signed, { mode: "seed" });
  let below = 0;
  for (const v of s.volume.data) if (v < 0) below++;
  assert.equal(seed.changedVoxels, below);
  for (let n = 0; n < s.volume.data.length; n += 997) assert.equal(seed.volume.data[n], Math.max(0, s.volume.data[n]));
  // On the shipped CT (HU + 1024, unsigned) the seed changes nothing.
  assert.equal(convert(s, { mode: "seed" }).changedVoxels, 0);
  // Mode hu is for Hounsfield units only: an MRI is refused, not silently zeroed.
  const mri = await loadSeries(MRI_DIR);
  assert.throws(() => convert(mri, { mode: "hu" }), /Hounsfield/);
});

test("the MRI writes and reloads unchanged (seed mode changes nothing), its rescale kept, pydicom agrees", async () => {
  const mri = await loadSeries(MRI_DIR);
  const seed = convert(mri, { mode: "seed" });
  assert.equal(seed.changedVoxels, 0);
  const out = path.join(work, "mri");
  const w = await writeSeries(seed, out, { ...seed.write });
  const back = await loadSeries(out);
  assert.equal(firstMismatch(back.volume.data, mri.volume.data), null);
  assert.equal(back.slices[0].modality, "MR");
  const d = readDicomDataset(w.files[0]).dict;
  const src = readDicomDataset(mri.slices[0].path).dict;
  for (const tag of ["00281052", "00281053"]) assert.deepEqual(d[tag]?.Value?.map(Number), src[tag]?.Value?.map(Number), tag);
  const raw = path.join(work, "mri-pydicom.raw");
  execFileSync(PY, [REF, "pydicom", out, raw]);
  assert.equal(firstMismatch(readRaw(raw), mri.volume.data), null);
});

test("an existing output is refused without force and replaced with it; the input folder cannot be the output", async () => {
  const s = await source;
  const out = path.join(work, "exists");
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, "keep.txt"), "x");
  await assert.rejects(writeSeries(s, out, { derivationDescription: "t" }), (e: Error & { code?: string }) => e.code === "OUTPUT_EXISTS");
  assert.ok(fs.existsSync(path.join(out, "keep.txt")));
  await writeSeries(s, out, { derivationDescription: "t", force: true });
  assert.ok(!fs.existsSync(path.join(out, "keep.txt")));
  assert.equal(fs.readdirSync(out).filter((f) => f.endsWith(".dcm")).length, 108);
  await assert.rejects(writeSeries(s, CT_DIR, { derivationDescription: "t", force: true }), (e: Error & { code?: string }) => e.code === "INVALID_ARGUMENT");
  await assert.rejects(writeSeries(s, path.join(CT_DIR, "sub"), { derivationDescription: "t" }), (e: Error & { code?: string }) => e.code === "INVALID_ARGUMENT");
});

test("a failure half-way (a source file damaged after loading, slice 100 of 108) leaves no output folder behind", async () => {
  const copy = path.join(work, "copy");
  fs.mkdirSync(copy);
  for (const f of fs.readdirSync(CT_DIR)) if (f.endsWith(".dcm")) fs.copyFileSync(path.join(CT_DIR, f), path.join(copy, f));
  const s = await loadSeries(copy);
  fs.writeFileSync(s.slices[100].path, "not DICOM any more");
  const out = path.join(work, "half");
  await assert.rejects(writeSeries(s, out, { derivationDescription: "t" }), (e: Error & { code?: string; path?: string }) => e.code === "NOT_DICOM" && e.path === s.slices[100].path);
  assert.ok(!fs.existsSync(out), "output folder left behind");
  assert.deepEqual(fs.readdirSync(work).filter((f) => f.startsWith(".half")), [], "temporary folder left behind");
});

test("the encoder re-encodes every file of the shipped CT byte for byte", () => {
  for (const f of fs.readdirSync(CT_DIR).filter((n) => n.endsWith(".dcm"))) {
    const bytes = fs.readFileSync(path.join(CT_DIR, f));
    assert.equal(Buffer.compare(Buffer.from(encodeDicomFile(readDicomDataset(path.join(CT_DIR, f)))), bytes), 0, f);
  }
});

test("the input folder is unchanged by everything above", () => {
  assert.equal(folderHash(CT_DIR), inputHash);
});
