import { test } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { InconsistentSeriesError, InvalidDicomError, TruncatedDicomError, UnmaskError } from "unmask/core";
import { listSeries, loadSeries } from "unmask";
import { CT_DIR, MRI_DIR, tempDir } from "../helpers/paths";
import { cli } from "../helpers/cli";
import { elementPlaces } from "../helpers/fuzz";
import { editElements, layout, rleEncode16, setUint16, withEncapsulatedPixels } from "../helpers/dicom-edit";

// Header validation before allocation, the corner cases of pixel decoding, damaged slices in a series
// and Deflated Explicit VR Little Endian — each against real files edited byte by byte (or re-encoded
// by dcmtk) and, where a reader disagrees with unmask, against pydicom.

const ctFiles = () => fs.readdirSync(CT_DIR).filter((f) => f.endsWith(".dcm")).sort();

/** A folder with `n` consecutive CT slices from `from` (copies; inputs are never modified). */
function ctRun(n = 12, from = 40): string {
  const dir = tempDir();
  for (const f of ctFiles().slice(from, from + n)) fs.copyFileSync(path.join(CT_DIR, f), path.join(dir, f));
  return dir;
}

function pydicomPixels(file: string, points: [number, number][]): number[] {
  const py = "import sys, json, pydicom\nfrom pydicom.pixel_data_handlers.util import apply_modality_lut\nds = pydicom.dcmread(sys.argv[1])\na = apply_modality_lut(ds.pixel_array, ds)\nprint(json.dumps([float(a[r][c]) for r, c in json.loads(sys.argv[2])]))";
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", py, file, JSON.stringify(points)], { encoding: "utf8" }));
}

test("a 65535×65535 header is a typed error before any large allocation", async () => {
  const dir = tempDir();
  const f = path.join(dir, "huge.dcm");
  fs.writeFileSync(f, setUint16(setUint16(fs.readFileSync(path.join(CT_DIR, "IM0054.dcm")), "x00280010", 65535), "x00280011", 65535));
  const before = process.memoryUsage().arrayBuffers;
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().arrayBuffers); }, 1);
  await assert.rejects(() => loadSeries(f), (e: unknown) => {
    assert.ok(e instanceof InvalidDicomError, String(e));
    assert.equal(e.path, f);
    assert.equal(e.attribute, "Pixel Data (7FE0,0010)");
    assert.match(e.message, /huge\.dcm: Pixel Data \(7FE0,0010\): holds 131072 bytes .*65535 × 65535 × 2 needs 8589672450/);
    return true;
  });
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  assert.ok(peak - before < 64 << 20, `array buffers grew by ${((peak - before) / 2 ** 20).toFixed(1)} MiB`);
  // Listing reports the same error for the file and lists no series from it.
  const l = listSeries(dir);
  assert.equal(l.series.length, 0);
  assert.equal(l.problems[0].code, "INVALID_DICOM");
  fs.rmSync(dir, { recursive: true });
});

test("missing Rows, pixel data longer than needed, CT without rescale, RLE offsets out of the frame", async () => {
  const dir = tempDir();
  const src = fs.readFileSync(path.join(CT_DIR, "IM0054.dcm"));
  const noRows = path.join(dir, "norows.dcm");
  fs.writeFileSync(noRows, editElements(src, { x00280010: null }));
  await assert.rejects(() => loadSeries(noRows), (e: unknown) => e instanceof InvalidDicomError && e.attribute === "Rows (0028,0010)" && /norows\.dcm: Rows \(0028,0010\): missing/.test(e.message));

  // Extra bytes after the pixels (length field grown to match): a warning naming the file, same values.
  const l = layout(src);
  const longer = Buffer.concat([src, Buffer.alloc(6)]);
  longer.writeUInt32LE(131072 + 6, l.pixelElementStart + 8);
  const extra = path.join(dir, "extra.dcm");
  fs.writeFileSync(extra, longer);
  const a = await loadSeries(path.join(CT_DIR, "IM0054.dcm")), b = await loadSeries(extra);
  assert.ok(Buffer.from(a.volume.data.buffer).equals(Buffer.from(b.volume.data.buffer)));
  assert.ok(b.warnings.some((w) => /extra\.dcm: Pixel Data \(7FE0,0010\) holds 131078 bytes where 256 × 256 × 2 needs 131072; the 6 extra bytes are ignored/.test(w)), b.warnings.join("\n"));

  const noRescale = path.join(dir, "norescale.dcm");
  fs.writeFileSync(noRescale, editElements(src, { x00281052: null, x00281053: null }));
  const c = await loadSeries(noRescale);
  assert.ok(c.warnings.some((w) => /norescale\.dcm: CT without RescaleSlope\/RescaleIntercept .* stored values taken as HU/.test(w)), c.warnings.join("\n"));
  assert.equal(c.volume.data[0] - 1024, a.volume.data[0]);

  const rle = rleEncode16(src.subarray(l.pixelValueStart, l.pixelValueStart + 131072));
  rle.writeUInt32LE(rle.length + 100, 8); // second segment starts past the frame
  const badRle = path.join(dir, "badrle.dcm");
  fs.writeFileSync(badRle, withEncapsulatedPixels(src, "1.2.840.10008.1.2.5", rle));
  await assert.rejects(() => loadSeries(badRle), (e: unknown) => e instanceof InvalidDicomError && e.attribute === "RLE header" && /badrle\.dcm: RLE header: segment 0 spans bytes 64–\d+, outside/.test(e.message));
  fs.rmSync(dir, { recursive: true });
});

