import { before, after, test } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as dicomParser from "dicom-parser";
import { CorruptPixelDataError, UnsupportedTransferSyntaxError } from "unmask/core";
import { loadFrameDecoder, loadSeries, readDicomFile, readDicomHeader } from "unmask/dicom";
import { CT_DIR, MRI_DIR, tempDir } from "../helpers/paths";
import { editElements, layout, setUint16, withEncapsulatedPixels } from "../helpers/dicom-edit";

// Compressed copies of a few shipped CT and MRI slices, made here with Debian's dcmtk and gdcm
// (scripts/setup.sh installs both); decoded through loadSeries, the path users take.

// IM0100's JPEG Lossless stream (dcmcjpeg +el) ends where jpeg-lossless-decoder-js used to drop the last pixel.
const CT_SLICES = ["IM0099.dcm", "IM0100.dcm", "IM0101.dcm"];
const MR_SLICES = ["IM0061.dcm", "IM0062.dcm", "IM0063.dcm"];

const TS = {
  baseline: "1.2.840.10008.1.2.4.50",
  extended: "1.2.840.10008.1.2.4.51",
  process14: "1.2.840.10008.1.2.4.57",
  sv1: "1.2.840.10008.1.2.4.70",
  jpegLs: "1.2.840.10008.1.2.4.80",
  jpegLsNear: "1.2.840.10008.1.2.4.81",
  j2kLossless: "1.2.840.10008.1.2.4.90",
  j2k: "1.2.840.10008.1.2.4.91",
  rle: "1.2.840.10008.1.2.5",
  explicitLe: "1.2.840.10008.1.2.1",
};

let work = "";
const dir = (name: string) => path.join(work, name);

/** A folder `name` holding each source slice run through `tool args… in out`. */
function convert(name: string, src: string, slices: string[], tool: string, args: string[]): string {
  const out = dir(name);
  fs.mkdirSync(out, { recursive: true });
  for (const f of slices) execFileSync(tool, [...args, path.join(src, f), path.join(out, f)], { stdio: ["ignore", "ignore", "pipe"] });
  return out;
}

before(() => {
  work = tempDir("unmask-codecs-");
  for (const [name, src, slices] of [["ct", CT_DIR, CT_SLICES], ["mr", MRI_DIR, MR_SLICES]] as const) {
    fs.mkdirSync(dir(name));
    for (const f of slices) fs.copyFileSync(path.join(src, f), path.join(dir(name), f));
  }
  // Lossless.
  convert("ct-p14", CT_DIR, CT_SLICES, "dcmcjpeg", ["+el"]);
  convert("ct-sv1", CT_DIR, CT_SLICES, "dcmcjpeg", ["+e1"]);
  // Frames split over 4 KiB fragments, with and without a Basic Offset Table.
  convert("ct-sv1-fragments", CT_DIR, CT_SLICES, "dcmcjpeg", ["+e1", "+fs", "4"]);
  convert("ct-p14-fragments-nobot", CT_DIR, CT_SLICES, "dcmcjpeg", ["+el", "+fs", "4", "-ot"]);
  convert("ct-jls", CT_DIR, CT_SLICES, "dcmcjpls", ["+el"]);
  convert("ct-j2k", CT_DIR, CT_SLICES, "gdcmconv", ["--j2k"]);
  convert("ct-rle", CT_DIR, CT_SLICES, "dcmcrle", []);
  convert("mr-sv1", MRI_DIR, MR_SLICES, "dcmcjpeg", ["+e1"]);
  convert("mr-jls", MRI_DIR, MR_SLICES, "dcmcjpls", ["+el"]);
  convert("mr-j2k", MRI_DIR, MR_SLICES, "gdcmconv", ["--j2k"]);
  // Signed 12-bit CT (PixelRepresentation 1, BitsStored 12, HU stored directly), a common scanner layout.
  fs.mkdirSync(dir("ct-signed12"));
  for (const f of CT_SLICES) {
    let b = editElements(fs.readFileSync(path.join(CT_DIR, f)), { x00281052: "0" });
    const start = layout(b).pixelValueStart;
    for (let p = 0; p < 256 * 256; p++) b.writeInt16LE(Math.max(-2048, Math.min(2047, b.readUInt16LE(start + 2 * p) - 1024)), start + 2 * p);
    b = setUint16(setUint16(setUint16(b, "x00280103", 1), "x00280101", 12), "x00280102", 11);
    fs.writeFileSync(path.join(dir("ct-signed12"), f), b);
  }
  convert("ct-signed12-sv1", dir("ct-signed12"), CT_SLICES, "dcmcjpeg", ["+e1"]);
  convert("ct-signed12-jls", dir("ct-signed12"), CT_SLICES, "dcmcjpls", ["+el"]);
  convert("ct-signed12-j2k", dir("ct-signed12"), CT_SLICES, "gdcmconv", ["--j2k"]);
  // Lossy, each with the outside tool's own decode of the same files as the reference.
  convert("mr-baseline", MRI_DIR, MR_SLICES, "dcmcjpeg", ["+eb", "+be"]);
  convert("mr-extended8", MRI_DIR, MR_SLICES, "dcmcjpeg", ["+ee", "+be"]);
  convert("ct-jls-near", CT_DIR, CT_SLICES, "dcmcjpls", ["+en", "+md", "2"]);
  convert("ct-j2k-lossy", CT_DIR, CT_SLICES, "gdcmconv", ["--j2k", "--lossy", "-r", "10"]);
  convert("ref-mr-baseline", dir("mr-baseline"), MR_SLICES, "dcmdjpeg", []);
  convert("ref-mr-extended8", dir("mr-extended8"), MR_SLICES, "dcmdjpeg", []);
  convert("ref-ct-jls-near", dir("ct-jls-near"), CT_SLICES, "dcmdjpls", []);
  convert("ref-ct-j2k-lossy", dir("ct-j2k-lossy"), CT_SLICES, "gdcmconv", ["--raw"]);
  // 12-bit lossy JPEG (Process 4): no offline codec has it.
  convert("ct-extended12", CT_DIR, CT_SLICES, "dcmcjpeg", ["+ee", "+bt"]);
});

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Every file of a folder is in the expected transfer syntax (so a tool that silently wrote native data fails the test). */
function assertSyntax(folder: string, uid: string): void {
  for (const f of fs.readdirSync(folder)) assert.equal(readDicomHeader(path.join(folder, f)).header.transferSyntaxUid, uid, `${folder}/${f}`);
}

