/**
 * Decoders for encapsulated (compressed) pixel data: the WebAssembly builds of libjpeg-turbo, CharLS
 * and OpenJPEG from the @cornerstonejs codec packages, and jpeg-lossless-decoder-js (plain JS) for
 * JPEG Lossless. Each codec's module is instantiated once, from the .wasm file on disk (no fetch).
 * A decoder checks the stream's own header against the DICOM header before decoding (so a lying
 * stream cannot make the codec allocate a huge image) and its output after, and turns every codec
 * failure into a CorruptPixelDataError naming the file.
 */
import * as fs from "node:fs";
import { CorruptPixelDataError, EnvironmentError, UnsupportedTransferSyntaxError } from "../core/errors";
import { transferSyntaxName } from "./transfer-syntax";

/** What a frame decoder needs to know about the frame, from the DICOM header. */
export interface FrameInfo {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  samplesPerPixel: number;
  /** The file the frame comes from, for error messages. */
  path: string;
}

/** Decoder for one encapsulated frame → raw native little-endian pixel bytes (rows·columns·bitsAllocated/8). */
export type FrameDecoder = (frame: Uint8Array, info: FrameInfo) => Uint8Array;

/** Which codec decodes which transfer syntax (the README's design notes say why these). */
const CODEC_OF: Record<string, Codec> = {
  "1.2.840.10008.1.2.4.50": "libjpeg-turbo",
  "1.2.840.10008.1.2.4.51": "libjpeg-turbo", // 8-bit Process 2 only; 12-bit Process 4 is refused by name
  "1.2.840.10008.1.2.4.57": "jpeg-lossless",
  "1.2.840.10008.1.2.4.70": "jpeg-lossless",
  "1.2.840.10008.1.2.4.80": "charls",
  "1.2.840.10008.1.2.4.81": "charls",
  "1.2.840.10008.1.2.4.90": "openjpeg",
  "1.2.840.10008.1.2.4.91": "openjpeg",
};
type Codec = "libjpeg-turbo" | "jpeg-lossless" | "charls" | "openjpeg";

/** The part of jpeg-lossless-decoder-js unmask uses (the package ships no type declarations). */
interface LosslessDecoder {
  decompress(buffer: ArrayBuffer, offset: number, length: number): ArrayBuffer;
  xDim?: number;
  yDim?: number;
  numComp?: number;
  numBytes?: number;
  precision?: number;
  /** Row the decoder would write next: yDim when every row was decoded. */
  yLoc?: number;
  stream?: { index: number; buffer: Uint8Array } | null;
}

/** The part of an emscripten/embind codec module unmask uses. */
interface WasmDecoderInstance {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}
interface WasmModule {
  HEAPU8: Uint8Array;
  [cls: string]: unknown;
}
/** A loaded wasm codec plus the messages it printed during the current decode (OpenJPEG reports errors that way). */
interface LoadedWasm {
  module: WasmModule;
  printed: string[];
}

const WASM_PACKAGES: Record<Exclude<Codec, "jpeg-lossless">, { pkg: string; cls: string }> = {
  "libjpeg-turbo": { pkg: "@cornerstonejs/codec-libjpeg-turbo-8bit", cls: "JPEGDecoder" },
  charls: { pkg: "@cornerstonejs/codec-charls", cls: "JpegLSDecoder" },
  openjpeg: { pkg: "@cornerstonejs/codec-openjpeg", cls: "J2KDecoder" },
};

const modules = new Map<Codec, LoadedWasm>();
/** Compiled code is stateless: kept, so that replacing a failed instance costs only instantiation. */
const compiledCode = new Map<Codec, WebAssembly.Module>();
const decoders = new Map<string, FrameDecoder | null>();

/**
 * Instantiate a codec's decode-only wasm build once, synchronously (Node allows it; ~15 ms): the
 * .wasm is read from the package's dist/ folder, never fetched. Synchronous so that the loader can
 * decode a slice the moment it has read it; embind fills the module object during instantiation.
 */
