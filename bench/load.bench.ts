// Loading the shipped CT (108 slices, 256×256) in each transfer syntax unmask decodes — native, deflated,
// RLE, JPEG Baseline, JPEG Lossless, JPEG-LS, JPEG 2000 (made from the shipped files by dcmtk and gdcm) — timed and with its peak memory, next
// to pydicom with python3-gdcm decoding the same files in the same run. Each load runs in a fresh
// process (best of 3) so its peak RSS is its own.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as dicomParser from "dicom-parser";
import { CT_DIR, ROOT, SCRATCH, printTable, ratio, runPython } from "./common";

const SYNTAXES: { name: string; convert: ((src: string, dst: string) => void) | null }[] = [
  { name: "Explicit VR Little Endian (native)", convert: null },
  { name: "Deflated Explicit VR Little Endian", convert: (s, d) => execFileSync("dcmconv", ["+td", s, d]) },
  { name: "RLE Lossless", convert: (s, d) => execFileSync("dcmcrle", [s, d]) },
  // The JPEG family, decoded by lib/src/dicom/codecs.ts (the cold load includes the codec's wasm start).
  { name: "JPEG Baseline 8-bit (dcmcjpeg +eb +be)", convert: (s, d) => execFileSync("dcmcjpeg", ["+eb", "+be", s, d]) },
  { name: "JPEG Lossless Process 14 (dcmcjpeg +el)", convert: (s, d) => execFileSync("dcmcjpeg", ["+el", s, d]) },
  { name: "JPEG Lossless SV1 (dcmcjpeg +e1)", convert: (s, d) => execFileSync("dcmcjpeg", ["+e1", s, d]) },
  { name: "JPEG-LS Lossless (dcmcjpls)", convert: (s, d) => execFileSync("dcmcjpls", ["+el", s, d]) },
  { name: "JPEG-LS Near-Lossless, NEAR 2 (dcmcjpls +en)", convert: (s, d) => execFileSync("dcmcjpls", ["+en", "+md", "2", s, d]) },
  { name: "JPEG 2000 Lossless (gdcmconv --j2k)", convert: (s, d) => execFileSync("gdcmconv", ["--j2k", s, d]) },
  { name: "JPEG 2000 lossy (gdcmconv --j2k --lossy -r 10)", convert: (s, d) => execFileSync("gdcmconv", ["--j2k", "--lossy", "-r", "10", s, d]) },
];

/** The CT re-encoded in a syntax, cached under .bench/load/. */
function folderFor(i: number): string {
  const s = SYNTAXES[i];
  if (!s.convert) return CT_DIR;
  const dir = path.join(SCRATCH, "load", String(i));
  const files = fs.readdirSync(CT_DIR).filter((f) => f.endsWith(".dcm"));
  if (!fs.existsSync(dir) || fs.readdirSync(dir).length !== files.length) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    for (const f of files) s.convert(path.join(CT_DIR, f), path.join(dir, f));
  }
  return dir;
}

/**
 * A synthetic series of `slices` 512×512 slices (16-bit, from the shipped CT's header; positions 0.5 mm
 * apart, own SOP Instance UIDs): LOAD_GIB=1 loads 1,024 of them, a 1 GiB Float32 volume.
 */
