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
  "pitch-up/grey/m50/224",
  "yaw-left/headlight/tight/224",
  "pitch-up/three-point/m25/224",
  "pitch-up/three-point/m50/224",
  "yaw-left/three-point/m50/224",
  "front/three-point/m25/224"
];

/** Fusion parameters. */
export const DEFAULT_FUSION: FusionParams = {
  "bias": -1.7988,
  "support": {
    "human": 1.4379,
    "haar": 0.3144,
    "haar-alt2": 0.9189
  },
  "anterior": -0.2355,
  "relief": 1.4878,
  "yes": 0.6209,
  "no": 0.3353,
  "radius": 40,
  "minAnterior": 0,
  "minRelief": 6,
  "fittedOn": "fit split (30 cases: ct, mri, phantoms) on 6 variants × human, haar, haar-alt2 by bench/fit-presence.ts"
};
