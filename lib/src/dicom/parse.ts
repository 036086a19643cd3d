import * as fs from "node:fs";
import * as zlib from "node:zlib";
import * as dicomParser from "dicom-parser";
import { InvalidDicomError, NotDicomError, TruncatedDicomError, UnmaskError, UnsupportedImageError } from "../core/errors";
import { isKnownSyntax, transferSyntaxName } from "./transfer-syntax";
import type { Vec3 } from "../volume/types";
import type { SliceHeader } from "./types";

/** How many bytes a header-only read starts with; the whole file is read when the header is longer. */
const HEADER_PROBE_BYTES = 64 * 1024;

/** Deflated Explicit VR Little Endian. */
export const DEFLATED_SYNTAX = "1.2.840.10008.1.2.1.99";

/** Most bytes one deflated file may inflate to (a deflate bomb stops here with a typed error). */
export const MAX_INFLATED_BYTES = 1 << 30;

/** A parsed dataset plus the header fields unmask uses. */
export interface ParsedDicom {
  dataSet: dicomParser.DataSet;
  header: SliceHeader;
}

function exceptionText(e: unknown): string {
  if (typeof e === "string") return e;
  if (e && typeof e === "object") {
    const o = e as { exception?: unknown; message?: string };
    if (o.exception !== undefined) return exceptionText(o.exception);
    return o.message ?? String(e);
  }
  return String(e);
}

/** dicom-parser's inflater hook: the whole deflated stream, with an output limit, errors typed and naming the file. */
function inflaterFor(path: string, limit: number) {
  return (arr: Uint8Array, position: number): Uint8Array => {
    let inflated: Buffer;
    try {
      inflated = zlib.inflateRawSync(arr.subarray(position), { maxOutputLength: limit });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === "ERR_BUFFER_TOO_LARGE" || /buffer.*(too large|larger)|maxOutputLength/i.test(err.message)) {
        throw new InvalidDicomError(path, "deflated dataset", `inflates to more than ${limit} bytes (the output limit)`, position);
      }
      if (/unexpected end/i.test(err.message)) {
        throw new TruncatedDicomError(path, `the deflated dataset starting at byte ${position} ends before its deflate stream does (file is ${arr.length} bytes)`, arr.length);
      }
      throw new InvalidDicomError(path, "deflated dataset", `not a valid deflate stream from byte ${position} (${err.message})`, position);
    }
    const out = Buffer.alloc(position + inflated.length);
    out.set(arr.subarray(0, position));
    out.set(inflated, position);
    return out;
  };
}

/**
 * Deflated Explicit VR Little Endian: the meta group as it is, then the whole dataset inflated (with an
 * output limit) into one stream that keeps the meta group's offsets, parsed as explicit VR LE. (dicom-parser's
 * own deflate path starts parsing at byte 0 of the inflated copy, preamble included.)
 */
function parseDeflated(bytes: Uint8Array, path: string, untilTag?: string): dicomParser.DataSet {
  const meta = dicomParser.readPart10Header(bytes as never);
  const position = (meta as unknown as { position: number }).position;
  const full = inflaterFor(path, MAX_INFLATED_BYTES)(bytes, position);
  const stream = new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, full as never, position);
  const dataSet = new (dicomParser as unknown as { DataSet: new (p: unknown, b: unknown, e: object) => dicomParser.DataSet }).DataSet(dicomParser.littleEndianByteArrayParser, full, {});
  try {
    dicomParser.parseDicomDataSetExplicit(dataSet, stream, full.length, untilTag ? { untilTag } : undefined);
  } catch (e) {
    throw { exception: e, dataSet };
  }
  Object.assign(dataSet.elements, meta.elements);
  return dataSet;
}

function hasPreamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, "0");
const VR_WITH_LONG_LENGTH = new Set(["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"]);

/**
 * Name where a parse failed: the element after the last one read (its tag, byte offset and length
 * field), so a broken length or a cut file is reported as "element (gggg,eeee) at byte N …".
 */