function bigSeries(slices: number): string {
  const dir = path.join(SCRATCH, "load", `big-${slices}`);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length === slices) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const src = fs.readFileSync(path.join(CT_DIR, "IM0054.dcm"));
  const ds = dicomParser.parseDicom(src);
  const pd = ds.elements.x7fe00010;
  const head = Buffer.from(src.subarray(0, pd.dataOffset));
  head.writeUInt16LE(512, ds.elements.x00280010.dataOffset);
  head.writeUInt16LE(512, ds.elements.x00280011.dataOffset);
  head.writeUInt32LE(512 * 512 * 2, pd.dataOffset - 4);
  const ipp = ds.elements.x00200032, sop = ds.elements.x00080018, msop = ds.elements.x00020003;
  const pixels = Buffer.alloc(512 * 512 * 2);
  for (let p = 0; p < 512 * 512; p++) pixels.writeUInt16LE(((p % 512) + (p >> 9)) % 2048, 2 * p);
  const uid = ds.string("x00080018")!;
  for (let k = 0; k < slices; k++) {
    const h = Buffer.from(head);
    h.write(`-244.0430\\-244.0430\\${(k * 0.5).toFixed(4)}`.padEnd(ipp.length, " "), ipp.dataOffset, ipp.length, "latin1");
    const mine = uid.slice(0, uid.length - 6) + String(k).padStart(6, "0");
    h.write(mine.padEnd(sop.length, "\0"), sop.dataOffset, sop.length, "latin1");
    h.write(mine.padEnd(msop.length, "\0"), msop.dataOffset, msop.length, "latin1");
    fs.writeFileSync(path.join(dir, `IM${String(k).padStart(5, "0")}.dcm`), Buffer.concat([h, pixels]));
  }
  return dir;
}

/** One unmask load in a fresh Node process: wall time and peak RSS growth over the process before loading. */
function unmaskOnce(dir: string): { ms: number; peakGrowthMiB: number; volumeMiB: number } {
  const script = `
const { loadSeries } = require("unmask");
const rss = () => Number(require("fs").readFileSync("/proc/self/status", "utf8").match(/VmRSS:\\s+(\\d+)/)[1]);
(async () => {
  const before = rss();
  const t = performance.now();
  const { volume } = await loadSeries(${JSON.stringify(dir)});
  const ms = performance.now() - t;
  const peak = process.resourceUsage().maxRSS;
  console.log(JSON.stringify({ ms, peakGrowthMiB: (peak - before) / 1024, volumeMiB: volume.data.byteLength / 2 ** 20 }));
})();`;
  const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

function best<T extends { ms: number }>(runs: T[]): T {
  return runs.reduce((a, b) => (b.ms < a.ms ? b : a));
}

async function main() {
  const rows: (string | number)[][] = [];
  for (let i = 0; i < SYNTAXES.length; i++) {
    const dir = folderFor(i);
    const ours = best([0, 1, 2].map(() => unmaskOnce(dir)));
    const py = [0, 1, 2].map(() => runPython("load_time.py", [dir]) as { ms: number; peakGrowthMiB: number; error?: string });
    const theirs = py.some((p) => p.error) ? null : best(py);
    rows.push([
      SYNTAXES[i].name, ours.ms, theirs ? theirs.ms : `error: ${py.find((p) => p.error)?.error}`, theirs ? ratio(ours.ms, theirs.ms) : "n/a",
      ours.peakGrowthMiB, theirs ? theirs.peakGrowthMiB : "n/a", ours.volumeMiB,
    ]);
  }
  if (process.env.LOAD_GIB) {
    const dir = bigSeries(1024);
    const ours = unmaskOnce(dir);
    const py = runPython("load_time.py", [dir]) as { ms: number; peakGrowthMiB: number; error?: string };
    rows.push(["1 GiB: 1,024 × 512², native (LOAD_GIB=1, once)", ours.ms, py.error ? `error: ${py.error}` : py.ms, py.error ? "n/a" : ratio(ours.ms, py.ms), ours.peakGrowthMiB, py.error ? "n/a" : py.peakGrowthMiB, ours.volumeMiB]);
  }
  printTable(
    "Load the shipped CT (108 × 256 × 256) into a Float32 HU volume: unmask vs pydicom + python3-gdcm (best of 3, each in a fresh process; peak = peak RSS growth during the load)",
    ["transfer syntax", "unmask ms", "pydicom+gdcm ms", "unmask vs pydicom", "unmask peak MiB", "pydicom peak MiB", "volume MiB"],
    rows,
  );
}

void main();
