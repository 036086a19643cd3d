import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { listSeries, loadSeries } from "unmask";
import { InconsistentSeriesError, MissingSliceError, MultipleSeriesError, NoDicomFoundError, NotDicomError, TruncatedDicomError, UnsupportedTransferSyntaxError, FileNotFoundError } from "unmask/core";
import { readDicomFile } from "unmask/dicom";
import { valueAt, percentiles, voxelToPatient, axisCodes } from "unmask/volume";
import { CT_DIR, MRI_DIR, tempDir } from "../helpers/paths";
import { editElements, layout, rleEncode16, setUint16, withEncapsulatedPixels, withoutPixelData } from "../helpers/dicom-edit";

const ctFiles = () => fs.readdirSync(CT_DIR).filter((f) => f.endsWith(".dcm")).sort();

/** A writable copy of the CT series in a temp folder (inputs are never modified). */
function copyCt(): string {
  const dir = tempDir();
  for (const f of ctFiles()) fs.copyFileSync(path.join(CT_DIR, f), path.join(dir, f));
  return dir;
}

test("listSeries finds the CT series, headers only, with no patient identifiers", async () => {
  const l = listSeries(CT_DIR);
  assert.equal(l.series.length, 1);
  const s = l.series[0];
  assert.equal(s.modality, "CT");
  assert.equal(s.sliceCount, 108);
  assert.deepEqual(s.dimensions, [256, 256, 108]);
  assert.equal(s.sliceSpacing, 1.5);
  assert.equal(s.orientation, "LPS");
  assert.deepEqual(l.problems, []);
  // The fictional identity fields of the sample must not leak into the listing.
  const ds = readDicomFile(path.join(CT_DIR, "IM0001.dcm")).dataSet;
  const name = ds.string("x00100010")!, id = ds.string("x00100020")!;
  assert.ok(name.length > 0 && id.length > 0, "sample has identity fields to hide");
  const json = JSON.stringify(l);
  assert.ok(!json.includes(name) && !json.includes(id), "listing leaks PatientName/PatientID");
});

test("loadSeries gives Hounsfield units at known points (pydicom reference values)", async () => {
  const { volume: v, slices, warnings } = await loadSeries(CT_DIR);
  assert.deepEqual(v.shape, [256, 256, 108]);
  assert.equal(v.units, "HU");
  assert.ok(Math.abs(v.spacing[0] - 0.957031) < 1e-6 && Math.abs(v.spacing[2] - 1.5) < 1e-6);
  assert.equal(valueAt(v, 128, 128, 54), 18); // brain: soft tissue 0–100 HU
  assert.equal(valueAt(v, 128, 20, 54), -1011); // air ≈ -1000 HU
  assert.equal(valueAt(v, 0, 0, 0), -992);
  assert.deepEqual(percentiles(v, [1, 50, 99]), [-1024, -994, 1210]);
  // Slices ascend along the normal: k = 0 is the lowest (most inferior) slice.
  for (let k = 1; k < slices.length; k++) assert.ok(slices[k].imagePosition![2] > slices[k - 1].imagePosition![2]);
  assert.deepEqual(warnings, []);
});

test("slice order comes from positions, not file names", async () => {
  const dir = tempDir();
  const files = ctFiles();
  // Reverse the names: IM0001 now holds the top slice.
  files.forEach((f, n) => fs.copyFileSync(path.join(CT_DIR, f), path.join(dir, files[files.length - 1 - n])));
  const a = (await loadSeries(CT_DIR)).volume, b = (await loadSeries(dir)).volume;
  assert.deepEqual(b.origin, a.origin);
  assert.ok(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer)));
  fs.rmSync(dir, { recursive: true });
});

test("oblique MRI: direction from ImageOrientationPatient, slices along its normal", async () => {
  const { volume: v } = await loadSeries(MRI_DIR);
  assert.equal(v.units, "MR");
  assert.deepEqual(v.shape, [104, 150, 133]);
  assert.deepEqual(axisCodes(v.direction), ["L", "P", "S"]);
  assert.ok(Math.abs(v.direction[1]) > 0.005, "orientation is oblique, not snapped to the axes");
  // The last voxel lands where the last slice's ImagePositionPatient says (plus the in-plane offset).
  const last = (await loadSeries(MRI_DIR)).slices.at(-1)!;
  const p = voxelToPatient(v, [0, 0, v.shape[2] - 1]);
  for (let a = 0; a < 3; a++) assert.ok(Math.abs(p[a] - last.imagePosition![a]) < 0.05, `axis ${a}: ${p[a]} vs ${last.imagePosition![a]}`);
});

test("a truncated file is a TruncatedDicomError naming it", async () => {
  const dir = copyCt();
  const f = path.join(dir, "IM0050.dcm");
  const bytes = fs.readFileSync(f);
  fs.writeFileSync(f, bytes.subarray(0, bytes.length - 5000));
  await assert.rejects(() => loadSeries(dir), (e: unknown) => e instanceof TruncatedDicomError && e.path === f && /IM0050\.dcm: truncated DICOM file/.test(e.message));
  // Listing never throws: the problem is collected.
  const l = listSeries(dir);
  assert.equal(l.problems.length, 1);
  assert.equal(l.problems[0].code, "TRUNCATED_DICOM");
  fs.rmSync(dir, { recursive: true });
});

