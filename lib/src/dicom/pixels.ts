import * as dicomParser from "dicom-parser";
import { CorruptPixelDataError, InconsistentSeriesError, TruncatedDicomError, UnsupportedTransferSyntaxError } from "../core/errors";
import type { FrameDecoder } from "./codecs";
import { transferSyntaxName } from "./transfer-syntax";
import type { SliceHeader } from "./types";

const NATIVE_UNCOMPRESSED = new Set(["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99"]);

/** Stored value the seed treated as padding outside the reconstruction circle. */
export const SEED_PADDING_VALUE = -2000;

/**
 * Decode one frame's stored pixel values as numbers in a Float32Array (into `target` when given);
 * with `modality`, the values go through the modality LUT as well (see {@link toModalityValues}).
 * Native and RLE pixel data are decoded here; other compressed syntaxes need the `decoder` from
 * {@link loadFrameDecoder} (without one they are named in an UnsupportedTransferSyntaxError).
 */
export function decodeStoredPixels(ds: dicomParser.DataSet, h: SliceHeader, target?: Float32Array, modality?: { air: number }, decoder?: FrameDecoder): Float32Array {
  if (!h.pixelData) throw new InconsistentSeriesError(h.path, "no pixel data in the file");
  const n = h.rows * h.columns;
  if (h.samplesPerPixel !== 1) {
    throw new InconsistentSeriesError(h.path, `${h.samplesPerPixel} samples per pixel (${h.photometricInterpretation}); only greyscale images form a volume`);
  }
  const bytesPer = h.bitsAllocated / 8;
  let raw: Uint8Array;
  const nativeSyntax = NATIVE_UNCOMPRESSED.has(h.transferSyntaxUid);
  if (nativeSyntax === h.pixelData.encapsulated) {
    // A header that contradicts its pixel data would decode to garbage: refuse it.
    throw new InconsistentSeriesError(h.path, `transfer syntax ${transferSyntaxName(h.transferSyntaxUid)} (${h.transferSyntaxUid}) but the pixel data is ${h.pixelData.encapsulated ? "encapsulated" : "native"}`);
  }
  if (h.pixelData.encapsulated) {
    const rle = h.transferSyntaxUid === "1.2.840.10008.1.2.5";
    if (!rle && !decoder) {
      throw new UnsupportedTransferSyntaxError(h.path, h.transferSyntaxUid, transferSyntaxName(h.transferSyntaxUid));
    }
    const frame = encapsulatedFrame(ds, h);
    raw = rle
      ? decodeRle(frame, n, bytesPer, h.path)
      : decoder!(frame, { rows: h.rows, columns: h.columns, bitsAllocated: h.bitsAllocated, bitsStored: h.bitsStored, pixelRepresentation: h.pixelRepresentation, samplesPerPixel: h.samplesPerPixel, path: h.path });
  } else {
    if (![8, 16, 32].includes(h.bitsAllocated)) {
      throw new InconsistentSeriesError(h.path, `BitsAllocated ${h.bitsAllocated} is not supported (8, 16 or 32)`);
    }
    const need = n * bytesPer;
    if (h.pixelData.length < need || h.pixelData.offset + need > ds.byteArray.length) {
      throw new TruncatedDicomError(h.path, `pixel data holds ${Math.min(h.pixelData.length, ds.byteArray.length - h.pixelData.offset)} bytes, ${h.rows}×${h.columns}×${bytesPer} needs ${need}`);
    }
    raw = ds.byteArray.subarray(h.pixelData.offset, h.pixelData.offset + need);
  }
  const little = h.transferSyntaxUid !== "1.2.840.10008.1.2.2";
  const out = target ?? new Float32Array(n);
  const signed = h.pixelRepresentation === 1;
  if (little && h.bitsStored === h.bitsAllocated && h.bitsAllocated <= 16) {
    // Fast path (almost every CT/MR file): a typed view over an aligned copy, no masking needed.
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
  const shift = 32 - h.bitsStored;
  const mask = h.bitsStored >= 32 ? 0xffffffff : (1 << h.bitsStored) - 1;
  for (let p = 0; p < n; p++) {
    let v: number;
    if (h.bitsAllocated === 16) v = view.getUint16(2 * p, little);
    else if (h.bitsAllocated === 8) v = raw[p];
    else v = view.getUint32(4 * p, little);
    v &= mask;
    // Sign-extend from BitsStored (e.g. 12-bit signed CT).
    if (signed) v = (v << shift) >> shift;
    else v = v >>> 0;
    out[p] = v;
  }
  return modality ? toModalityValues(out, h, modality.air) : out;
}

/**
 * The bytes of frame 0 of encapsulated pixel data: with a Basic Offset Table, the fragments from its
 * first offset up to the next frame's; without one (single-frame), all fragments joined.
 */
function encapsulatedFrame(ds: dicomParser.DataSet, h: SliceHeader): Uint8Array {
  const el = ds.elements.x7fe00010;
  const fragments = el.fragments ?? [];
  if (!fragments.length) throw new CorruptPixelDataError(h.path, "encapsulated pixel data holds no fragments");
  try {
    const bot = el.basicOffsetTable ?? [];
    if (bot.length > 1 || (bot.length === 1 && bot[0] !== 0)) return dicomParser.readEncapsulatedImageFrame(ds, el, 0);
    return fragments.length === 1
      ? ds.byteArray.subarray(fragments[0].position, fragments[0].position + fragments[0].length)
      : dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, fragments.length);
  } catch (e) {
    // dicom-parser throws strings for offsets that point outside the fragments.
    throw new CorruptPixelDataError(h.path, `encapsulated fragments: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Decode a DICOM RLE Lossless frame (PS3.5 Annex G) into little-endian interleaved bytes. */
export function decodeRle(frame: Uint8Array, pixels: number, bytesPer: number, path: string): Uint8Array {
  if (frame.length < 64) throw new TruncatedDicomError(path, "RLE frame shorter than its 64-byte header");
  const hv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = hv.getUint32(0, true);
  if (segments !== bytesPer) {
    throw new InconsistentSeriesError(path, `RLE frame has ${segments} segments, ${bytesPer} expected for greyscale`);
  }
  const out = new Uint8Array(pixels * bytesPer);
  for (let s = 0; s < segments; s++) {
    const start = hv.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? hv.getUint32(8 + 4 * s, true) : frame.length;
    // Segment 0 holds the most significant bytes; output is little endian.
    const byteIndex = bytesPer - 1 - s;
    let p = start, o = 0;
    while (p < end && o < pixels) {
      const c = (frame[p++] << 24) >> 24;
      if (c >= 0) {
        for (let r = 0; r <= c && o < pixels; r++) out[(o++) * bytesPer + byteIndex] = frame[p++];
      } else if (c !== -128) {
        const v = frame[p++];
        for (let r = 0; r < 1 - c && o < pixels; r++) out[(o++) * bytesPer + byteIndex] = v;
      }
    }
    if (o < pixels) throw new TruncatedDicomError(path, `RLE segment ${s} decodes to ${o} of ${pixels} pixels`);
  }
  return out;
}

/**
 * Stored values → modality values (HU for CT) with RescaleSlope/Intercept; padding (PixelPaddingValue,
 * or the seed's -2000 for CT) becomes `air`.
 */
export function toModalityValues(stored: Float32Array, h: SliceHeader, air: number): Float32Array {
  const { slope, intercept, pad, seedPad } = modalityParams(h, air);
  for (let p = 0; p < stored.length; p++) {
    const v = stored[p];
    stored[p] = v === pad || v === seedPad ? air : v * slope + intercept;
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