test("12-bit signed CT keeps its −3024 padding (no masking to BitsStored), as pydicom reads it", async () => {
  const dir = tempDir();
  const src = fs.readFileSync(path.join(CT_DIR, "IM0054.dcm"));
  const l = layout(src);
  let edited = setUint16(setUint16(setUint16(src, "x00280103", 1), "x00280101", 12), "x00280102", 11);
  edited = Buffer.from(edited);
  edited.writeInt16LE(-3024, l.pixelValueStart); // (0, 0)
  edited.writeInt16LE(-1, l.pixelValueStart + 2); // (0, 1)
  edited.writeInt16LE(1200, l.pixelValueStart + 4); // (0, 2)
  const f = path.join(dir, "signed12.dcm");
  fs.writeFileSync(f, edited);
  const v = (await loadSeries(f)).volume;
  const intercept = -1024;
  assert.deepEqual([v.data[0], v.data[1], v.data[2]], [-3024 + intercept, -1 + intercept, 1200 + intercept]);
  assert.deepEqual(pydicomPixels(f, [[0, 0], [0, 1], [0, 2]]), [v.data[0], v.data[1], v.data[2]]);
  fs.rmSync(dir, { recursive: true });
});

test("MONOCHROME1 MR is inverted within BitsStored; Float Pixel Data is read as floats", async () => {
  const dir = tempDir();
  const mr = fs.readdirSync(MRI_DIR).filter((f) => f.endsWith(".dcm")).sort()[60];
  const src = fs.readFileSync(path.join(MRI_DIR, mr));
  const f = path.join(dir, "mono1.dcm");
  fs.writeFileSync(f, editElements(src, { x00280004: "MONOCHROME1" }));
  const a = (await loadSeries(path.join(MRI_DIR, mr))).volume, b = (await loadSeries(f)).volume;
  const bits = 16; // the sample's BitsStored
  for (const p of [0, 5000, 7800, 15000]) assert.equal(b.data[p], 2 ** bits - 1 - a.data[p]);

  // Float Pixel Data (7FE0,0008), 32-bit: values come back as written.
  const l = layout(src);
  const rows = 150, cols = 104;
  const values = new Float32Array(rows * cols).map((_, i) => (i % 977) * 0.25 - 100);
  const head = setUint16(setUint16(src.subarray(0, l.pixelElementStart), "x00280100", 32), "x00280101", 32);
  const el = Buffer.alloc(12);
  el.writeUInt16LE(0x7fe0, 0); el.writeUInt16LE(0x0008, 2); el.write("OF", 4, "latin1"); el.writeUInt32LE(values.byteLength, 8);
  const ff = path.join(dir, "float.dcm");
  fs.writeFileSync(ff, Buffer.concat([head, el, Buffer.from(values.buffer)]));
  const fv = (await loadSeries(ff)).volume;
  assert.deepEqual(fv.shape, [cols, rows, 1]);
  assert.ok(Buffer.from(fv.data.buffer).equals(Buffer.from(values.buffer)), "float voxels as written");
  fs.rmSync(dir, { recursive: true });
});

test("a header-truncated first or last slice is an error naming it; strict: false warns and the CLI prints it", async () => {
  for (const which of ["first", "last"] as const) {
    const dir = ctRun();
    const files = fs.readdirSync(dir).sort();
    const f = path.join(dir, which === "first" ? files[0] : files[files.length - 1]);
    fs.truncateSync(f, 700);
    await assert.rejects(() => loadSeries(dir), (e: unknown) => e instanceof TruncatedDicomError && e.path === f && e.message.startsWith(`${f}: truncated DICOM file`));
    const r = await loadSeries(dir, { strict: false });
    assert.equal(r.volume.shape[2], 11);
    assert.ok(r.warnings.some((w) => w.startsWith(`${f}: truncated DICOM file`) && w.endsWith("(skipped)")), r.warnings.join("\n"));
    const out = path.join(dir, "slices.png");
    const strictRun = await cli(["view", dir, "-o", out]);
    assert.equal(strictRun.code, 1);
    assert.ok(strictRun.stderr.includes(`TRUNCATED_DICOM: ${f}: truncated DICOM file`), strictRun.stderr);
    const lenient = await cli(["view", dir, "-o", out, "--skip-damaged"]);
    assert.equal(lenient.code, 0, lenient.stderr);
    assert.ok(lenient.stderr.includes(`warning: ${f}: truncated DICOM file`), lenient.stderr);
    fs.rmSync(dir, { recursive: true });
  }
});

