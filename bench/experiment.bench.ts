/**
 * The identification experiment on the shipped cohort: a cold run (empty pipeline cache) against a
 * warm rerun (every stage from the cache) and a rerun with one changed option (another recognizer:
 * only the encode stage runs), measured in the same process. Stage counts are printed beside.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runExperiment, STAGES, type ExperimentResult } from "unmask/experiment";
import { ROOT, SCRATCH, printTable, ratio } from "./common";

const COHORT = path.join(ROOT, "data-samples", "cohort", "manifest.csv");
const FACES = path.join(ROOT, "data-samples", "faces");

async function timed(f: () => Promise<ExperimentResult>): Promise<{ ms: number; r: ExperimentResult }> {
  const t0 = process.hrtime.bigint();
  const r = await f();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, r };
}

async function main(): Promise<void> {
  const cache = path.join(SCRATCH, "experiment-cache");
  fs.rmSync(cache, { recursive: true, force: true });
  const opts = { probe: "altered", gallery: "reference", distractors: FACES, recognizers: ["dlib"] as ["dlib"], cache };
  const cold = await timed(() => runExperiment(COHORT, opts));
  const warm = await timed(() => runExperiment(COHORT, opts));
  const other = await timed(() => runExperiment(COHORT, { ...opts, recognizers: ["faceres"] }));
  const counts = (r: ExperimentResult) => STAGES.map((s) => `${s} ${r.counts[s].misses}`).join(", ");
  printTable("experiment: shipped cohort (10 probes, gallery of 6), dlib", ["run", "ms", "vs cold", "stages computed"], [
    ["cold (empty cache)", cold.ms, "—", counts(cold.r)],
    ["warm (same options)", warm.ms, ratio(warm.ms, cold.ms), counts(warm.r)],
    ["another recognizer (faceres)", other.ms, ratio(other.ms, cold.ms), counts(other.r)],
  ]);
  fs.rmSync(cache, { recursive: true, force: true });
  process.exit(0);
}

main().catch((e) => { console.error(e); process.exit(1); });
