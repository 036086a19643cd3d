// Immobilization mask (issue 15): simulate a thermoplastic shell, strip one.
export { simulateMask, planMask, type SimulateMaskOptions, type MaskPlan } from "./mask-simulate";
export { distanceTransform } from "./mask-geometry";
export { stripMask, type StripMaskOptions, type StripMaskResult, type StripObject } from "./mask-strip";
