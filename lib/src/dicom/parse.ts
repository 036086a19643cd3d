import * as fs from "node:fs";
import * as zlib from "node:zlib";
import * as dicomParser from "dicom-parser";
import { NotDicomError, TruncatedDicomError } from "../core/errors";
import type { Vec3 } from "../volume/types";
import type { SliceHeader } from "./types";

/** How many bytes a header-only read starts with; grown when the header is longer. */
const HEADER_PROBE_BYTES = 64 * 1024;

/** A parsed dataset plus the header fields unmask uses. */
export interface ParsedDicom {
  dataSet: dicomParser.DataSet;
  header: SliceHeader;
}

function exceptionText(e: unknown): string {
  if (typeof e === "string") return e;
  if (e && typeof e === "object") {
    const o = e as { exception?: string; message?: string };
    return o.exception ?? o.message ?? String(e);
  }
  return String(e);
}

// Deflated explicit VR little endian: dicom-parser needs the inflater, node has it.
function inflater(arr: Uint8Array, position: number): Uint8Array {
  const inflated = zlib.inflateRawSync(arr.subarray(position));
  const out = new Uint8Array(position + inflated.length);
  out.set(arr.subarray(0, position));
  out.set(inflated, position);
  return out;
}

function hasPreamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/**
 * Parse DICOM bytes (a whole file, or its first bytes when `headerOnly`). Throws NotDicomError or
 * TruncatedDicomError naming `path`. Files without the Part 10 preamble are tried as raw implicit
 * VR little endian datasets (old ACR-NEMA style) and accepted only if they hold image tags.
 */
export function parseDicomBytes(bytes: Uint8Array, path: string, fileSize: number, headerOnly: boolean): ParsedDicom {
  const options: dicomParser.ParseDicomOptions = { inflater: inflater as never };
  if (headerOnly) options.untilTag = "x7fe00010";
  let dataSet: dicomParser.DataSet;
  if (hasPreamble(bytes)) {
    try {
      dataSet = dicomParser.parseDicom(bytes, options);
    } catch (e) {
      const text = exceptionText(e);
      if (/overrun|past end|beyond|end of buffer/i.test(text)) {
        throw new TruncatedDicomError(path, `${text}; file is ${fileSize} bytes`);
      }
      throw new NotDicomError(path, text);
    }
  } else {
    try {
      dataSet = dicomParser.parseDicom(bytes, { ...options, TransferSyntaxUID: "1.2.840.10008.1.2" });
    } catch (e) {
      throw new NotDicomError(path, "no DICM prefix at byte 128 and not a raw DICOM dataset");
    }
    if (!dataSet.elements.x00280010 || !dataSet.elements.x00080016) {
      throw new NotDicomError(path, "no DICM prefix at byte 128 and no image tags");
    }
  }
  return { dataSet, header: readHeader(dataSet, path, fileSize) };
}

/** Why a header says the file is cut short (native pixel data running past the end), or null. */
export function pixelTruncation(h: SliceHeader): string | null {
  if (!h.pixelData || h.pixelData.encapsulated) return null;
  const end = h.pixelData.offset + h.pixelData.length;
  return end > h.fileSize ? `pixel data needs ${h.pixelData.length} bytes from offset ${h.pixelData.offset}, file ends at ${h.fileSize}` : null;
}

/** Read a file's header (stops before the pixel data: cheap for folder scans). */
export function readDicomHeader(path: string): ParsedDicom {
  const fd = fs.openSync(path, "r");
  try {
    const size = fs.fstatSync(fd).size;
    let probe = Math.min(size, HEADER_PROBE_BYTES);
    for (;;) {
      const buf = Buffer.alloc(probe);
      fs.readSync(fd, buf, 0, probe, 0);
      try {
        return parseDicomBytes(buf, path, size, true);
      } catch (e) {
        // A header longer than the probe looks truncated: read more before believing it.
        if (e instanceof TruncatedDicomError && probe < size) {
          probe = Math.min(size, probe * 8);
          continue;
        }
        throw e;
      }
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
export function readHeader(ds: dicomParser.DataSet, path: string, fileSize: number): SliceHeader {
  const pos = numbers(ds, "x00200032");
  const iop = numbers(ds, "x00200037");
  const ps = numbers(ds, "x00280030");
  const pixelRepresentation = us(ds, "x00280103", 0);
  const pd = ds.elements.x7fe00010 ?? ds.elements.x7fe00008 ?? ds.elements.x7fe00009;
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
    rescaleSlope: num(ds, "x00281053") ?? 1,
    rescaleIntercept: num(ds, "x00281052") ?? 0,
    rescaleType: ds.string("x00281054") ?? "",
    pixelPaddingValue: paddingValue(ds, pixelRepresentation),
    numberOfFrames: num(ds, "x00280008") ?? 1,
    bodyPartExamined: ds.string("x00180015") ?? "",
    pixelData: pd
      ? { offset: pd.dataOffset, length: pd.length, encapsulated: Boolean(pd.encapsulatedPixelData) || pd.length === 0xffffffff }
      : null,
    fileSize,
  };
}
