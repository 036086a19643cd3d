/**
 * How the face-presence verdict ({@link detectFaceInScan}) is measured and fitted: the truth set
 * derived from real scans (positives: crops, resamplings, levels; negatives: the face cut away, the
 * back of the head, phantoms), evidence collection, leave-one-scan-out verdicts and their summary,
 * and the fit of the fusion parameters. Used by `test/face/presence.test.ts`, `bench/presence.bench.ts`
 * and `bench/fit-presence.ts`; imported as `unmask/face/evaluation`.
 * @module
 */
export { presenceTruthSet, anteriorMostPoint, levelAndStep, blank, phantom, TRUTH_SPLITS, type TruthCase } from "./presence-truth";
export {
  collectTruthEvidence, fitCases, greedyVariants, losoVerdicts, summarize, verdicts, variantSeconds,
  type CaseEvidence, type Summary, type Subset, type CaseVerdict,
} from "./presence-eval";
export { presenceFromEvidence, chooseLevel, detectFaceInScan, type CollectedEvidence } from "./presence";
export { DEFAULT_FUSION, DEFAULT_DETECTORS, DEFAULT_VARIANT_NAMES } from "./presence-params";
export { fitFusion, type FitCase, type HeadGeometry } from "./presence-fusion";

// Frozen here too, for callers that load this entry point alone.
import { deepFreeze as freeze } from "../core/freeze";
import { TRUTH_SPLITS as _splits } from "./presence-truth";
import { DEFAULT_FUSION as _fusion, DEFAULT_DETECTORS as _detectors, DEFAULT_VARIANT_NAMES as _variantNames } from "./presence-params";
for (const v of [_splits, _fusion, _detectors, _variantNames]) freeze(v);