function bytesOf(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

test("lossless syntaxes decode to the uncompressed CT and MRI voxel for voxel", async () => {
  const ct = (await loadSeries(dir("ct"))).volume, mr = (await loadSeries(dir("mr"))).volume;
  const signed = (await loadSeries(dir("ct-signed12"))).volume;
  assert.deepEqual(ct.shape, [256, 256, 3]);
  assert.ok(signed.data.some((v) => v < -1000), "the signed copy holds negative stored values");
  const cases: [string, string, typeof ct][] = [
    ["ct-p14", TS.process14, ct], ["ct-sv1", TS.sv1, ct], ["ct-sv1-fragments", TS.sv1, ct], ["ct-p14-fragments-nobot", TS.process14, ct],
    ["ct-jls", TS.jpegLs, ct], ["ct-j2k", TS.j2kLossless, ct], ["ct-rle", TS.rle, ct],
    ["mr-sv1", TS.sv1, mr], ["mr-jls", TS.jpegLs, mr], ["mr-j2k", TS.j2kLossless, mr],
    ["ct-signed12-sv1", TS.sv1, signed], ["ct-signed12-jls", TS.jpegLs, signed], ["ct-signed12-j2k", TS.j2kLossless, signed],
  ];
  for (const [name, uid, reference] of cases) {
    assertSyntax(dir(name), uid);
    const loaded = await loadSeries(dir(name));
    assert.deepEqual(loaded.volume.shape, reference.shape, name);
    assert.deepEqual(loaded.warnings, [], name);
    assert.ok(bytesOf(loaded.volume.data).equals(bytesOf(reference.data)), `${name}: decoded volume differs from the uncompressed one`);
  }
  // The fragment cases really are split, one with a Basic Offset Table and one without.
  const split = readDicomFile(path.join(dir("ct-sv1-fragments"), CT_SLICES[0])).dataSet.elements.x7fe00010;
  const nobot = readDicomFile(path.join(dir("ct-p14-fragments-nobot"), CT_SLICES[0])).dataSet.elements.x7fe00010;
  assert.ok(split.fragments!.length > 1 && split.basicOffsetTable!.length === 1, "fragmented, with an offset table");
  assert.ok(nobot.fragments!.length > 1 && nobot.basicOffsetTable!.length === 0, "fragmented, empty offset table");
});

test("lossy syntaxes decode within ±1 of dcmtk's or gdcm's decode of the same files", async () => {
  const cases: [string, string][] = [["mr-baseline", TS.baseline], ["mr-extended8", TS.extended], ["ct-jls-near", TS.jpegLsNear], ["ct-j2k-lossy", TS.j2k]];
  for (const [name, uid] of cases) {
    assertSyntax(dir(name), uid);
    assertSyntax(dir(`ref-${name}`), TS.explicitLe);
    const ours = await loadSeries(dir(name)), ref = await loadSeries(dir(`ref-${name}`));
    assert.deepEqual(ours.volume.shape, ref.volume.shape, name);
    const slope = Math.abs(ours.slices[0].rescaleSlope);
    let worst = 0;
    for (let i = 0; i < ref.volume.data.length; i++) worst = Math.max(worst, Math.abs(ours.volume.data[i] - ref.volume.data[i]));
    assert.ok(worst <= slope + 1e-6, `${name}: largest difference from the reference decode is ${worst}`);
  }
  // JPEG-LS near-lossless with NEAR = 2 keeps every voxel within 2 of the original.
  const near = (await loadSeries(dir("ct-jls-near"))).volume.data, ct = (await loadSeries(dir("ct"))).volume.data;
  let worst = 0, changed = 0;
  for (let i = 0; i < ct.length; i++) {
    const d = Math.abs(near[i] - ct[i]);
    worst = Math.max(worst, d);
    if (d > 0) changed++;
  }
  assert.ok(worst <= 2 && changed > 0, `near-lossless: max deviation ${worst}, ${changed} voxels changed`);
});

test("12-bit JPEG Extended is a named UnsupportedTransferSyntaxError; unknown syntaxes have no decoder", async () => {
  assertSyntax(dir("ct-extended12"), TS.extended);
  await assert.rejects(async () => loadSeries(dir("ct-extended12")), (e: unknown) =>
    e instanceof UnsupportedTransferSyntaxError && e.transferSyntaxUid === TS.extended &&
    /IM0\d{3}\.dcm: pixel data is compressed as JPEG Extended \(Process 2 & 4\) with 12-bit samples/.test(e.message));
  assert.equal(await loadFrameDecoder("1.2.840.10008.1.2.4.100"), null); // MPEG2
  for (const uid of [TS.baseline, TS.extended, TS.process14, TS.sv1, TS.jpegLs, TS.jpegLsNear, TS.j2kLossless, TS.j2k]) {
    assert.equal(typeof (await loadFrameDecoder(uid)), "function", uid);
  }
});

/** The first frame of a compressed file (all its fragments joined). */
function frameOf(file: string): Buffer {
  const bytes = fs.readFileSync(file);
  const ds = dicomParser.parseDicom(bytes);
  const el = ds.elements.x7fe00010;
  return Buffer.from(dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, el.fragments!.length));
}