function describeFailure(e: unknown, path: string, bytes: Uint8Array, fileSize: number): UnmaskError {
  const text = exceptionText(e);
  const partial = (e as { dataSet?: dicomParser.DataSet })?.dataSet;
  const stream = partial?.byteArray ?? bytes;
  const streamSize = stream === bytes ? fileSize : stream.length;
  const where = stream === bytes ? "byte" : "byte (of the inflated dataset)";
  let next = -1;
  let lastTag = "";
  for (const el of Object.values(partial?.elements ?? {})) {
    if (el.length === 0xffffffff || el.dataOffset === undefined) continue;
    const end = el.dataOffset + el.length;
    if (end > next) { next = end; lastTag = el.tag; }
  }
  const overrun = /overrun|past end|beyond|end of buffer|buffer overread|outside the bounds/i.test(text);
  // A number, code or UID element whose value is not text has a wrong length field (it swallowed the elements after it).
  const TEXT_VRS = /^(AS|CS|DA|DS|DT|IS|TM|UI)$/;
  const sorted = Object.values(partial?.elements ?? {}).sort((a, b) => a.dataOffset - b.dataOffset);
  for (const el of sorted) {
    if (!el.vr || !TEXT_VRS.test(el.vr) || el.dataOffset + el.length > stream.length) continue;
    const value = stream.subarray(el.dataOffset, el.dataOffset + el.length);
    if (value.some((c) => c !== 0 && (c < 0x20 || c > 0x7e))) {
      return new InvalidDicomError(path, `length field of element ${tagText(el.tag)}`, `at ${where} ${el.dataOffset} it says ${el.length} bytes, but that ${el.vr} value is not text: the length is wrong and the elements after it do not parse (${text})`, el.dataOffset);
    }
  }
  // Elements come in ascending tag order: where the order breaks, the element before has a wrong length
  // and the parser has been reading values as headers since.
  const inOrder = Object.values(partial?.elements ?? {}).filter((el) => !el.tag.startsWith("x0002")).sort((a, b) => a.dataOffset - b.dataOffset);
  for (let k = 1; k < inOrder.length; k++) {
    if (parseInt(inOrder[k].tag.slice(1), 16) <= parseInt(inOrder[k - 1].tag.slice(1), 16)) {
      const bad = inOrder[k - 1];
      return new InvalidDicomError(path, `length field of element ${tagText(bad.tag)}`, `at ${where} ${bad.dataOffset} it says ${bad.length} bytes; what follows (from byte ${bad.dataOffset + bad.length}) does not read as DICOM elements (tag order breaks, then: ${text})`, bad.dataOffset);
    }
  }
  if (next >= 0 && next + 8 <= stream.length) {
    const dv = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
    const group = dv.getUint16(next, true), element = dv.getUint16(next + 2, true);
    const tagName = `(${hex4(group)},${hex4(element)})`;
    const vr = String.fromCharCode(stream[next + 4], stream[next + 5]);
    const explicit = group === 0x0002 || (partial?.string?.("x00020010") ?? "").trim() !== "1.2.840.10008.1.2";
    let length: number | null = null;
    if (explicit && /^[A-Z]{2}$/.test(vr)) {
      length = VR_WITH_LONG_LENGTH.has(vr) ? (next + 12 <= stream.length ? dv.getUint32(next + 8, true) : null) : dv.getUint16(next + 6, true);
    } else if (!explicit) length = dv.getUint32(next + 4, true);
    if (length !== null && length !== 0xffffffff && next + length > streamSize) {
      const remain = streamSize - next;
      if (length > streamSize) {
        return new InvalidDicomError(path, `length field of element ${tagName}`, `at ${where} ${next} it says ${length} bytes, more than the whole ${streamSize}-byte file (${remain} bytes remain)`, next);
      }
      return new TruncatedDicomError(path, `element ${tagName} at ${where} ${next} needs ${length} bytes, the file ends ${remain} bytes later (file is ${streamSize} bytes)`, next);
    }
    if (overrun) return new TruncatedDicomError(path, `${text}, in or after element ${tagName} at ${where} ${next}; file is ${streamSize} bytes`, next);
    return new InvalidDicomError(path, `element ${tagName} at ${where} ${next}`, `${text} (last good element ${tagText(lastTag)})`, next);
  }
  if (overrun || (next >= 0 && next + 8 > stream.length)) {
    return new TruncatedDicomError(path, `${text}${next >= 0 ? `, after element ${tagText(lastTag)} ending at ${where} ${next}` : ""}; file is ${streamSize} bytes`, next >= 0 ? next : undefined);
  }
  return new InvalidDicomError(path, "dataset", text);
}

