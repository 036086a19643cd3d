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
