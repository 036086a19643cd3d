import * as dicomParser from "dicom-parser";

// Small byte-level edits of real DICOM files, to make broken or differently encoded copies in tests.

function le16(v: number): Buffer { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; }
function le32(v: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; }
function tag(group: number, element: number): Buffer { return Buffer.concat([le16(group), le16(element)]); }

/** Explicit VR little endian element with a short (2-byte) length. */
function shortElement(group: number, element: number, vr: string, value: Buffer): Buffer {
  return Buffer.concat([tag(group, element), Buffer.from(vr, "latin1"), le16(value.length), value]);
}
function uid(s: string): Buffer {
  const b = Buffer.from(s, "latin1");
  return b.length % 2 ? Buffer.concat([b, Buffer.from([0])]) : b;
}

/** Offsets of the dataset after the file meta group, and of the pixel data element's header. */
export function layout(bytes: Buffer): { datasetStart: number; pixelElementStart: number; pixelValueStart: number; sopClass: string; sopInstance: string } {
  const ds = dicomParser.parseDicom(bytes);
  const meta = Object.values(ds.elements).filter((e) => e.tag.startsWith("x0002"));
  const datasetStart = Math.max(...meta.map((e) => e.dataOffset + e.length));
  const pd = ds.elements.x7fe00010;
  return { datasetStart, pixelElementStart: pd.dataOffset - 12, pixelValueStart: pd.dataOffset, sopClass: ds.string("x00020002") ?? "", sopInstance: ds.string("x00020003") ?? "" };
}

/** A new Part 10 file: preamble, a meta group naming `transferSyntax`, then `dataset` bytes. */
export function part10(transferSyntax: string, sopClass: string, sopInstance: string, dataset: Buffer): Buffer {
  const body = Buffer.concat([
    Buffer.concat([tag(2, 1), Buffer.from("OB", "latin1"), Buffer.alloc(2), le32(2), Buffer.from([0, 1])]),
    shortElement(2, 2, "UI", uid(sopClass)),
    shortElement(2, 3, "UI", uid(sopInstance)),
    shortElement(2, 0x10, "UI", uid(transferSyntax)),
  ]);
  const groupLength = shortElement(2, 0, "UL", le32(body.length));
  return Buffer.concat([Buffer.alloc(128), Buffer.from("DICM", "latin1"), groupLength, body, dataset]);
}

/** Encapsulated pixel data element: empty basic offset table, one fragment, sequence delimiter. */
export function encapsulatedPixelData(fragment: Buffer): Buffer {
  const frag = fragment.length % 2 ? Buffer.concat([fragment, Buffer.from([0])]) : fragment;
  return Buffer.concat([
    tag(0x7fe0, 0x10), Buffer.from("OB", "latin1"), Buffer.alloc(2), le32(0xffffffff),
    tag(0xfffe, 0xe000), le32(0),
    tag(0xfffe, 0xe000), le32(frag.length), frag,
    tag(0xfffe, 0xe0dd), le32(0),
  ]);
}

/** Re-encode an explicit-VR-LE file's pixel data as `fragment` under another transfer syntax. */
export function withEncapsulatedPixels(bytes: Buffer, transferSyntax: string, fragment: Buffer): Buffer {
  const l = layout(bytes);
  const dataset = Buffer.concat([bytes.subarray(l.datasetStart, l.pixelElementStart), encapsulatedPixelData(fragment)]);
  return part10(transferSyntax, l.sopClass, l.sopInstance, dataset);
}

/** The file with its pixel data element removed: a DICOM object without an image. */
export function withoutPixelData(bytes: Buffer, sopClass = "1.2.840.10008.5.1.4.1.1.88.11"): Buffer {
  const l = layout(bytes);
  return part10("1.2.840.10008.1.2.1", sopClass, l.sopInstance, bytes.subarray(l.datasetStart, l.pixelElementStart));
}

/** DICOM RLE Lossless encoding (PS3.5 Annex G) of 16-bit little-endian greyscale pixels, literal runs only. */
export function rleEncode16(pixels: Buffer): Buffer {
  const n = pixels.length / 2;
  const segment = (byteIndex: number) => {
    const parts: Buffer[] = [];
    for (let p = 0; p < n; p += 128) {
      const len = Math.min(128, n - p);
      const run = Buffer.alloc(len + 1);
      run[0] = len - 1;
      for (let q = 0; q < len; q++) run[q + 1] = pixels[2 * (p + q) + byteIndex];
      parts.push(run);
    }
    const s = Buffer.concat(parts);
    return s.length % 2 ? Buffer.concat([s, Buffer.from([0x80])]) : s;
  };
  const hi = segment(1), lo = segment(0);
  const header = Buffer.alloc(64);
  header.writeUInt32LE(2, 0);
  header.writeUInt32LE(64, 4);
  header.writeUInt32LE(64 + hi.length, 8);
  return Buffer.concat([header, hi, lo]);
}

/** Overwrite a US (uint16) element's value in place, e.g. Rows. */
export function setUint16(bytes: Buffer, tagName: string, value: number): Buffer {
  const ds = dicomParser.parseDicom(bytes);
  const el = ds.elements[tagName];
  const out = Buffer.from(bytes);
  out.writeUInt16LE(value, el.dataOffset);
  return out;
}

const LONG_VR = new Set(["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"]);

/** Where a top-level element of an explicit-VR-LE file starts and ends (header included). */
export function elementSpan(bytes: Buffer, tagName: string): { start: number; end: number; vr: string; valueStart: number } | null {
  const ds = dicomParser.parseDicom(bytes);
  const el = ds.elements[tagName];
  if (!el) return null;
  const vr = el.vr ?? bytes.toString("latin1", el.dataOffset - 6, el.dataOffset - 4);
  const headerLength = LONG_VR.has(vr) ? 12 : 8;
  const length = el.hadUndefinedLength ? -1 : el.length;
  const end = length < 0 ? bytes.length : el.dataOffset + length;
  return { start: el.dataOffset - headerLength, end, vr, valueStart: el.dataOffset };
}

/** The file with top-level elements (explicit VR LE dataset, not the meta group) removed or given a new string value. */
export function editElements(bytes: Buffer, edits: Record<string, string | null>): Buffer {
  let out = bytes;
  // Work from the end of the file so earlier offsets stay valid.
  const spans = Object.keys(edits).map((t) => ({ t, s: elementSpan(bytes, t) })).filter((x) => x.s).sort((a, b) => b.s!.start - a.s!.start);
  for (const { t, s } of spans) {
    const value = edits[t];
    let replacement = Buffer.alloc(0);
    if (value !== null) {
      let v = Buffer.from(value, "latin1");
      if (v.length % 2) v = Buffer.concat([v, Buffer.from([s!.vr === "UI" ? 0 : 0x20])]);
      replacement = Buffer.concat([out.subarray(s!.start, s!.start + 6), le16(v.length), v]);
    }
    out = Buffer.concat([out.subarray(0, s!.start), replacement, out.subarray(s!.end)]);
  }
  return out;
}