test("a middle slice cut in its pixels, without pixel data, or with a broken length names the file, never MISSING_SLICE", async () => {
  const damage: [string, (b: Buffer) => Buffer, RegExp][] = [
    ["cut in pixel data", (b) => b.subarray(0, b.length - 40000), /truncated DICOM file \(Pixel Data \(7FE0,0010\) needs 131072 bytes from byte \d+, the file ends at \d+\)/],
    ["pixel data removed", (b) => editElements(b, { x7fe00010: null }), /Pixel Data \(7FE0,0010\): missing in an image object/],
    ["broken length field", (b) => {
      const o = Buffer.from(b);
      const p = elementPlaces(b).find((e) => e.tag === "x00200032")!;
      o.writeUInt16LE(0xfff1, p.lengthOffset);
      return o;
    }, /IM0047\.dcm: length field of element \(0020,0032\): at byte \d+ it says 65521 bytes, but that DS value is not text/],
  ];
  for (const [what, edit, expected] of damage) {
    const dir = ctRun();
    const f = path.join(dir, fs.readdirSync(dir).sort()[6]);
    fs.writeFileSync(f, edit(fs.readFileSync(f)));
    for (const strict of [true, false]) {
      await assert.rejects(() => loadSeries(dir, { strict }), (e: unknown) => {
        assert.ok(e instanceof UnmaskError, `${what}: ${e}`);
        assert.notEqual(e.code, "MISSING_SLICE", `${what}: ${e.message}`);
        assert.equal(e.path, f, `${what}: ${e.message}`);
        assert.match(e.message, expected, what);
        if (strict) console.log(`${what}: ${e.message.replace(dir, "…")}`);
        return true;
      });
    }
    fs.rmSync(dir, { recursive: true });
  }
});

test("exact duplicates are skipped with a warning; other content at the same position stays an error", async () => {
  const dir = ctRun();
  const files = fs.readdirSync(dir).sort();
  const copy = path.join(dir, "copy-of-" + files[3]);
  fs.copyFileSync(path.join(dir, files[3]), copy);
  const r = await loadSeries(dir);
  assert.equal(r.volume.shape[2], 12);
  assert.ok(r.warnings.some((w) => w.includes("exact duplicate") && w.includes(files[3])), r.warnings.join("\n"));
  // Same SOP Instance UID, other bytes: an error naming the file.
  const other = Buffer.from(fs.readFileSync(copy));
  other[other.length - 1] ^= 1;
  fs.writeFileSync(copy, other);
  await assert.rejects(() => loadSeries(dir), (e: unknown) => e instanceof InconsistentSeriesError && /same SOP Instance UID .* but different content/.test(e.message));
  fs.rmSync(dir, { recursive: true });
});

test("Deflated Explicit VR Little Endian (dcmtk dcmconv +td) loads voxel for voxel like the native files", async () => {
  const dir = ctRun(12, 50);
  const deflated = tempDir();
  for (const f of fs.readdirSync(dir)) execFileSync("dcmconv", ["+td", path.join(dir, f), path.join(deflated, f)]);
  const l = listSeries(deflated);
  assert.deepEqual(l.problems, []);
  assert.equal(l.series[0].transferSyntax, "Deflated Explicit VR Little Endian");
  const a = await loadSeries(dir), b = await loadSeries(deflated);
  assert.deepEqual(b.volume.shape, a.volume.shape);
  assert.deepEqual(b.volume.spacing, a.volume.spacing);
  assert.ok(Buffer.from(a.volume.data.buffer).equals(Buffer.from(b.volume.data.buffer)), "same HU");
  // A deflated file cut short: a typed error naming it (the offsets of the inflated stream are checked against its size).
  const f = path.join(deflated, fs.readdirSync(deflated).sort()[0]);
  fs.truncateSync(f, fs.statSync(f).size - 2000);
  await assert.rejects(() => loadSeries(deflated), (e: unknown) => e instanceof TruncatedDicomError && e.path === f);
  fs.rmSync(dir, { recursive: true });
  fs.rmSync(deflated, { recursive: true });
});