/**
 * Parse DICOM bytes (a whole file, or its first bytes when `headerOnly`). Throws NotDicomError,
 * TruncatedDicomError or InvalidDicomError naming `path`. Files without the Part 10 preamble are
 * tried as raw implicit VR little endian datasets (old ACR-NEMA style) and accepted only if they
 * hold image tags. An image's size-bearing attributes are validated against the byte lengths here.
 */
export function parseDicomBytes(bytes: Uint8Array, path: string, fileSize: number, headerOnly: boolean): ParsedDicom {
  const options: dicomParser.ParseDicomOptions = { inflater: inflaterFor(path, MAX_INFLATED_BYTES) as never };
  if (headerOnly) options.untilTag = "x7fe00010";
  let dataSet: dicomParser.DataSet;
  if (hasPreamble(bytes)) {
    try {
      dataSet = metaTransferSyntax(bytes) === DEFLATED_SYNTAX ? parseDeflated(bytes, path, options.untilTag) : dicomParser.parseDicom(bytes, options);
    } catch (e) {
      if (e instanceof UnmaskError) throw e;
      throw describeFailure(e, path, bytes, fileSize);
    }
  } else {
    try {
      dataSet = dicomParser.parseDicom(bytes, { ...options, TransferSyntaxUID: "1.2.840.10008.1.2" });
    } catch (e) {
      throw new NotDicomError(path, bytes.length < 132 ? `${fileSize} bytes, shorter than the 132-byte DICOM preamble` : "no DICM prefix at byte 128 and not a raw DICOM dataset");
    }
    if (!dataSet.elements.x00280010 || !dataSet.elements.x00080016) {
      throw new NotDicomError(path, "no DICM prefix at byte 128 and no image tags");
    }
  }
  checkValueRepresentations(dataSet, path);
  // Offsets index the parsed stream: the file itself, or the inflated dataset of a deflated file.
  const available = dataSet.byteArray === bytes ? fileSize : dataSet.byteArray.length;
  const header = readHeader(dataSet, path, fileSize, available);
  if (header.pixelData) header.notes.push(...validateImage(dataSet, header));
  else if (isImageObject(dataSet)) {
    throw new InvalidDicomError(path, "Pixel Data (7FE0,0010)", `missing in an image object (${dataSet.string("x00080016") ?? "no SOP Class"}, Rows ${dataSet.elements.x00280010 ? "present" : "absent"})`);
  }
  return { dataSet, header };
}

/** The DICOM value representations (PS3.5 6.2). */
const DICOM_VRS = new Set("AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV".split(" "));