/** A stream cut at half its length that still ends with an EOI/EOC marker, so that the codec itself meets the damage. */
function cutInHalf(frame: Buffer): Buffer {
  let end = frame.length;
  while (frame[end - 1] === 0) end--;
  return Buffer.concat([frame.subarray(0, end >> 1), Buffer.from([0xff, 0xd9])]);
}

test("a damaged stream is a CorruptPixelDataError naming the file and the codec's message", async () => {
  const flipMiddle = (f: Buffer) => {
    const g = Buffer.from(f);
    for (let i = Math.floor(g.length * 0.3); i < g.length * 0.6; i += 37) g[i] ^= 0xa5;
    return g;
  };
  const cases: [string, string, (f: Buffer) => Buffer, RegExp][] = [
    ["mr-baseline", TS.baseline, cutInHalf, /libjpeg-turbo: decompressing JPEG image/],
    ["ct-p14", TS.process14, cutInHalf, /jpeg-lossless: (the scan ends after \d+ of 256 rows|the decoder read \d+ byte\(s\) past the end)/],
    ["ct-jls", TS.jpegLs, flipMiddle, /charls: Invalid JPEG-LS stream/],
    ["ct-j2k", TS.j2kLossless, cutInHalf, /openjpeg: .*failed to decode tile/],
    // Cut without an end marker: caught before the codec (JPEG 2000 would decode it at lower quality).
    ["ct-j2k-lossy", TS.j2k, (f) => f.subarray(0, f.length >> 1), /does not end with its EOC marker \(FFD9\)/],
    ["ct-sv1", TS.sv1, (f) => f.subarray(0, f.length - 100), /does not end with its EOI marker \(FFD9\)/],
    // A stream whose frame header contradicts the DICOM header is refused before the codec allocates.
    ["ct-jls", TS.jpegLs, (f) => { const g = Buffer.from(f); const p = g.indexOf(Buffer.from([0xff, 0xf7])); g.writeUInt16BE(65535, p + 5); return g; }, /JPEG frame header says 256×65535×1, the DICOM header 256×256×1/],
  ];
  for (const [name, uid, damage, message] of cases) {
    const copy = tempDir("unmask-codecs-damaged-");
    for (const f of fs.readdirSync(dir(name))) fs.copyFileSync(path.join(dir(name), f), path.join(copy, f));
    // A middle slice of the series is the damaged one.
    const target = path.join(copy, name.startsWith("mr") ? MR_SLICES[2] : CT_SLICES[2]);
    fs.writeFileSync(target, withEncapsulatedPixels(fs.readFileSync(target), uid, damage(frameOf(target))));
    await assert.rejects(async () => loadSeries(copy), (e: unknown) => {
      assert.ok(e instanceof CorruptPixelDataError, `${name}: ${e}`);
      assert.equal(e.code, "CORRUPT_PIXEL_DATA");
      assert.equal(e.path, target);
      assert.ok(e.message.startsWith(`${target}: corrupt pixel data`), e.message);
      assert.match(e.message, message, name);
      return true;
    });
    fs.rmSync(copy, { recursive: true });
  }
});

