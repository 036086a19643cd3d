export { convert, type ConvertMode, type ConvertOptions, type ConvertedSeries } from "./convert";
export {
  deidentify,
  deidentifyDataset,
  deidentificationMethod,
  resolveAction,
  profileRow,
  dateShiftDays,
  reportCsv,
  DEIDENTIFICATION_CODES,
  type DeidentifyOptions,
  type DeidentifyProfileOptions,
  type DeidentifySource,
  type DeidentifyContext,
  type DeidentificationReport,
  type AttributeChange,
} from "./deidentify";
export { PROFILE_TABLE, PROFILE_EDITION } from "./profile-table";
export type { ProfileAction, ProfileOption, ProfileRow } from "./profile-types";
// Immobilization mask (issue 15): simulate a thermoplastic shell, strip one.
export { simulateMask, planMask, type SimulateMaskOptions, type MaskPlan } from "./mask-simulate";
export { distanceTransform } from "./mask-geometry";
export { stripMask, type StripMaskOptions, type StripMaskResult, type StripObject } from "./mask-strip";
// Defacing (issue 14).
export { deface, type DefaceMethod, type DefaceOptions, type DefaceReport, type DefaceResult } from "./deface";
export { brainMask } from "./brain";
export {
  defaceFiles, verifyDefacing, reidentifyDefaced, readRenderThresholds, verificationLevels,
  type DefaceRunReport, type DefaceCheck, type DefaceFilesOptions, type DefaceVerification, type ReidentificationCheck, type ReidentifyOptions,
} from "./deface-run";
