/**
 * Committed defaults of face presence, written by bench/fit-presence.ts (do not edit by hand).
 * Fitted on the truth set's "fit" split (30 cases derived from the shipped CT and MRI at
 * other crops, spacings, levels and cut depths than the tests' "test" split, plus phantoms).
 * Variant set: the greedy cheapest set reaching the targets under leave-one-scan-out on that split
 * (recall 1.000, FPR 0.000).
 */
import type { FusionParams } from "./presence-fusion";

/** Detectors run by default. */
export const DEFAULT_DETECTORS: readonly string[] = ["human","haar","haar-alt2"];

/** Variants rendered by default ("view/light/margin/size"). */
export const DEFAULT_VARIANT_NAMES: readonly string[] = [
  "pitch-up/grey/m25/224",
  "pitch-up/grey/m50/224",
  "yaw-right/three-point/m50/224"
];

/** Fusion parameters. */
export const DEFAULT_FUSION: FusionParams = {
  "bias": -1.6797,
  "support": {
    "human": 1.4029,
    "haar": 0.3556,
    "haar-alt2": 0.8686
  },
  "anterior": -0.2804,
  "relief": 1.5334,
  "yes": 0.6311,
  "no": 0.3607,
  "radius": 40,
  "minAnterior": 0,
  "fittedOn": "fit split (30 cases: ct, mri, phantoms) on 3 variants × human, haar, haar-alt2 by bench/fit-presence.ts"
};