/** Value representations unmask accepts for the attributes it reads (UN too: a reader may know the VR from the dictionary). */
const EXPECTED_VR: Record<string, [string, string[]]> = {
  x00020002: ["Media Storage SOP Class UID (0002,0002)", ["UI"]],
  x00020003: ["Media Storage SOP Instance UID (0002,0003)", ["UI"]],
  x00020010: ["Transfer Syntax UID (0002,0010)", ["UI"]],
  x00080016: ["SOP Class UID (0008,0016)", ["UI"]],
  x00080018: ["SOP Instance UID (0008,0018)", ["UI"]],
  x0020000e: ["Series Instance UID (0020,000E)", ["UI"]],
  x00080060: ["Modality (0008,0060)", ["CS"]],
  x00280002: ["Samples per Pixel (0028,0002)", ["US"]],
  x00280004: ["Photometric Interpretation (0028,0004)", ["CS"]],
  x00280008: ["Number of Frames (0028,0008)", ["IS"]],
  x00280010: ["Rows (0028,0010)", ["US"]],
  x00280011: ["Columns (0028,0011)", ["US"]],
  x00280030: ["Pixel Spacing (0028,0030)", ["DS"]],
  x00280100: ["Bits Allocated (0028,0100)", ["US"]],
  x00280101: ["Bits Stored (0028,0101)", ["US"]],
  x00280102: ["High Bit (0028,0102)", ["US"]],
  x00280103: ["Pixel Representation (0028,0103)", ["US"]],
  x00280120: ["Pixel Padding Value (0028,0120)", ["US", "SS"]],
  x00281052: ["Rescale Intercept (0028,1052)", ["DS"]],
  x00281053: ["Rescale Slope (0028,1053)", ["DS"]],
  x00200032: ["Image Position (Patient) (0020,0032)", ["DS"]],
  x00200037: ["Image Orientation (Patient) (0020,0037)", ["DS"]],
  x00180050: ["Slice Thickness (0018,0050)", ["DS"]],
  x00180088: ["Spacing Between Slices (0018,0088)", ["DS"]],
  x00200013: ["Instance Number (0020,0013)", ["IS"]],
  x00200011: ["Series Number (0020,0011)", ["IS"]],
  x7fe00010: ["Pixel Data (7FE0,0010)", ["OB", "OW"]],
  x7fe00008: ["Float Pixel Data (7FE0,0008)", ["OF"]],
  x7fe00009: ["Double Float Pixel Data (7FE0,0009)", ["OD"]],
};

/**
 * A VR that is not DICOM means the element headers around it cannot be trusted (a reader can only
 * guess its length field), and an attribute unmask reads with the wrong VR would be misread: both
 * are a damaged header, reported with the element and its byte offset.
 */
function checkValueRepresentations(ds: dicomParser.DataSet, path: string): void {
  const visit = (set: dicomParser.DataSet, top: boolean) => {
    for (const el of Object.values(set.elements)) {
      // Items and delimiters (group FFFE) carry no VR.
      if (el.tag.startsWith("xfffe")) continue;
      if (el.vr !== undefined && !DICOM_VRS.has(el.vr)) {
        throw new InvalidDicomError(path, `element ${tagText(el.tag)} at byte ${el.dataOffset}`, `Value Representation ${JSON.stringify(el.vr)} is not a DICOM VR; the header is damaged`, el.dataOffset);
      }
      const expected = top ? EXPECTED_VR[el.tag] : undefined;
      if (expected && el.vr !== undefined && el.vr !== "UN" && !expected[1].includes(el.vr)) {
        throw new InvalidDicomError(path, expected[0], `has VR ${el.vr} at byte ${el.dataOffset}; ${expected[1].join(" or ")} expected`, el.dataOffset);
      }
      if (expected && (expected[1][0] === "US") && el.length % 2 !== 0) {
        throw new InvalidDicomError(path, expected[0], `value of ${el.length} bytes at byte ${el.dataOffset}; a multiple of 2 expected for US`, el.dataOffset);
      }
      for (const item of el.items ?? []) if (item.dataSet) visit(item.dataSet, false);
    }
  };
  visit(ds, true);
}

const tagText = (t: string) => `(${t.slice(1, 5).toUpperCase()},${t.slice(5, 9).toUpperCase()})`;

/** Image SOP classes (CT, MR, PET, SC …): such an object without Pixel Data is damaged, not a non-image object. */
const IMAGE_SOP_CLASSES = new Set([
  "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.2.1", "1.2.840.10008.5.1.4.1.1.4", "1.2.840.10008.5.1.4.1.1.4.1",
  "1.2.840.10008.5.1.4.1.1.128", "1.2.840.10008.5.1.4.1.1.130", "1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.5.1.4.1.1.20",
  "1.2.840.10008.5.1.4.1.1.1", "1.2.840.10008.5.1.4.1.1.1.1", "1.2.840.10008.5.1.4.1.1.481.1", "1.2.840.10008.5.1.4.1.1.30",
]);

function isImageObject(ds: dicomParser.DataSet): boolean {
  return Boolean(ds.elements.x00280010) || IMAGE_SOP_CLASSES.has((ds.string("x00080016") ?? "").replace(/\0/g, "").trim());
}

const NATIVE_UIDS = new Set(["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", DEFLATED_SYNTAX]);