function loadWasm(codec: Exclude<Codec, "jpeg-lossless">): LoadedWasm {
  let loaded = modules.get(codec);
  if (!loaded) {
    const { pkg, cls } = WASM_PACKAGES[codec];
    const printed: string[] = [];
    // The "decodewasmjs"/"decodewasm" entries of the package's exports map: glue and binary.
    const factory = require(`${pkg}/decodewasmjs`) as (arg: object) => Promise<WasmModule>;
    const wasmPath = require.resolve(`${pkg}/decodewasm`);
    const module: WasmModule = {
      HEAPU8: new Uint8Array(0),
      locateFile: (file: string) => (file.endsWith(".wasm") ? wasmPath : file),
      // OpenJPEG prints [INFO] lines on every decode: keep them off stdout, keep errors for the message.
      print: (s: string) => printed.push(s),
      printErr: (s: string) => printed.push(s),
      instantiateWasm: (imports: WebAssembly.Imports, receive: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) => {
        let compiled = compiledCode.get(codec);
        if (!compiled) compiledCode.set(codec, (compiled = new WebAssembly.Module(fs.readFileSync(wasmPath))));
        const instance = new WebAssembly.Instance(compiled, imports);
        receive(instance, compiled);
        return instance.exports;
      },
    };
    factory(module).catch(() => undefined); // resolved already; failures surface below
    if (typeof module[cls] !== "function") {
      throw new EnvironmentError(`${pkg}: the codec's WebAssembly module did not initialise (${wasmPath})`, wasmPath);
    }
    loaded = { module, printed };
    modules.set(codec, loaded);
  }
  return loaded;
}

/**
 * Load (once, wasm init) the decoder for a transfer syntax; null when unmask has none.
 * The decoder throws CorruptPixelDataError (naming the file and the codec's message) for a stream
 * it cannot decode, and UnsupportedTransferSyntaxError for 12-bit JPEG Extended.
 */
export async function loadFrameDecoder(transferSyntaxUid: string): Promise<FrameDecoder | null> {
  return frameDecoder(transferSyntaxUid);
}

/** {@link loadFrameDecoder} without the promise (cached after the first call per syntax). */
function frameDecoder(transferSyntaxUid: string): FrameDecoder | null {
  let d = decoders.get(transferSyntaxUid);
  if (d === undefined) {
    d = makeDecoder(transferSyntaxUid);
    decoders.set(transferSyntaxUid, d);
  }
  return d;
}

function makeDecoder(transferSyntaxUid: string): FrameDecoder | null {
  const codec = CODEC_OF[transferSyntaxUid];
  if (!codec) return null;
  const check = transferSyntaxUid.startsWith("1.2.840.10008.1.2.4.9") ? j2kHeaderCheck : jpegHeaderCheck;
  if (codec === "jpeg-lossless") {
    const { Decoder } = require("jpeg-lossless-decoder-js") as { Decoder: new () => LosslessDecoder };
    return (frame, info) => {
      check(frame, info, transferSyntaxUid);
      const copy = withTrailingPadding(frame);
      let out: ArrayBuffer;
      const decoder = new Decoder();
      try {
        out = decoder.decompress(copy.buffer, 0, copy.byteLength);
      } catch (e) {
        throw corrupt(info, transferSyntaxUid, codec, e instanceof Error ? e.message : String(e));
      }
      // The decoder does not report a stream that runs out: it stops early or reads past the end.
      const rowsDone = decoder.yLoc ?? 0, stream = decoder.stream;
      if (rowsDone < (decoder.yDim ?? 0)) {
        throw corrupt(info, transferSyntaxUid, codec, `the scan ends after ${rowsDone} of ${decoder.yDim} rows (a marker or the end of the data came early)`);
      }
      if (stream && stream.index > stream.buffer.length) {
        throw corrupt(info, transferSyntaxUid, codec, `the decoder read ${stream.index - stream.buffer.length} byte(s) past the end of the ${stream.buffer.length}-byte stream`);
      }
      const bytes = (decoder.numBytes ?? 0) || Math.ceil((decoder.precision ?? 8) / 8);
      return toNative(new Uint8Array(out), { width: decoder.xDim ?? 0, height: decoder.yDim ?? 0, components: decoder.numComp ?? 0, bytes }, info, transferSyntaxUid, codec);
    };
  }
  loadWasm(codec); // instantiate now, so that a broken install fails here rather than mid-series
  return (frame, info) => {
    check(frame, info, transferSyntaxUid);
    // Looked up per frame: a codec that crashed is replaced by a fresh instance (see below).
    const wasm = loadWasm(codec);
    const Cls = wasm.module[WASM_PACKAGES[codec].cls] as new () => WasmDecoderInstance;
    wasm.printed.length = 0;
    let d: WasmDecoderInstance | null = null;
    try {
      d = new Cls();
      d.getEncodedBuffer(frame.length).set(frame);
      d.decode();
      const fi = d.getFrameInfo();
      if (!(fi.width > 0 && fi.height > 0)) {
        modules.delete(codec); // failed without throwing (OpenJPEG): replace the instance all the same
        throw corrupt(info, transferSyntaxUid, codec, printedError(wasm) ?? "the codec decoded no image");
      }
      // A view into wasm memory: copy it out before the decoder is deleted.
      const decoded = d.getDecodedBuffer().slice();
      return toNative(decoded, { width: fi.width, height: fi.height, components: fi.componentCount, bytes: fi.bitsPerSample > 8 ? 2 : 1 }, info, transferSyntaxUid, codec);
    } catch (e) {
      if (e instanceof CorruptPixelDataError) throw e;
      // A codec that failed on a damaged stream may have left its memory in a bad state (CharLS traps
      // with "memory access out of bounds" only after earlier damaged frames): drop the instance, so
      // the next frame, of this series or another, gets a fresh one (~15 ms).
      modules.delete(codec);
      const message = typeof e === "number" ? exceptionMessage(wasm, e) : `the codec crashed (${e instanceof Error ? e.message : String(e)})`;
      if (typeof e !== "number") d = null;
      throw corrupt(info, transferSyntaxUid, codec, message);
    } finally {
      try {
        d?.delete();
      } catch {
        modules.delete(codec); // delete() failing means the instance is unusable too
      }
    }
  };
}

