/**
 * Load time and peak memory per transfer syntax: the shipped CT (108 slices of 256×256) converted by
 * dcmtk / gdcm into each syntax unmask decodes, loaded by unmask's loadSeries, next to pydicom with
 * Debian's python3-gdcm decoding the same files into the same float32 volume, in the same run.
 * Each side runs in its own process (best of 3 after a warm-up; peak RSS of that process).
 * The largest voxel difference between the two volumes is printed as a check on the figures.
 * A second table decodes one frame with each codec package's WebAssembly and JavaScript builds.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as dicomParser from "dicom-parser";
import { CT_DIR, ROOT, SCRATCH, fmt, printTable, ratio, runPython, timeIt } from "./common";

const RUNS = 3;
/** name, transfer syntax, tool and its options (input and output paths follow). */
const SYNTAXES: [string, string, string, string[]][] = [
  ["Explicit VR Little Endian (native)", "1.2.840.10008.1.2.1", "", []],
  ["RLE Lossless", "1.2.840.10008.1.2.5", "dcmcrle", []],
  ["JPEG Baseline 8-bit", "1.2.840.10008.1.2.4.50", "dcmcjpeg", ["+eb", "+be"]],
  ["JPEG Lossless Process 14", "1.2.840.10008.1.2.4.57", "dcmcjpeg", ["+el"]],
  ["JPEG Lossless SV1", "1.2.840.10008.1.2.4.70", "dcmcjpeg", ["+e1"]],
  ["JPEG-LS Lossless", "1.2.840.10008.1.2.4.80", "dcmcjpls", ["+el"]],
  ["JPEG-LS Near-Lossless (NEAR 2)", "1.2.840.10008.1.2.4.81", "dcmcjpls", ["+en", "+md", "2"]],
  ["JPEG 2000 Lossless", "1.2.840.10008.1.2.4.90", "gdcmconv", ["--j2k"]],
  ["JPEG 2000 (rate 10)", "1.2.840.10008.1.2.4.91", "gdcmconv", ["--j2k", "--lossy", "-r", "10"]],
];

/** The CT in one syntax, converted once into the scratch folder (kept between runs). */
function prepare(uid: string, tool: string, args: string[]): string {
  const files = fs.readdirSync(CT_DIR).filter((f) => f.endsWith(".dcm")).sort();
  if (!tool) return CT_DIR;
  const out = path.join(SCRATCH, "codecs", uid);
  if (fs.existsSync(out) && fs.readdirSync(out).length === files.length) return out;
  const tmp = `${out}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  for (const f of files) execFileSync(tool, [...args, path.join(CT_DIR, f), path.join(tmp, f)], { stdio: ["ignore", "ignore", "pipe"] });
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(tmp, out);
  return out;
}

function maxDifference(a: string, b: string): number {
  const x = new Float32Array(new Uint8Array(fs.readFileSync(a)).buffer), y = new Float32Array(new Uint8Array(fs.readFileSync(b)).buffer);
  if (x.length !== y.length) return NaN;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

function main(): void {
  fs.mkdirSync(path.join(SCRATCH, "codecs"), { recursive: true });
  const rows: (string | number)[][] = [];
  let decoder = "pydicom + GDCM";
  for (const [name, uid, tool, args] of SYNTAXES) {
    let folder: string;
    try {
      folder = prepare(uid, tool, args);
    } catch (e) {
      rows.push([name, `could not convert with ${tool}: ${String(e).split("\n")[0]}`, "", "", "", "", ""]);
      continue;
    }
    const oursOut = path.join(SCRATCH, "codecs", `${uid}.unmask.f32`), theirsOut = path.join(SCRATCH, "codecs", `${uid}.pydicom.f32`);
    const child = spawnSync(process.execPath, [path.join(ROOT, "build", "bench", "codecs-child.js"), folder, String(RUNS), oursOut], { encoding: "utf8", timeout: 600_000 });
    const ours = child.status === 0 ? JSON.parse(child.stdout.trim().split("\n").pop()!) : { error: (child.stderr || `exit ${child.status}`).trim() };
    const theirs = runPython("load_series_time.py", [folder, String(RUNS), theirsOut]);
    if (typeof theirs.decoder === "string") decoder = theirs.decoder;
    const bothOk = !ours.error && !theirs.error;
    rows.push([
      name,
      ours.error ? `error: ${ours.error}` : ours.ms,
      theirs.error ? `error: ${theirs.error}` : (theirs.ms as number),
      bothOk ? ratio(ours.ms, theirs.ms as number) : "n/a",
      ours.error ? "" : ours.maxrss_mib,
      theirs.error ? "" : (theirs.maxrss_mib as number),
      bothOk ? fmt(maxDifference(oursOut, theirsOut)) : "",
    ]);
  }
  printTable(
    `Load the shipped CT (108 × 256 × 256) per transfer syntax: unmask loadSeries vs ${decoder} (same files, same run; best of ${RUNS} after a warm-up; peak RSS of each process)`,
    ["transfer syntax", "unmask ms", "pydicom ms", "unmask vs pydicom", "unmask peak MiB", "pydicom peak MiB", "max |Δ| HU"],
    rows,
  );
}

/**
 * The basis of the codec choice: one middle CT frame decoded by each codec package's WebAssembly build
 * and by its JavaScript (asm.js) build, the same calls unmask makes (JPEG Lossless has one JS codec).
 */
async function perFrame(): Promise<void> {
  const frameOf = (uid: string) => {
    const bytes = fs.readFileSync(path.join(SCRATCH, "codecs", uid, "IM0054.dcm"));
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
  printTable("Decode one 256×256 CT frame (IM0054), best of 20: WebAssembly vs JavaScript build of each codec package", ["codec", "wasm ms", "JS ms", "wasm vs JS"], rows);
}

main();
perFrame().catch((e) => console.log(`per-frame table failed: ${e}`));