/**
 * Check an image header's size-bearing attributes against each other and the byte lengths before
 * anything is allocated from them; returns notes (warnings) for what is tolerated.
 */
function validateImage(ds: dicomParser.DataSet, h: SliceHeader): string[] {
  const notes: string[] = [];
  const pd = h.pixelData!;
  const fail = (attribute: string, detail: string, offset?: number): never => {
    throw new InvalidDicomError(h.path, attribute, detail, offset);
  };
  const present = (tag: string) => Boolean(ds.elements[tag] && ds.elements[tag].length >= 2);
  if (!present("x00280010")) fail("Rows (0028,0010)", "missing; an image needs it");
  if (!present("x00280011")) fail("Columns (0028,0011)", "missing; an image needs it");
  if (h.rows === 0) fail("Rows (0028,0010)", "is 0; at least 1 expected");
  if (h.columns === 0) fail("Columns (0028,0011)", "is 0; at least 1 expected");
  if (!present("x00280100")) fail("Bits Allocated (0028,0100)", "missing; an image needs it");
  const pixelTag = pd.kind === "integer" ? "Pixel Data (7FE0,0010)" : pd.kind === "float" ? "Float Pixel Data (7FE0,0008)" : "Double Float Pixel Data (7FE0,0009)";
  if (pd.kind === "integer") {
    if (h.bitsAllocated === 1) throw new UnsupportedImageError(h.path, "BitsAllocated 1 (bit-packed pixels) is not supported for volumes");
    if (![8, 16, 32].includes(h.bitsAllocated)) fail("Bits Allocated (0028,0100)", `is ${h.bitsAllocated}; 8, 16 or 32 expected`);
    if (!present("x00280103")) fail("Pixel Representation (0028,0103)", "missing: signed or unsigned pixels unknown");
    if (h.pixelRepresentation !== 0 && h.pixelRepresentation !== 1) fail("Pixel Representation (0028,0103)", `is ${h.pixelRepresentation}; 0 (unsigned) or 1 (signed) expected`);
  } else if (h.bitsAllocated !== (pd.kind === "float" ? 32 : 64)) {
    fail("Bits Allocated (0028,0100)", `is ${h.bitsAllocated}; ${pd.kind === "float" ? 32 : 64} expected with ${pixelTag}`);
  }
  if (!present("x00280101")) fail("Bits Stored (0028,0101)", "missing; an image needs it");
  if (h.bitsStored < 1 || h.bitsStored > h.bitsAllocated) fail("Bits Stored (0028,0101)", `is ${h.bitsStored}; between 1 and BitsAllocated ${h.bitsAllocated} expected`);
  if (!present("x00280002")) fail("Samples per Pixel (0028,0002)", "missing; an image needs it");
  if (h.samplesPerPixel !== 1) {
    throw new UnsupportedImageError(h.path, `${h.samplesPerPixel} samples per pixel (${h.photometricInterpretation}); only greyscale images form a volume`);
  }
  const pi = h.photometricInterpretation;
  if (!ds.elements.x00280004) fail("Photometric Interpretation (0028,0004)", "missing; MONOCHROME1 or MONOCHROME2 expected");
  if (pi !== "MONOCHROME1" && pi !== "MONOCHROME2") notes.push(`${h.path}: Photometric Interpretation "${pi}" is not MONOCHROME1/2; read as MONOCHROME2`);
  if (ds.elements.x00280008) {
    const frames = num(ds, "x00280008");
    if (frames === null || !Number.isInteger(frames) || frames < 1) fail("Number of Frames (0028,0008)", `"${ds.string("x00280008") ?? ""}" is not a positive integer`);
    if (frames! > 1) throw new UnsupportedImageError(h.path, `multi-frame image (${frames} frames); only one-slice-per-file series are supported`, "UNSUPPORTED_MULTIFRAME");
  }
  const ts = h.transferSyntaxUid;
  const native = NATIVE_UIDS.has(ts);
  if (!native && !isKnownSyntax(ts)) fail("Transfer Syntax UID (0002,0010)", `"${ts}" is not a transfer syntax unmask knows`);
  if (native === pd.encapsulated) {
    fail(pixelTag, `transfer syntax ${transferSyntaxName(ts)} (${ts}) needs ${native ? "native" : "encapsulated"} pixel data, the file has ${pd.encapsulated ? "encapsulated" : "native"}`, pd.offset);
  }
  if (!pd.encapsulated) {
    const need = h.rows * h.columns * (h.bitsAllocated / 8);
    if (pd.offset + pd.length > h.availableBytes) {
      throw new TruncatedDicomError(h.path, `${pixelTag} needs ${pd.length} bytes from byte ${pd.offset}, the ${h.transferSyntaxUid === DEFLATED_SYNTAX ? "inflated dataset" : "file"} ends at ${h.availableBytes}`, h.availableBytes);
    }
    if (pd.length < need) {
      fail(pixelTag, `holds ${pd.length} bytes (from byte ${pd.offset}); Rows × Columns × BitsAllocated/8 = ${h.rows} × ${h.columns} × ${h.bitsAllocated / 8} needs ${need}`, pd.offset);
    }
    if (pd.length > need + 1) notes.push(`${h.path}: ${pixelTag} holds ${pd.length} bytes where ${h.rows} × ${h.columns} × ${h.bitsAllocated / 8} needs ${need}; the ${pd.length - need} extra bytes are ignored`);
  }
  const slope = ds.elements.x00281053, intercept = ds.elements.x00281052;
  if (slope && slope.length && num(ds, "x00281053") === null) fail("Rescale Slope (0028,1053)", `"${ds.string("x00281053")}" is not a number`);
  if (intercept && intercept.length && num(ds, "x00281052") === null) fail("Rescale Intercept (0028,1052)", `"${ds.string("x00281052")}" is not a number`);
  // Slope and intercept come as a pair (both Type 1 in the CT Image module): one alone means a damaged header.
  if (Boolean(slope) !== Boolean(intercept)) fail(slope ? "Rescale Intercept (0028,1052)" : "Rescale Slope (0028,1053)", `missing while ${slope ? "Rescale Slope" : "Rescale Intercept"} is present`);
  return notes;
}

