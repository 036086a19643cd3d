/**
 * The basis of the codec choice in lib/src/dicom/codecs.ts: one CT frame (made by dcmtk / gdcm from the
 * shipped IM0054) decoded by each codec package's WebAssembly build and by its JavaScript build, and
 * what the 8-bit libjpeg-turbo build does with JPEG Lossless and 12-bit JPEG Extended frames.
 * Load times per transfer syntax next to pydicom + GDCM are in bench/load.bench.ts.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as dicomParser from "dicom-parser";
import { CT_DIR, SCRATCH, printTable, ratio, timeIt } from "./common";

/** One CT slice in a transfer syntax, converted once into the scratch folder. */
function converted(name: string, tool: string, args: string[]): string {
  const out = path.join(SCRATCH, "codecs", name);
  if (!fs.existsSync(path.join(out, "IM0054.dcm"))) {
    fs.mkdirSync(out, { recursive: true });
    execFileSync(tool, [...args, path.join(CT_DIR, "IM0054.dcm"), path.join(out, "IM0054.dcm")], { stdio: ["ignore", "ignore", "pipe"] });
  }
  return path.join(out, "IM0054.dcm");
}
const FILES: Record<string, () => string> = {
  "1.2.840.10008.1.2.4.50": () => converted("baseline", "dcmcjpeg", ["+eb", "+be"]),
  "1.2.840.10008.1.2.4.57": () => converted("process14", "dcmcjpeg", ["+el"]),
  "1.2.840.10008.1.2.4.70": () => converted("sv1", "dcmcjpeg", ["+e1"]),
  "1.2.840.10008.1.2.4.80": () => converted("jpegls", "dcmcjpls", ["+el"]),
  "1.2.840.10008.1.2.4.90": () => converted("j2k", "gdcmconv", ["--j2k"]),
  extended12: () => converted("extended12", "dcmcjpeg", ["+ee", "+bt"]),
};

/**
 * The basis of the codec choice: one middle CT frame decoded by each codec package's WebAssembly build
 * and by its JavaScript (asm.js) build, the same calls unmask makes (JPEG Lossless has one JS codec).
 */
async function perFrame(): Promise<void> {
  const frameOf = (uid: string) => {
    const bytes = fs.readFileSync(FILES[uid]());
    const ds = dicomParser.parseDicom(bytes);
    const el = ds.elements.x7fe00010;
    return new Uint8Array(dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, el.fragments!.length));
  };
  const rows: (string | number)[][] = [];
  const builds: [string, string, string, string][] = [
    ["libjpeg-turbo", "@cornerstonejs/codec-libjpeg-turbo-8bit", "JPEGDecoder", "1.2.840.10008.1.2.4.50"],
    ["CharLS", "@cornerstonejs/codec-charls", "JpegLSDecoder", "1.2.840.10008.1.2.4.80"],
    ["OpenJPEG", "@cornerstonejs/codec-openjpeg", "J2KDecoder", "1.2.840.10008.1.2.4.90"],
  ];
  for (const [name, pkg, cls, uid] of builds) {
    const frame = frameOf(uid);
    const ms: number[] = [];
    for (const entry of ["decodewasmjs", "decode"]) {
      const quiet = { print: () => undefined, printErr: () => undefined };
      const mod = await (require(`${pkg}/${entry}`) as (a: object) => Promise<Record<string, new () => { getEncodedBuffer(n: number): Uint8Array; decode(): void; getDecodedBuffer(): Uint8Array; delete(): void }>>)(quiet);
      const run = () => {
        const d = new mod[cls]();
        d.getEncodedBuffer(frame.length).set(frame);
        d.decode();
        const out = d.getDecodedBuffer().slice();
        d.delete();
        return out.length;
      };
      ms.push((await timeIt(run, 20, 3)).ms);
    }
    rows.push([`${name} (${uid})`, ms[0], ms[1], ratio(ms[0], ms[1])]);
  }
  const { Decoder } = require("jpeg-lossless-decoder-js") as { Decoder: new () => { decompress(b: ArrayBuffer, o: number, n: number): ArrayBuffer } };
  for (const uid of ["1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70"]) {
    const frame = frameOf(uid);
    const t = await timeIt(() => new Decoder().decompress(frame.slice().buffer, 0, frame.length).byteLength, 20, 3);
    rows.push([`jpeg-lossless-decoder-js (${uid})`, "(no wasm build)", t.ms, ""]);
  }
  // What the 8-bit libjpeg-turbo build does with JPEG Lossless and 12-bit JPEG Extended frames.
  const lj = await (require("@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs") as (a: object) => Promise<Record<string, new () => { getEncodedBuffer(n: number): Uint8Array; decode(): void; delete(): void }>>)({ print: () => undefined, printErr: () => undefined });
  for (const [label, uid] of [["JPEG Lossless", "1.2.840.10008.1.2.4.57"], ["12-bit JPEG Extended", "extended12"]]) {
    const frame = frameOf(uid);
    const d = new lj.JPEGDecoder();
    let outcome = "decoded";
    try {
      d.getEncodedBuffer(frame.length).set(frame);
      d.decode();
    } catch (e) {
      outcome = `cannot decode (throws ${typeof e === "number" ? "a C++ exception" : String(e)})`;
    } finally {
      d.delete();
    }
    rows.push([`libjpeg-turbo 8-bit on a ${label} frame`, outcome, "", ""]);
  }
  printTable("Decode one 256×256 CT frame (IM0054), best of 20: WebAssembly vs JavaScript build of each codec package", ["codec", "wasm ms", "JS ms", "wasm vs JS"], rows);
}

perFrame().catch((e) => {
  console.log(`codecs benchmark failed: ${e}`);
  process.exitCode = 1;
});