/**
 * A copy of the frame for jpeg-lossless-decoder-js (it reads an ArrayBuffer from offset 0) with one
 * byte of 1-bits (0xFF, stuffed as FF 00) between the entropy-coded data and EOI. The decoder drops
 * the last pixel when that pixel's Huffman code ends right at the marker (the shipped CT's IM0100,
 * dcmcjpeg +el); trailing 1-bits are the standard's own padding, so every decoder ignores them.
 * Fill bytes (extra 0xFF) before EOI are dropped. The caller has checked that the frame ends with EOI.
 */
function withTrailingPadding(frame: Uint8Array): Uint8Array {
  let end = frame.length;
  while (end > 2 && frame[end - 1] === 0) end--;
  let data = end - 2;
  while (data > 2 && frame[data - 1] === 0xff) data--;
  const copy = new Uint8Array(data + 4);
  copy.set(frame.subarray(0, data));
  copy.set([0xff, 0x00, 0xff, 0xd9], data);
  return copy;
}

function corrupt(info: FrameInfo, uid: string, codec: Codec, message: string): CorruptPixelDataError {
  return new CorruptPixelDataError(info.path, `${transferSyntaxName(uid)} frame: ${codec}: ${message}`);
}

/** The last error line a codec printed (OpenJPEG reports failures that way, not by throwing). */
function printedError(wasm: LoadedWasm): string | null {
  const errs = wasm.printed.filter((s) => /error|fail|invalid|corrupt|expected/i.test(s) && !/^\[INFO\]/.test(s));
  return errs.length ? errs[errs.length - 1].replace(/^\[ERROR\]\s*/, "").trim() : null;
}

/**
 * A C++ exception thrown out of an emscripten module arrives as a pointer into wasm memory. Its
 * type_info name says what it is: a `const char*` (libjpeg-turbo's wrapper) or a std::exception
 * subclass whose what() string libc++ keeps at offset 4 (CharLS's jpegls_error).
 */
