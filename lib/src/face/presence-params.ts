/**
 * Committed defaults of face presence. PROVISIONAL until scripts/fit-presence.ts writes this file.
 */
import type { FusionParams } from "./presence-fusion";

/** Detectors run by default. */
export const DEFAULT_DETECTORS: readonly string[] = ["human", "haar"];

/** Variants rendered by default ("view/light/margin/size"). */
export const DEFAULT_VARIANT_NAMES: readonly string[] = [
  "front/headlight/m25/224", "front/three-point/m50/224", "front/headlight/tight/384",
  "yaw-left/headlight/m25/224", "yaw-right/headlight/m25/224", "pitch-up/headlight/m25/224", "pitch-down/headlight/m25/224",
];

/** Fusion parameters. */
export const DEFAULT_FUSION: FusionParams = {
  bias: -3, support: { human: 6, haar: 3 }, anterior: 2, relief: 2, yes: 0.6, no: 0.2, radius: 40, minAnterior: 0,
};
