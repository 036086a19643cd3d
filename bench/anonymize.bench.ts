/**
 * Writing DICOM benchmark (seed script 1 and header de-identification): unmask's load + convert +
 * writeSeries of the shipped CT (modes seed and hu) and its deidentify (PS3.15 Basic Profile, all of
 * Table E.1-1), next to pydicom doing the same reads, pixel edits and writes in Python
 * (bench/python/anonymize_time.py), in the same run; best of runs after a warm-up.
 * Run: npx tsc -b && node build/bench/anonymize.bench.js
 */
import * as os from "node:os";
import * as path from "node:path";
import * as fs from "node:fs";
import { encodeDicomFile, loadSeries, readDicomDataset, writeSeries } from "unmask/dicom";
import { convert, deidentify } from "unmask/anonymize";
import { CT_DIR, SCRATCH, printTable, ratio, runPython, timeIt } from "./common";

const RUNS = 3;
const KEY = new Uint8Array(32).fill(7);

async function main(): Promise<void> {
  console.log(`anonymize benchmark: ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}, node ${process.version}; best of ${RUNS} after a warm-up`);
  const py = runPython("anonymize_time.py", [String(RUNS), CT_DIR, SCRATCH]) as { pydicom?: string; files?: number; seed?: number; hu?: number; deidentify?: number; error?: string };
  if (py.error) console.log(`pydicom comparison unavailable: ${py.error}`);
  const rows: (string | number)[][] = [];
  for (const mode of ["seed", "hu"] as const) {
    const t = await timeIt(async () => {
      const s = await loadSeries(CT_DIR);
      const c = convert(s, { mode });
      return writeSeries(c, path.join(SCRATCH, `unmask-${mode}`), { ...c.write, force: true });
    }, RUNS);
    const theirs = py[mode] ?? NaN;
    rows.push([`convert --mode ${mode} (read, convert, write ${t.result.files.length} files)`, t.ms, theirs, ratio(t.ms, theirs)]);
  }
  const d = await timeIt(() => deidentify(CT_DIR, path.join(SCRATCH, "unmask-deid"), { key: KEY, force: true }), RUNS);
  rows.push([`deidentify (${d.result.files.length} files, ${d.result.changes.length} changes; pydicom: the same attributes by name)`, d.ms, py.deidentify ?? NaN, ratio(d.ms, py.deidentify ?? NaN)]);
  // The writer's encoder against dcmjs's own writer on the same parsed datasets (the reason for the encoder).
  const parsed = fs.readdirSync(CT_DIR).filter((f) => f.endsWith(".dcm")).map((f) => readDicomDataset(path.join(CT_DIR, f)));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dcmjs = require("dcmjs");
  const ours = await timeIt(() => parsed.forEach((d) => encodeDicomFile(d)), RUNS);
  const theirs = await timeIt(() => parsed.forEach((d) => {
    const dd = new dcmjs.data.DicomDict(d.meta);
    dd.dict = d.dict;
    dd.write();
  }), RUNS);
  printTable("Encode the 108 parsed files (Explicit VR Little Endian, same bytes), ms", ["encoder", "ms", "vs dcmjs"], [["unmask encodeDicomFile", ours.ms, ratio(ours.ms, theirs.ms)], ["dcmjs DicomDict.write", theirs.ms, ""]]);
  printTable(`Shipped CT (256×256×108), ms: unmask (dcmjs reader, own encoder) vs pydicom ${py.pydicom ?? "?"}`, ["step", "unmask ms", "pydicom ms", "unmask vs pydicom"], rows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
