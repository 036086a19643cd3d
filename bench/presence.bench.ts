/**
 * Face-presence benchmark on the truth set's "test" split (built here from the shipped CT and MRI,
 * as the tests build it): recall and false-positive rate per detector, per variant and fused
 * (leave-one-scan-out: fitted on the CT-derived cases, scored on the MRI-derived ones and the
 * reverse; and with the committed defaults, fitted on the disjoint "fit" split), recall gained per
 * second per detector and variant, and the verdict time on the CT (warm) next to one render + one
 * detector in the same run. Writes .bench/presence-table.json.
 * Run: npx tsc -b && BENCH=presence npm run bench   (about 20 minutes on a loaded 2-core machine)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadSeries, readImage, marchingCubes, resample, detectFaces } from "unmask";
import type { DetectorName } from "unmask/face";
import { createRenderer } from "unmask/render";
import { detectFaceInScan, presenceVariants } from "unmask/face";
import {
  presenceTruthSet, collectTruthEvidence, losoVerdicts, summarize, verdicts, variantSeconds, DEFAULT_FUSION, DEFAULT_DETECTORS,
  DEFAULT_VARIANT_NAMES, chooseLevel, type CaseEvidence, type Summary,
} from "unmask/face/evaluation";
import { CT_DIR, MRI_DIR, ROOT, SCRATCH } from "./common";

const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : "—");
const GRID_DETECTORS = ["human", "haar", "haar-alt2"];
const SLOW_DETECTORS = ["ssd", "tiny"];

/** Did `detector` put any box on the skin, anterior of the head's centre, on `variant`? (the 2D-alone test) */
function fired(it: CaseEvidence, detector: string, variants?: Set<string>): boolean {
  return it.collected.evidence.some((e) => e.detector === detector && (!variants || variants.has(e.variant)));
}