function exceptionMessage(wasm: LoadedWasm, e: unknown): string {
  if (typeof e !== "number") return printedError(wasm) ?? (e instanceof Error ? e.message : String(e));
  const heap = wasm.module.HEAPU8;
  const view = new DataView(heap.buffer);
  const inHeap = (p: number) => p > 0 && p + 4 <= heap.length;
  const cString = (p: number): string | null => {
    if (!inHeap(p)) return null;
    let s = "";
    for (let i = p; i < Math.min(heap.length, p + 400) && heap[i]; i++) {
      if (heap[i] === 10 || heap[i] === 13 || heap[i] === 9) s += " ";
      else if (heap[i] < 32 || heap[i] > 126) return null;
      else s += String.fromCharCode(heap[i]);
    }
    return s.replace(/^[^A-Za-z0-9]+/, "").trim() || null;
  };
  let text: string | null = null;
  if (inHeap(e - 24) && inHeap(e + 4)) {
    const type = view.getUint32(e - 20, true); // __cxa_exception header: type_info* at -20
    const typeName = inHeap(type + 4) ? cString(view.getUint32(type + 4, true)) : null;
    if (typeName === "PKc" || typeName === "Pc") text = cString(view.getUint32(e, true));
    else if (typeName) text = cString(view.getUint32(e + 4, true));
  }
  return [text, printedError(wasm)].filter(Boolean).join("; ") || `codec exception (no message, pointer ${e})`;
}

/** Shape of a decoded frame as the codec reports it. */
interface Decoded {
  width: number;
  height: number;
  components: number;
  /** Bytes per decoded sample (1 or 2). */
  bytes: number;
}

/** Check the codec's output against the DICOM header and widen 8-bit samples when BitsAllocated is 16. */
function toNative(decoded: Uint8Array, d: Decoded, info: FrameInfo, uid: string, codec: Codec): Uint8Array {
  if (d.width !== info.columns || d.height !== info.rows || d.components !== info.samplesPerPixel) {
    throw corrupt(info, uid, codec, `decoded ${d.width}×${d.height}×${d.components} samples, the header says ${info.columns}×${info.rows}×${info.samplesPerPixel}`);
  }
  const n = info.rows * info.columns * info.samplesPerPixel;
  const outBytes = info.bitsAllocated / 8;
  if (decoded.length < n * d.bytes) {
    throw corrupt(info, uid, codec, `decoded ${decoded.length} bytes, ${n} samples of ${d.bytes} byte(s) need ${n * d.bytes}`);
  }
  let out: Uint8Array;
  if (d.bytes === outBytes) out = decoded.length === n * outBytes ? decoded : decoded.subarray(0, n * outBytes);
  else if (d.bytes === 1 && outBytes === 2) {
    out = new Uint8Array(2 * n);
    for (let p = 0; p < n; p++) out[2 * p] = decoded[p];
  } else {
    throw corrupt(info, uid, codec, `decoded ${8 * d.bytes}-bit samples do not fit BitsAllocated ${info.bitsAllocated}`);
  }
  if (info.pixelRepresentation === 1 && outBytes === 2 && info.bitsStored < 16) {
    // The codecs return BitsStored-wide samples: sign-extend them as the native pixel data would hold them.
    const shift = 32 - info.bitsStored;
    const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
    for (let p = 0; p < n; p++) v.setInt16(2 * p, (v.getUint16(2 * p, true) << shift) >> shift, true);
  }
  return out;
}

/**
 * Read the JPEG / JPEG-LS frame header (SOFn or SOF55 marker) and compare it with the DICOM header
 * before the codec allocates anything; 12-bit lossy JPEG is named as unsupported here.
 */