test("a slice removed from the middle is a MissingSliceError saying where", async () => {
  const dir = copyCt();
  fs.rmSync(path.join(dir, "IM0060.dcm"));
  await assert.rejects(() => loadSeries(dir), (e: unknown) => {
    assert.ok(e instanceof MissingSliceError);
    assert.equal(e.missing, 1);
    assert.match(e.message, /1 slice\(s\) missing after slice 58 \(.*IM0059\.dcm, at 87\.00 mm along the normal\) and before .*IM0061\.dcm: gap of 3\.00 mm where the spacing is 1\.50 mm/);
    return true;
  });
  fs.rmSync(path.join(dir), { recursive: true });
});

test("two series mixed in one folder need a choice", async () => {
  const dir = copyCt();
  for (const f of fs.readdirSync(MRI_DIR)) fs.copyFileSync(path.join(MRI_DIR, f), path.join(dir, "mr-" + f));
  const l = listSeries(dir);
  assert.equal(l.series.length, 2);
  await assert.rejects(() => loadSeries(dir), (e: unknown) => e instanceof MultipleSeriesError && e.seriesUids.length === 2 && /2 series found; choose one/.test(e.message));
  const mr = l.series.find((s) => s.modality === "MR")!;
  const v = (await loadSeries(dir, { seriesUid: mr.seriesInstanceUid })).volume;
  assert.deepEqual(v.shape, [104, 150, 133]);
  fs.rmSync(dir, { recursive: true });
});

test("a non-DICOM file among the slices is a NotDicomError; README and licences are ignored", async () => {
  const dir = copyCt();
  fs.writeFileSync(path.join(dir, "README.md"), "# provenance\n");
  assert.equal((await loadSeries(dir)).volume.shape[2], 108);
  const junk = path.join(dir, "IM0200.dcm");
  fs.writeFileSync(junk, Buffer.alloc(4096, 7));
  await assert.rejects(() => loadSeries(dir), (e: unknown) => e instanceof NotDicomError && e.path === junk && /IM0200\.dcm: not a DICOM file/.test(e.message));
  // strict: false skips it with a warning instead.
  const r = await loadSeries(dir, { strict: false });
  assert.equal(r.volume.shape[2], 108);
  assert.ok(r.warnings.some((w) => w.includes("IM0200.dcm")));
  await assert.rejects(() => loadSeries(junk), NotDicomError);
  fs.rmSync(dir, { recursive: true });
});

test("mismatched rows/columns within a series", async () => {
  const dir = copyCt();
  const f = path.join(dir, "IM0010.dcm");
  fs.writeFileSync(f, setUint16(fs.readFileSync(f), "x00280010", 128));
  await assert.rejects(() => loadSeries(dir), (e: unknown) => e instanceof InconsistentSeriesError && /mismatched image size: 256×128/.test(e.message) && e.path === f);
  fs.rmSync(dir, { recursive: true });
});

test("non-image objects are skipped with a warning", async () => {
  const dir = copyCt();
  // A non-image object has neither pixel data nor the image pixel module (a CT slice without its pixel data is damaged, see below).
  const noImage = withoutPixelData(fs.readFileSync(path.join(dir, "IM0001.dcm")));
  const imagePixelModule = ["x00280002", "x00280004", "x00280010", "x00280011", "x00280030", "x00280100", "x00280101", "x00280102", "x00280103", "x00281050", "x00281051", "x00281052", "x00281053"];
  fs.writeFileSync(path.join(dir, "SR0001.dcm"), editElements(noImage, { x00080016: "1.2.840.10008.5.1.4.1.1.88.11", ...Object.fromEntries(imagePixelModule.map((t) => [t, null])) }));
  const r = await loadSeries(dir);
  assert.equal(r.volume.shape[2], 108);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /SR0001\.dcm: non-image DICOM object \(Basic Text SR\), skipped/);
  assert.deepEqual(r.skipped.map((s) => path.basename(s.path)), ["SR0001.dcm"]);
  fs.rmSync(dir, { recursive: true });
});

test("compressed transfer syntaxes: RLE is decoded exactly, a syntax without a codec is named in the error", async () => {
  const dir = copyCt();
  const f = path.join(dir, "IM0054.dcm");
  const bytes = fs.readFileSync(f);
  const l = layout(bytes);
  const pixels = bytes.subarray(l.pixelValueStart, l.pixelValueStart + 256 * 256 * 2);
  const before = (await loadSeries(dir)).volume;
  fs.writeFileSync(f, withEncapsulatedPixels(bytes, "1.2.840.10008.1.2.5", rleEncode16(pixels)));
  const after = (await loadSeries(dir)).volume;
  assert.ok(Buffer.from(after.data.buffer).equals(Buffer.from(before.data.buffer)), "RLE slice decodes to the same HU");
  // (JPEG, JPEG-LS and JPEG 2000 are decoded: test/dicom/codecs.test.ts.) MPEG2 has no codec in unmask.
  fs.writeFileSync(f, withEncapsulatedPixels(bytes, "1.2.840.10008.1.2.4.100", Buffer.from([0, 0, 1, 0xb3])));
  await assert.rejects(() => loadSeries(dir), (e: unknown) => e instanceof UnsupportedTransferSyntaxError && e.transferSyntaxUid === "1.2.840.10008.1.2.4.100" && /IM0054\.dcm: pixel data is compressed as MPEG2 Main Profile/.test(e.message));
  fs.rmSync(dir, { recursive: true });
});

test("a wrong path and a folder without DICOM", async () => {
  await assert.rejects(() => loadSeries("/nonexistent/scan"), (e: unknown) => e instanceof FileNotFoundError && /not found: \/nonexistent\/scan/.test(e.message));
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, "notes.txt"), "hello");
  await assert.rejects(() => loadSeries(dir), NoDicomFoundError);
  fs.rmSync(dir, { recursive: true });
});
