/**
 * Fits the committed face-presence defaults (lib/src/face/presence-params.ts): the variant set and
 * the fusion parameters. Runs a grid of 54 variants (all views, lights and margins at 224 px, the front also at 384) × human, haar and haar-alt2 on the "fit" split of the
 * truth set (the shipped CT and MRI derived at other crops, spacings, levels and cuts than the
 * tests' "test" split, plus other phantoms), picks the cheapest variant set that reaches recall
 * ≥ 0.98 and FPR ≤ 0.02 under leave-one-scan-out, and fits the final parameters on the whole fit split.
 * Run (a few minutes): npx tsc -b && xvfb-run -a node build/bench/fit-presence.js [--cached]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadSeries } from "unmask";
import { detectors as panel, presenceVariants } from "unmask/face";
import { presenceTruthSet, collectTruthEvidence, fitCases, greedyVariants, losoVerdicts, summarize, fitFusion, type CaseEvidence } from "unmask/face/evaluation";
import { ROOT, CT_DIR, MRI_DIR, SCRATCH } from "./common";

const CACHE = path.join(SCRATCH, "presence-fit-evidence.json");
const OUT = path.join(ROOT, "lib", "src", "face", "presence-params.ts");

async function main(): Promise<void> {
  // SSD (~1.3 s a render here) and Tiny (~0.35 s) are too slow for a 2-core default and for a
  // full-grid fit in reasonable time; the benchmark measures them on the test split.
  const detectors = panel.filter((d) => d === "human" || d === "haar" || d === "haar-alt2");
  // The fit grid: every view × light × margin at 224 px, and the front at 384 px as well.
  const grid = presenceVariants("full").filter((v) => v.size === 224 || v.view === "front");
  let items: CaseEvidence[];
  if (process.argv.includes("--cached") && fs.existsSync(CACHE)) {
    items = JSON.parse(fs.readFileSync(CACHE, "utf8"));
  } else {
    const scans = [
      { name: "ct", volume: (await loadSeries(CT_DIR)).volume },
      { name: "mri", volume: (await loadSeries(MRI_DIR)).volume },
    ];
    const cases = presenceTruthSet(scans, "fit");
    const t = Date.now();
    items = await collectTruthEvidence(cases, { variants: grid, detectors }, (name, i, n) => process.stderr.write(`[${i + 1}/${n}] ${name} (${((Date.now() - t) / 1000).toFixed(0)} s)\n`));
    fs.writeFileSync(CACHE, JSON.stringify(items));
  }
  const all = summarize(losoVerdicts(items, detectors).verdicts);
  console.log(`fit grid, leave-one-scan-out on the fit split: recall ${all.recall.toFixed(3)}, FPR ${all.falsePositiveRate.toFixed(3)}, uncertain ${all.uncertain}, missed ${all.missed}`);
  const { chosen, steps } = greedyVariants(items, detectors, { recall: 0.98, maxFpr: 0.02, minVariants: 6, minViews: 3 });
  for (const s of steps) console.log(`+ ${s.variant} (${(s.seconds * 1000).toFixed(0)} ms): recall ${s.summary.recall.toFixed(3)} FPR ${s.summary.falsePositiveRate.toFixed(3)} uncertain ${s.summary.uncertain} missed ${s.summary.missed}`);
  const reached = steps.length > 0 && steps[steps.length - 1].summary;
  const params = fitFusion(fitCases(items, { variants: chosen, detectors }), detectors, {
    fittedOn: `fit split (${items.length} cases: ct, mri, phantoms) on ${chosen.length} variants × ${detectors.join(", ")} by bench/fit-presence.ts`,
  });
  const round = (x: number): number => Math.round(x * 1e4) / 1e4;
  const text = `/**
 * Committed defaults of face presence, written by bench/fit-presence.ts (do not edit by hand).
 * Fitted on the truth set's "fit" split (${items.length} cases derived from the shipped CT and MRI at
 * other crops, spacings, levels and cut depths than the tests' "test" split, plus phantoms).
 * Variant set: the greedy cheapest set reaching the targets under leave-one-scan-out on that split
 * (recall ${reached ? reached.recall.toFixed(3) : "?"}, FPR ${reached ? reached.falsePositiveRate.toFixed(3) : "?"}).
 */
import type { FusionParams } from "./presence-fusion";

/** Detectors run by default. */
export const DEFAULT_DETECTORS: readonly string[] = ${JSON.stringify(detectors)};

/** Variants rendered by default ("view/light/margin/size"). */
export const DEFAULT_VARIANT_NAMES: readonly string[] = ${JSON.stringify(chosen, null, 2).replace(/\n/g, "\n")};

/** Fusion parameters. */
export const DEFAULT_FUSION: FusionParams = ${JSON.stringify({
    ...params, bias: round(params.bias), anterior: round(params.anterior), relief: round(params.relief), yes: round(params.yes), no: round(params.no),
    support: Object.fromEntries(Object.entries(params.support).map(([k, v]) => [k, round(v)])),
  }, null, 2)};
`;
  fs.writeFileSync(OUT + ".tmp", text);
  fs.renameSync(OUT + ".tmp", OUT);
  console.log(`wrote ${OUT}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