function rates(items: CaseEvidence[], hit: (it: CaseEvidence) => boolean, extraNeg: boolean[] = []): { recall: number; fpr: number } {
  const pos = items.filter((i) => i.face), neg = items.filter((i) => !i.face);
  const fp = neg.filter(hit).length + extraNeg.filter(Boolean).length;
  return { recall: pos.filter(hit).length / pos.length, fpr: fp / (neg.length + extraNeg.length) };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const ct = (await loadSeries(CT_DIR)).volume, mri = (await loadSeries(MRI_DIR)).volume;
  const cases = presenceTruthSet([{ name: "ct", volume: ct }, { name: "mri", volume: mri }], "test");
  const grid = presenceVariants("full").filter((v) => v.size === 224 || v.view === "front");
  console.log(`truth set (test split): ${cases.filter((c) => c.face).length} positives, ${cases.filter((c) => !c.face).length} negatives; grid ${grid.length} variants × ${GRID_DETECTORS.join(", ")}; ${SLOW_DETECTORS.join(", ")} on the 3 front m25 224 variants`);
  const log = (name: string, i: number, n: number): void => { process.stderr.write(`[${i + 1}/${n}] ${name} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`); };
  // --cached reuses the evidence of an earlier run (after changing only the defaults or the fusion).
  const cache = path.join(SCRATCH, "presence-test-evidence.json");
  let items: CaseEvidence[], slow: CaseEvidence[];
  if (process.argv.includes("--cached") && fs.existsSync(cache)) ({ items, slow } = JSON.parse(fs.readFileSync(cache, "utf8")));
  else {
    items = await collectTruthEvidence(cases, { variants: grid, detectors: GRID_DETECTORS }, log);
    slow = await collectTruthEvidence(cases, { variants: grid.filter((v) => v.view === "front" && v.margin === "m25" && v.size === 224), detectors: SLOW_DETECTORS }, log);
    fs.writeFileSync(cache, JSON.stringify({ items, slow }));
  }
  const slowVariants = slow[0].collected.variants;

  // 2D negatives for the detectors alone: back, top and bottom renders of both heads, and the no-face photo.
  const extra: Record<string, boolean[]> = {};
  const add = (d: string, hit: boolean): void => { (extra[d] ??= []).push(hit); };
  for (const v of [ct, mri]) {
    const level = chooseLevel(v).value as number;
    const mesh = await marchingCubes(resample(v, { spacing: 2 }), { level });
    const r = createRenderer(mesh, { voxelAxes: v.direction, size: 224, margin: 0.25 });
    try {
      for (const view of ["back", "top", "bottom"] as const) {
        const { image } = await r.render(view);
        for (const d of [...GRID_DETECTORS, ...SLOW_DETECTORS]) add(d, (await detectFaces(image, { detector: d as DetectorName })).length > 0);
      }
    } finally { r.release(); }
  }
  const photo = await readImage(path.join(ROOT, "data-samples", "faces", "no-face-coffee.png"));
  for (const d of [...GRID_DETECTORS, ...SLOW_DETECTORS]) add(d, (await detectFaces(photo, { detector: d as DetectorName })).length > 0);

  const table: Record<string, unknown> = {};
  console.log("\n## Per detector alone (fires on any variant; FPR includes back/top/bottom renders and the no-face photo)");
  console.log("| detector | variants | recall | FPR | s per variant |");
  console.log("|---|---|---|---|---|");
  const perDetector: Record<string, unknown> = {};
  for (const d of GRID_DETECTORS) {
    const r = rates(items, (it) => fired(it, d), extra[d]);
    const s = grid.reduce((a, v) => a + variantSeconds(items, v.name, [d]), 0) / grid.length;
    const rd = rates(items, (it) => fired(it, d, new Set(DEFAULT_VARIANT_NAMES)), extra[d]);
    console.log(`| ${d} | grid (${grid.length}) | ${f3(r.recall)} | ${f3(r.fpr)} | ${s.toFixed(3)} |`);
    console.log(`| ${d} | default (${DEFAULT_VARIANT_NAMES.length}) | ${f3(rd.recall)} | ${f3(rd.fpr)} | |`);
    perDetector[d] = { grid: r, default: rd, secondsPerVariant: s };
  }
  for (const d of SLOW_DETECTORS) {
    const r = rates(slow, (it) => fired(it, d), extra[d]);
    const s = slowVariants.reduce((a, v) => a + variantSeconds(slow, v, [d]), 0) / slowVariants.length;
    console.log(`| ${d} | front × 3 lights, m25, 224 (${slowVariants.length}) | ${f3(r.recall)} | ${f3(r.fpr)} | ${s.toFixed(3)} |`);
    perDetector[d] = { default: r, secondsPerVariant: s };
  }
  table.perDetector = perDetector;

  console.log("\n## Fused");
  console.log("| fusion | variants × detectors | recall | FPR | uncertain | positives judged no |");
  console.log("|---|---|---|---|---|---|");
  const line = (label: string, what: string, s: Summary): void => {
    console.log(`| ${label} | ${what} | ${f3(s.recall)} | ${f3(s.falsePositiveRate)} | ${s.uncertain} | ${s.missed} |`);
  };
  const dflt = { variants: DEFAULT_VARIANT_NAMES, detectors: DEFAULT_DETECTORS };
  const committed = summarize(verdicts(items, DEFAULT_FUSION, dflt));
  line("committed defaults (fitted on the fit split)", `default ${DEFAULT_VARIANT_NAMES.length} × ${DEFAULT_DETECTORS.join("+")}`, committed);
  const losoDefault = summarize(losoVerdicts(items, DEFAULT_DETECTORS, dflt).verdicts);
  line("leave-one-scan-out on the test split", `default ${DEFAULT_VARIANT_NAMES.length} × ${DEFAULT_DETECTORS.join("+")}`, losoDefault);
  const losoGrid = summarize(losoVerdicts(items, GRID_DETECTORS).verdicts);
  line("leave-one-scan-out on the test split", `grid ${grid.length} × ${GRID_DETECTORS.join("+")}`, losoGrid);
  for (const d of GRID_DETECTORS) line(`leave-one-scan-out, ${d} only`, `grid ${grid.length} × ${d}`, summarize(losoVerdicts(items, [d], { detectors: [d] }).verdicts));
  table.fused = { committed, losoDefault, losoGrid };

  console.log("\n## Per variant (leave-one-scan-out fused over the grid detectors on that one variant; recall gained per second = recall / seconds per case)");
  console.log("| variant | s | recall | FPR | recall per s |");
  console.log("|---|---|---|---|---|");
  const perVariant: Record<string, unknown> = {};
  const rows = grid.map((v) => {
    const s = summarize(losoVerdicts(items, GRID_DETECTORS, { variants: [v.name] }).verdicts);
    const sec = variantSeconds(items, v.name, GRID_DETECTORS);
    return { v: v.name, s, sec, per: s.recall / sec };
  }).sort((a, b) => b.per - a.per);
  for (const r of rows) {
    console.log(`| ${r.v}${DEFAULT_VARIANT_NAMES.includes(r.v) ? " (default)" : ""} | ${r.sec.toFixed(3)} | ${f3(r.s.recall)} | ${f3(r.s.falsePositiveRate)} | ${r.per.toFixed(2)} |`);
    perVariant[r.v] = { recall: r.s.recall, fpr: r.s.falsePositiveRate, seconds: r.sec };
  }
  table.perVariant = perVariant;

  console.log("\n## Recall gained per second, per detector (leave-one-scan-out fused on the default variants; gain over no detector = 0)");
  for (const d of GRID_DETECTORS) {
    const s = summarize(losoVerdicts(items, [d], { variants: DEFAULT_VARIANT_NAMES, detectors: [d] }).verdicts);
    const sec = DEFAULT_VARIANT_NAMES.reduce((a, v) => a + variantSeconds(items, v, [d]), 0);
    console.log(`${d}: recall ${f3(s.recall)} in ${sec.toFixed(2)} s per case → ${(s.recall / sec).toFixed(3)} recall/s`);
  }
  for (const d of SLOW_DETECTORS) {
    const r = rates(slow, (it) => fired(it, d));
    const sec = slowVariants.reduce((a, v) => a + variantSeconds(slow, v, [d]), 0);
    console.log(`${d} (alone, fires on any of its ${slowVariants.length} front variants): recall ${f3(r.recall)} in ${sec.toFixed(2)} s per case → ${(r.recall / sec).toFixed(3)} recall/s`);
  }

  console.log("\n## Verdict time on the shipped CT (warm)");
  await detectFaceInScan(ct);
  const times: number[] = [];
  let last: Awaited<ReturnType<typeof detectFaceInScan>> | undefined;
  for (let k = 0; k < 3; k++) { const t = Date.now(); last = await detectFaceInScan(ct); times.push(Date.now() - t); }
  const best = Math.min(...times);
  // The old single check in the same run: load-free mesh at 1 mm, one 512² front render, human.
  const tt = Date.now();
  const mesh = await marchingCubes(resample(ct, { spacing: 1 }), { level: -300 });
  const r = createRenderer(mesh, { voxelAxes: ct.direction, size: 512 });
  const { image } = await r.render("front");
  r.release();
  await detectFaces(image, { detector: "human" });
  const single = Date.now() - tt;
  console.log(`detectFaceInScan(ct): best of 3 warm ${best} ms (${times.join(", ")}; surface ${last!.timing.surface}, render ${last!.timing.render}, ${Object.entries(last!.timing.detect).map(([d, ms]) => `${d} ${ms}`).join(", ")} ms) — verdict ${last!.present}`);
  console.log(`one 1 mm mesh + one 512² render + human, same run: ${single} ms → the fused verdict costs ${(best / single).toFixed(1)}× the single check`);
  table.verdictMs = { best, runs: times, singleCheckMs: single };
  fs.writeFileSync(path.join(SCRATCH, "presence-table.json"), JSON.stringify(table, null, 1));
  console.log(`\nwhole benchmark ${((Date.now() - t0) / 1000).toFixed(0)} s; table in .bench/presence-table.json`);
}

main().catch((e) => { console.error(e); process.exit(1); });
