import * as dicomParser from "dicom-parser";
import { InvalidDicomError, TruncatedDicomError, UnmaskError, UnsupportedTransferSyntaxError } from "../core/errors";
import { transferSyntaxName } from "./transfer-syntax";
import type { SliceHeader } from "./types";
import type { FrameInfo } from "./codecs";

/** Stored value the seed treated as padding outside the reconstruction circle. */
export const SEED_PADDING_VALUE = -2000;

const RLE_LOSSLESS = "1.2.840.10008.1.2.5";
const BIG_ENDIAN = "1.2.840.10008.1.2.2";

/** What a frame decoder is told about the image. */
export type FrameInfoLike = FrameInfo;

/** Decoder for one encapsulated frame → raw native little-endian pixel bytes (rows·columns·bitsAllocated/8). */
export type FrameDecoderLike = (frame: Uint8Array, info: FrameInfoLike) => Uint8Array;

/** How stored values become modality values: padding → `air`; `invert` flips MONOCHROME1 (not for HU). */
export interface ModalityOptions {
  air: number;
  invert?: boolean;
}

/** The encapsulated frame's bytes; broken fragment structure is an InvalidDicomError naming the file. */
function encapsulatedFrame(ds: dicomParser.DataSet, h: SliceHeader): Uint8Array {
  const el = ds.elements.x7fe00010;
  if (!el?.fragments || el.fragments.length === 0) {
    throw new InvalidDicomError(h.path, "Pixel Data (7FE0,0010)", "encapsulated pixel data without any fragment", el?.dataOffset);
  }
  try {
    // Single-frame: without a basic offset table, all fragments make the one frame.
    return el.basicOffsetTable && el.basicOffsetTable.length
      ? dicomParser.readEncapsulatedImageFrame(ds, el, 0)
      : dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, el.fragments.length);
  } catch (e) {
    const text = typeof e === "string" ? e : (e as Error).message;
    throw new InvalidDicomError(h.path, "Pixel Data (7FE0,0010) fragments", `${text} (${el.fragments.length} fragment(s) from byte ${el.dataOffset})`, el.dataOffset);
  }
}

/**
 * Decode one frame's stored pixel values as numbers in a Float32Array (into `target` when given);
 * with `modality`, the values go through the modality LUT as well (see {@link toModalityValues}).
 * Native, float and RLE pixel data are decoded here; other compressed syntaxes go to `decoder`.
 * Values are read at BitsAllocated width without masking to BitsStored (as pydicom does): signed
 * 12-bit CT padding of −3024 stays −3024. The header has been validated by the parser.
 */