test("damaged frames give a full-size frame or a CorruptPixelDataError, and leave every codec working", async () => {
  // Deterministic damage (a fixed-seed generator): cuts, bit flips in the headers, random bytes, inserted
  // markers, deleted runs. Streams without a checksum (JPEG 2000, JPEG Lossless) may still "decode".
  let seed = 20261202;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const at = (n: number) => Math.floor(random() * n);
  const damages = [
    (f: Buffer) => f.subarray(0, at(f.length)),
    (f: Buffer) => { const g = Buffer.from(f); for (let j = 0; j < 4; j++) g[at(Math.min(g.length, 400))] ^= 1 << at(8); return g; },
    (f: Buffer) => { const g = Buffer.from(f); for (let j = 0; j < 20; j++) g[at(g.length)] = at(256); return g; },
    (f: Buffer) => { const g = Buffer.from(f); const i = at(Math.min(g.length - 1, 300)); g[i] = 0xff; g[i + 1] = at(256); return g; },
    (f: Buffer) => { const i = at(f.length); return Buffer.concat([f.subarray(0, i), f.subarray(i + at(200))]); },
  ];
  const cases: [string, string][] = [
    ["mr-baseline", MR_SLICES[1]], ["ct-p14", CT_SLICES[1]], ["ct-sv1", CT_SLICES[1]], ["ct-jls", CT_SLICES[1]],
    ["ct-jls-near", CT_SLICES[1]], ["ct-j2k", CT_SLICES[1]], ["ct-j2k-lossy", CT_SLICES[1]],
  ];
  const outcomes: Record<string, number> = {};
  for (const [name, file] of cases) {
    const { header: h } = readDicomHeader(path.join(dir(name), file));
    const decode = (await loadFrameDecoder(h.transferSyntaxUid))!;
    const info = { rows: h.rows, columns: h.columns, bitsAllocated: h.bitsAllocated, bitsStored: h.bitsStored, pixelRepresentation: h.pixelRepresentation, samplesPerPixel: 1, path: file };
    const frame = frameOf(path.join(dir(name), file));
    const good = Buffer.from(decode(frame, info));
    for (let k = 0; k < 20; k++) {
      const damaged = damages[k % damages.length](frame);
      try {
        assert.equal(decode(new Uint8Array(damaged), info).length, h.rows * h.columns * (h.bitsAllocated / 8), `${name} #${k}`);
        outcomes.decoded = (outcomes.decoded ?? 0) + 1;
      } catch (e) {
        assert.ok(e instanceof CorruptPixelDataError && e.path === file, `${name} #${k}: ${e}`);
        outcomes[e.code] = (outcomes[e.code] ?? 0) + 1;
      }
    }
    assert.ok(Buffer.from(decode(frame, info)).equals(good), `${name}: the intact frame decodes as before`);
  }
  assert.ok((outcomes.CORRUPT_PIXEL_DATA ?? 0) > 70, JSON.stringify(outcomes));
});