/** Why a header says the file is cut short (native pixel data running past the end), or null. */
export function pixelTruncation(h: SliceHeader): string | null {
  if (!h.pixelData || h.pixelData.encapsulated) return null;
  const end = h.pixelData.offset + h.pixelData.length;
  return end > h.availableBytes ? `pixel data needs ${h.pixelData.length} bytes from offset ${h.pixelData.offset}, the data ends at ${h.availableBytes}` : null;
}

function metaTransferSyntax(bytes: Uint8Array): string | null {
  if (!hasPreamble(bytes)) return null;
  try {
    const meta = dicomParser.readPart10Header(bytes as never);
    return (meta.string("x00020010") ?? "").replace(/\0/g, "").trim();
  } catch {
    return null;
  }
}

/** Read a file's header (stops before the pixel data: cheap for folder scans; deflated files are inflated whole). */
export function readDicomHeader(path: string): ParsedDicom {
  const fd = fs.openSync(path, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const read = (n: number) => {
      const buf = Buffer.alloc(n);
      fs.readSync(fd, buf, 0, n, 0);
      return buf;
    };
    let probe = Math.min(size, HEADER_PROBE_BYTES);
    let buf = read(probe);
    // A deflated dataset cannot be inflated from a prefix: take the whole stream.
    if (probe < size && metaTransferSyntax(buf) === DEFLATED_SYNTAX) buf = read((probe = size));
    try {
      return parseDicomBytes(buf, path, size, true);
    } catch (e) {
      // A header longer than the probe looks damaged: read the whole file before believing it.
      if ((e instanceof TruncatedDicomError || e instanceof InvalidDicomError) && probe < size) return parseDicomBytes(read(size), path, size, true);
      throw e;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Read and parse a whole DICOM file. */
export function readDicomFile(path: string): ParsedDicom {
  const bytes = fs.readFileSync(path);
  return parseDicomBytes(bytes, path, bytes.length, false);
}

/** Read and parse a whole DICOM file without blocking the event loop while reading. */
export async function readDicomFileAsync(path: string): Promise<ParsedDicom> {
  const bytes = await fs.promises.readFile(path);
  return parseDicomBytes(bytes, path, bytes.length, false);
}

function numbers(ds: dicomParser.DataSet, tag: string): number[] | null {
  const s = ds.string(tag);
  if (!s) return null;
  const v = s.split("\\").map((x) => Number(x.trim()));
  return v.every(Number.isFinite) ? v : null;
}

function num(ds: dicomParser.DataSet, tag: string): number | null {
  const v = numbers(ds, tag);
  return v && v.length ? v[0] : null;
}

function us(ds: dicomParser.DataSet, tag: string, dflt: number): number {
  const el = ds.elements[tag];
  if (!el || el.length < 2) return dflt;
  return ds.uint16(tag) ?? dflt;
}

function paddingValue(ds: dicomParser.DataSet, pixelRepresentation: number): number | null {
  const el = ds.elements.x00280120;
  if (!el || el.length < 2) return null;
  return pixelRepresentation === 1 ? ds.int16("x00280120") ?? null : ds.uint16("x00280120") ?? null;
}

/** Extract the fields unmask uses from a parsed dataset. */
export function readHeader(ds: dicomParser.DataSet, path: string, fileSize: number, availableBytes = fileSize): SliceHeader {
  const pos = numbers(ds, "x00200032");
  const iop = numbers(ds, "x00200037");
  const ps = numbers(ds, "x00280030");
  const pixelRepresentation = us(ds, "x00280103", 0);
  const pd = ds.elements.x7fe00010 ?? ds.elements.x7fe00008 ?? ds.elements.x7fe00009;
  const kind = ds.elements.x7fe00010 ? "integer" : ds.elements.x7fe00008 ? "float" : "double";
  return {
    path,
    transferSyntaxUid: (ds.string("x00020010") ?? "1.2.840.10008.1.2").replace(/\0/g, "").trim(),
    sopClassUid: ds.string("x00080016") ?? "",
    sopInstanceUid: ds.string("x00080018") ?? "",
    studyInstanceUid: ds.string("x0020000d") ?? "",
    seriesInstanceUid: ds.string("x0020000e") ?? "",
    modality: (ds.string("x00080060") ?? "").toUpperCase(),
    seriesDescription: ds.string("x0008103e") ?? "",
    seriesNumber: num(ds, "x00200011"),
    instanceNumber: num(ds, "x00200013"),
    rows: us(ds, "x00280010", 0),
    columns: us(ds, "x00280011", 0),
    pixelSpacing: ps && ps.length >= 2 ? [ps[0], ps[1]] : null,
    imagePosition: pos && pos.length >= 3 ? ([pos[0], pos[1], pos[2]] as Vec3) : null,
    imageOrientation: iop && iop.length >= 6 ? (iop.slice(0, 6) as SliceHeader["imageOrientation"]) : null,
    sliceThickness: num(ds, "x00180050"),
    spacingBetweenSlices: num(ds, "x00180088"),
    bitsAllocated: us(ds, "x00280100", 16),
    bitsStored: us(ds, "x00280101", us(ds, "x00280100", 16)),
    pixelRepresentation,
    samplesPerPixel: us(ds, "x00280002", 1),
    photometricInterpretation: (ds.string("x00280004") ?? "MONOCHROME2").trim(),
    rescalePresent: num(ds, "x00281053") !== null && num(ds, "x00281052") !== null,
    rescaleSlope: num(ds, "x00281053") ?? 1,
    rescaleIntercept: num(ds, "x00281052") ?? 0,
    rescaleType: ds.string("x00281054") ?? "",
    pixelPaddingValue: paddingValue(ds, pixelRepresentation),
    numberOfFrames: num(ds, "x00280008") ?? 1,
    bodyPartExamined: ds.string("x00180015") ?? "",
    pixelData: pd
      ? { offset: pd.dataOffset, length: pd.length, encapsulated: Boolean(pd.encapsulatedPixelData) || pd.length === 0xffffffff, kind }
      : null,
    fileSize,
    availableBytes,
    notes: [],
  };
}