export function decodeStoredPixels(ds: dicomParser.DataSet, h: SliceHeader, target?: Float32Array, modality?: ModalityOptions, decoder?: FrameDecoderLike | null): Float32Array {
  if (!h.pixelData) throw new InvalidDicomError(h.path, "Pixel Data (7FE0,0010)", "missing");
  const n = h.rows * h.columns;
  const bytesPer = h.bitsAllocated / 8;
  const out = target ?? new Float32Array(n);
  if (out.length !== n) throw new RangeError(`target holds ${out.length} values, the image ${n}`);
  let raw: Uint8Array;
  if (h.pixelData.encapsulated) {
    const frame = encapsulatedFrame(ds, h);
    if (h.transferSyntaxUid === RLE_LOSSLESS) {
      raw = decodeRle(frame, n, bytesPer, h.path);
    } else {
      if (!decoder) throw new UnsupportedTransferSyntaxError(h.path, h.transferSyntaxUid, transferSyntaxName(h.transferSyntaxUid));
      try {
        raw = decoder(frame, { rows: h.rows, columns: h.columns, bitsAllocated: h.bitsAllocated, bitsStored: h.bitsStored, pixelRepresentation: h.pixelRepresentation, samplesPerPixel: h.samplesPerPixel, path: h.path });
      } catch (e) {
        // A codec's own exception (wasm abort, bad marker) becomes a typed error naming the file.
        if (e instanceof UnmaskError) throw e;
        throw new InvalidDicomError(h.path, "Pixel Data (7FE0,0010)", `the ${transferSyntaxName(h.transferSyntaxUid)} frame (${frame.length} bytes) does not decode: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (raw.length < n * bytesPer) {
        throw new InvalidDicomError(h.path, "Pixel Data (7FE0,0010)", `the ${transferSyntaxName(h.transferSyntaxUid)} frame decodes to ${raw.length} bytes, ${h.rows} × ${h.columns} × ${bytesPer} = ${n * bytesPer} expected`);
      }
    }
  } else {
    const need = n * bytesPer;
    if (h.pixelData.length < need || h.pixelData.offset + need > ds.byteArray.length) {
      throw new TruncatedDicomError(h.path, `pixel data holds ${Math.min(h.pixelData.length, ds.byteArray.length - h.pixelData.offset)} bytes from byte ${h.pixelData.offset}, ${h.rows}×${h.columns}×${bytesPer} needs ${need}`, h.pixelData.offset);
    }
    raw = ds.byteArray.subarray(h.pixelData.offset, h.pixelData.offset + need);
  }
  const little = h.pixelData.encapsulated || h.transferSyntaxUid !== BIG_ENDIAN;
  if (h.pixelData.kind !== "integer") {
    // Float / Double Float Pixel Data: real values already (no rescale, no padding).
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (h.pixelData.kind === "float") for (let p = 0; p < n; p++) out[p] = view.getFloat32(4 * p, little);
    else for (let p = 0; p < n; p++) out[p] = view.getFloat64(8 * p, little);
    return out;
  }
  const signed = h.pixelRepresentation === 1;
  if (little && h.bitsAllocated <= 16 && !modality?.invert) {
    // Fast path (almost every CT/MR file): a typed view over an aligned copy.
    const aligned = raw.byteOffset % 2 === 0 ? raw : raw.slice();
    const src = h.bitsAllocated === 8
      ? (signed ? new Int8Array(aligned.buffer, aligned.byteOffset, n) : aligned)
      : signed ? new Int16Array(aligned.buffer, aligned.byteOffset, n) : new Uint16Array(aligned.buffer, aligned.byteOffset, n);
    if (modality) {
      // Stored → modality values in the same pass (half the memory traffic of two passes).
      const { slope, intercept, pad, seedPad, air } = modalityParams(h, modality.air);
      for (let p = 0; p < n; p++) {
        const v = src[p];
        out[p] = v === pad || v === seedPad ? air : v * slope + intercept;
      }
    } else {
      for (let p = 0; p < n; p++) out[p] = src[p];
    }
    return out;
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let p = 0; p < n; p++) {
    if (h.bitsAllocated === 16) out[p] = signed ? view.getInt16(2 * p, little) : view.getUint16(2 * p, little);
    else if (h.bitsAllocated === 8) out[p] = signed ? (raw[p] << 24) >> 24 : raw[p];
    else out[p] = signed ? view.getInt32(4 * p, little) : view.getUint32(4 * p, little);
  }
  return modality ? toModalityValues(out, h, modality.air, modality.invert) : out;
}

/**
 * Decode a DICOM RLE Lossless frame (PS3.5 Annex G) into little-endian interleaved bytes. The
 * header's segment count and offsets are checked against the frame before any segment is read.
 */
export function decodeRle(frame: Uint8Array, pixels: number, bytesPer: number, path: string): Uint8Array {
  if (frame.length < 64) throw new TruncatedDicomError(path, `RLE frame of ${frame.length} bytes is shorter than its 64-byte header`);
  const hv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = hv.getUint32(0, true);
  if (segments !== bytesPer) {
    throw new InvalidDicomError(path, "RLE header", `${segments} segments, ${bytesPer} expected for greyscale ${bytesPer * 8}-bit pixels`);
  }
  const offsets: number[] = [];
  for (let s = 0; s < segments; s++) offsets.push(hv.getUint32(4 + 4 * s, true));
  for (let s = 0; s < segments; s++) {
    const start = offsets[s], end = s + 1 < segments ? offsets[s + 1] : frame.length;
    if (start < 64 || start > frame.length || end > frame.length || end < start) {
      throw new InvalidDicomError(path, "RLE header", `segment ${s} spans bytes ${start}–${end}, outside the ${frame.length}-byte frame after its 64-byte header (or before the previous segment)`);
    }
  }
  const out = new Uint8Array(pixels * bytesPer);
  for (let s = 0; s < segments; s++) {
    const start = offsets[s];
    const end = s + 1 < segments ? offsets[s + 1] : frame.length;
    // Segment 0 holds the most significant bytes; output is little endian.
    const byteIndex = bytesPer - 1 - s;
    let p = start, o = 0;
    while (p < end && o < pixels) {
      const c = (frame[p++] << 24) >> 24;
      if (c >= 0) {
        for (let r = 0; r <= c && o < pixels && p < end; r++) out[(o++) * bytesPer + byteIndex] = frame[p++];
      } else if (c !== -128) {
        if (p >= end) break;
        const v = frame[p++];
        for (let r = 0; r < 1 - c && o < pixels; r++) out[(o++) * bytesPer + byteIndex] = v;
      }
    }
    if (o < pixels) throw new TruncatedDicomError(path, `RLE segment ${s} (bytes ${start}–${end} of the frame) decodes to ${o} of ${pixels} pixels`);
  }
  return out;
}

/**
 * Stored values → modality values (HU for CT) with RescaleSlope/Intercept; padding (PixelPaddingValue,
 * or the seed's -2000 for CT) becomes `air`. `invert` (MONOCHROME1 outside HU) flips the stored range first.
 */
export function toModalityValues(stored: Float32Array, h: SliceHeader, air: number, invert = false): Float32Array {
  const { slope, intercept, pad, seedPad } = modalityParams(h, air);
  // MONOCHROME1: the largest stored value is black; flip within the BitsStored range.
  const flip = h.pixelRepresentation === 1 ? -1 : 2 ** h.bitsStored - 1;
  for (let p = 0; p < stored.length; p++) {
    const v = stored[p];
    stored[p] = v === pad || v === seedPad ? air : (invert ? flip - v : v) * slope + intercept;
  }
  return stored;
}

/** Rescale and padding parameters; NaN never equals a value, so an absent padding value tests false. */
function modalityParams(h: SliceHeader, air: number) {
  return {
    slope: h.rescaleSlope,
    intercept: h.rescaleIntercept,
    pad: h.pixelPaddingValue ?? NaN,
    seedPad: h.modality === "CT" ? SEED_PADDING_VALUE : NaN,
    air,
  };
}