function jpegHeaderCheck(frame: Uint8Array, info: FrameInfo, uid: string): void {
  const codec = CODEC_OF[uid];
  if (frame.length < 4 || frame[0] !== 0xff || frame[1] !== 0xd8) {
    throw corrupt(info, uid, codec, `the frame does not start with a JPEG SOI marker (FFD8); it starts ${hex(frame.subarray(0, 4))}`);
  }
  let p = 2;
  for (;;) {
    while (p < frame.length && frame[p] === 0xff && frame[p + 1] === 0xff) p++; // fill bytes
    if (p + 4 > frame.length || frame[p] !== 0xff) {
      throw corrupt(info, uid, codec, `no JPEG frame header (SOF marker) before byte ${p} of ${frame.length}`);
    }
    const marker = frame[p + 1];
    const length = (frame[p + 2] << 8) | frame[p + 3];
    const isSof = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    if (isSof) {
      if (p + 10 > frame.length) throw corrupt(info, uid, codec, "the frame ends inside its JPEG frame header");
      const precision = frame[p + 4];
      const height = (frame[p + 5] << 8) | frame[p + 6];
      const width = (frame[p + 7] << 8) | frame[p + 8];
      const components = frame[p + 9];
      if (uid === "1.2.840.10008.1.2.4.51" && precision > 8) {
        throw new UnsupportedTransferSyntaxError(info.path, uid, `${transferSyntaxName(uid)} with ${precision}-bit samples (Process 4): no offline 12-bit lossy JPEG codec in unmask`);
      }
      // Height 0 means a DNL marker gives it later (allowed by the JPEG standard).
      if (width !== info.columns || (height !== 0 && height !== info.rows) || components !== info.samplesPerPixel) {
        throw corrupt(info, uid, codec, `the JPEG frame header says ${width}×${height}×${components}, the DICOM header ${info.columns}×${info.rows}×${info.samplesPerPixel}`);
      }
      if (precision > info.bitsAllocated || precision > 16) {
        throw corrupt(info, uid, codec, `the JPEG frame header says ${precision}-bit samples, more than BitsAllocated ${info.bitsAllocated}`);
      }
      break;
    }
    if (marker === 0xd9 || marker === 0xda) throw corrupt(info, uid, codec, `no JPEG frame header (SOF marker) before the scan at byte ${p}`);
    p += 2 + length;
  }
  requireEndMarker(frame, info, uid, codec, "EOI");
}

/** Read the JPEG 2000 SIZ marker (image and tile size, components, depth) and compare it with the DICOM header. */
function j2kHeaderCheck(frame: Uint8Array, info: FrameInfo, uid: string): void {
  const codec = CODEC_OF[uid];
  // A raw codestream starts with SOC+SIZ; some writers wrap it in a JP2 file: look a little further in.
  let p = -1;
  for (let i = 0; i + 4 <= Math.min(frame.length, 4096); i++) {
    if (frame[i] === 0xff && frame[i + 1] === 0x4f && frame[i + 2] === 0xff && frame[i + 3] === 0x51) {
      p = i + 2;
      break;
    }
  }
  if (p < 0) throw corrupt(info, uid, codec, `no JPEG 2000 codestream (SOC and SIZ markers, FF4F FF51) in the frame; it starts ${hex(frame.subarray(0, 4))}`);
  if (p + 41 > frame.length) throw corrupt(info, uid, codec, "the frame ends inside its JPEG 2000 SIZ marker");
  // SIZ: marker, Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, XTsiz, YTsiz, XTOsiz, YTOsiz, Csiz, then Ssiz of component 0.
  const v = new DataView(frame.buffer, frame.byteOffset + p, 41);
  const width = v.getUint32(6) - v.getUint32(14);
  const height = v.getUint32(10) - v.getUint32(18);
  const components = v.getUint16(38);
  const depth = (frame[p + 40] & 0x7f) + 1;
  if (width !== info.columns || height !== info.rows || components !== info.samplesPerPixel) {
    throw corrupt(info, uid, codec, `the JPEG 2000 SIZ marker says ${width}×${height}×${components}, the DICOM header ${info.columns}×${info.rows}×${info.samplesPerPixel}`);
  }
  if (depth > info.bitsAllocated || depth > 16) {
    throw corrupt(info, uid, codec, `the JPEG 2000 SIZ marker says ${depth}-bit samples, more than BitsAllocated ${info.bitsAllocated}`);
  }
  requireEndMarker(frame, info, uid, codec, "EOC");
}

/**
 * A frame cut short may still decode (JPEG 2000 by design, jpeg-lossless-decoder-js by reading zeros):
 * every one of these streams ends with FFD9 (EOI / EOC), followed at most by fragment padding.
 */
function requireEndMarker(frame: Uint8Array, info: FrameInfo, uid: string, codec: Codec, name: string): void {
  let end = frame.length;
  while (end > 2 && frame.length - end < 16 && frame[end - 1] === 0) end--;
  if (!(frame[end - 2] === 0xff && frame[end - 1] === 0xd9)) {
    throw corrupt(info, uid, codec, `the stream does not end with its ${name} marker (FFD9): it is cut short or damaged (last bytes ${hex(frame.subarray(Math.max(0, frame.length - 4)))})`);
  }
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0").toUpperCase()).join(" ") || "(empty)";
}
