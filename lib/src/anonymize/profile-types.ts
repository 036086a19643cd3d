/** An action of DICOM PS3.15 Table E.1-1 (combined ones such as "X/Z" depend on the IOD's attribute type). */
export type ProfileAction = "D" | "Z" | "X" | "K" | "C" | "U" | "X/Z" | "X/D" | "Z/D" | "X/Z/D" | "X/Z/U*";

/** The options of Table E.1-1 that change a row's action. */
export type ProfileOption =
  | "retainSafePrivate"
  | "retainUids"
  | "retainDeviceIdentity"
  | "retainInstitutionIdentity"
  | "retainPatientCharacteristics"
  | "retainFullDates"
  | "retainModifiedDates"
  | "cleanDescriptors"
  | "cleanStructuredContent"
  | "cleanGraphics";

/** One row of Table E.1-1. */
export interface ProfileRow {
  /** 8 lower-case hex digits ("00100010"), with "x" for repeating groups ("60xx3000"), or "private". */
  tag: string;
  name: string;
  /** Basic Application Level Confidentiality Profile action. */
  basic: ProfileAction;
  /** Whether the standard lists the attribute in a standard composite IOD. */
  inStandardIod: boolean;
  /** Actions of the options that change it. */
  options?: Partial<Record<ProfileOption, "K" | "C" | "D" | "Z" | "X" | "U">>;
}
