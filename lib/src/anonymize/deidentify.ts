import { createHmac, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError } from "../core/errors";
import { writeFolderAtomic } from "../core/fs";
import type { ProgressFn, WarningFn } from "../core/progress";
import { EXPLICIT_VR_LITTLE_ENDIAN, encodeDicomFile, firstString, readDicomDataset, type DicomDataset, type DicomElement, type DicomFileData } from "../dicom/dataset";
import { listSeries } from "../dicom/list";
import type { SeriesInfo } from "../dicom/types";
import { keyedUid, UNMASK_IMPLEMENTATION_UID, UNMASK_IMPLEMENTATION_VERSION } from "../dicom/uid";
import { PROFILE_EDITION, PROFILE_TABLE } from "./profile-table";
import { deepFreeze } from "../core/freeze";
import type { ProfileAction, ProfileOption, ProfileRow } from "./profile-types";

// The profile rows are handed out (PROFILE_TABLE, profileRow): frozen, so no caller can change what
// de-identification does for the rest of the process.
deepFreeze(PROFILE_TABLE);

/** The options of the Basic Profile that unmask implements (PS3.15 E.3). */
export interface DeidentifyProfileOptions {
  /** Retain Longitudinal Temporal Information with Modified Dates: dates shifted by a per-patient number of days. */
  retainModifiedDates?: boolean;
  /** Retain Patient Characteristics: sex, age, size, weight, ethnic group, smoking and pregnancy status kept. */
  retainPatientCharacteristics?: boolean;
  /** Retain Device Identity: device serial numbers, station names, device UIDs … kept. */
  retainDeviceIdentity?: boolean;
  /** Clean Descriptors: free-text descriptions kept with identifying words removed instead of being removed. */
  cleanDescriptors?: boolean;
}

/** Options for {@link deidentify}. */
export interface DeidentifyOptions extends DeidentifyProfileOptions {
  /** HMAC key for UIDs and date shifts: the same key gives the same mapping across runs. Default: 32 random bytes (reported). */
  key?: Uint8Array;
  /** Replace an existing output folder. */
  force?: boolean;
  onProgress?: ProgressFn;
  onWarning?: WarningFn;
}

/** What was done to one attribute of one file. */
export interface AttributeChange {
  /** Output file, relative to the output folder. */
  file: string;
  /** Tag path: "(0010,0010)", or inside sequences "(0008,1140)[0]/(0008,1155)". */
  path: string;
  tag: string;
  name: string;
  /** The table's action for the attribute ("X/Z", "U", "private" …) or "set" for attributes the profile adds. */
  rule: string;
  /** The action applied: X removed, Z emptied, D dummy value, U UID remapped, C cleaned (dates shifted, words removed), A added. */
  action: "X" | "Z" | "D" | "U" | "C" | "A";
  /** The new value when there is one (dummies, new UIDs, shifted dates); original values are never reported. */
  value?: string;
}

/** The report of one {@link deidentify} run. */
export interface DeidentificationReport {
  edition: string;
  /** Values written in DeidentificationMethod (0012,0063). */
  method: string[];
  /** CID 7050 codes written in DeidentificationMethodCodeSequence (0012,0064). */
  codes: { value: string; meaning: string }[];
  options: Required<DeidentifyProfileOptions>;
  /** "given" when a key was passed (mapping reproducible with it), "random" otherwise (mapping not reproducible). */
  key: "given" | "random";
  /** 16 hex digits of HMAC(key, a fixed label): two runs with the same fingerprint used the same key; the key cannot be derived from it. */
  keyFingerprint: string;
  output: string;
  files: { output: string; sopInstanceUid: string; burnedInAnnotation: "YES" | "NO" | "absent" }[];
  /** Output files whose BurnedInAnnotation is YES: text in the pixels is not removed by header de-identification. */
  burnedInAnnotation: string[];
  changes: AttributeChange[];
  /** Count of changes by applied action. */
  summary: Record<string, number>;
  warnings: string[];
}

/** CID 7050 "De-identification Method" codes (scheme DCM) for the profile and its options. */
export const DEIDENTIFICATION_CODES = deepFreeze({
  basic: { value: "113100", meaning: "Basic Application Confidentiality Profile" },
  cleanDescriptors: { value: "113105", meaning: "Clean Descriptors Option" },
  retainModifiedDates: { value: "113107", meaning: "Retain Longitudinal Temporal Information Modified Dates Option" },
  retainPatientCharacteristics: { value: "113108", meaning: "Retain Patient Characteristics Option" },
  retainDeviceIdentity: { value: "113109", meaning: "Retain Device Identity Option" },
} as const);

const OPTION_COLUMNS: [keyof DeidentifyProfileOptions, ProfileOption][] = [
  ["retainModifiedDates", "retainModifiedDates"],
  ["retainPatientCharacteristics", "retainPatientCharacteristics"],
  ["retainDeviceIdentity", "retainDeviceIdentity"],
  ["cleanDescriptors", "cleanDescriptors"],
];

const BY_TAG = new Map<string, ProfileRow>(PROFILE_TABLE.filter((r) => !/x/.test(r.tag) && r.tag !== "private").map((r) => [r.tag, r]));
const PATTERNS = PROFILE_TABLE.filter((r) => /x/.test(r.tag));
const PRIVATE_ROW = PROFILE_TABLE.find((r) => r.tag === "private")!;

/** The Table E.1-1 row for a tag (8 hex digits), with repeating groups (50xx, 60xx) matched; undefined when not listed. */
export function profileRow(tag: string): ProfileRow | undefined {
  const t = tag.toLowerCase();
  const exact = BY_TAG.get(t);
  if (exact) return exact;
  const group = parseInt(t.slice(0, 4), 16);
  if (group % 2 === 1) return PRIVATE_ROW;
  for (const r of PATTERNS) {
    const ok = [...r.tag].every((c, n) => c === "x" || c === t[n]);
    // Repeating groups are the even groups 5000–501E / 6000–601E.
    if (ok && (group & 0xff00) === parseInt(r.tag.slice(0, 2), 16) << 8 && (group & 0xff) <= 0x1e && group % 2 === 0) return r;
  }
  return undefined;
}

/**
 * The action the profile takes on a present attribute: the enabled options' action when they change
 * the row, else the Basic Profile action, with combined actions resolved to the one that keeps any
 * IOD valid without IOD tables (X/Z → Z, X/D and Z/D and X/Z/D → D, X/Z/U* → U): a zero-length or
 * dummy value carries no information, so this is never less private than removal.
 */
export function resolveAction(row: ProfileRow, options: DeidentifyProfileOptions): "X" | "Z" | "D" | "U" | "C" | "K" {
  for (const [opt, col] of OPTION_COLUMNS) {
    const a = options[opt] ? row.options?.[col] : undefined;
    if (a) return a;
  }
  const combined: Record<ProfileAction, "X" | "Z" | "D" | "U" | "C" | "K"> = {
    D: "D", Z: "Z", X: "X", K: "K", C: "C", U: "U", "X/Z": "Z", "X/D": "D", "Z/D": "D", "X/Z/D": "D", "X/Z/U*": "U",
  };
  return combined[row.basic];
}

/** A dummy value for D: non-empty, valid for the VR, carrying no information. */
function dummy(vr: string, key: Uint8Array): unknown[] | null {
  switch (vr) {
    case "AE": case "CS": case "LO": case "LT": case "SH": case "ST": case "UT": case "UC": return ["ANONYMIZED"];
    case "PN": return [{ Alphabetic: "ANONYMIZED" }];
    case "AS": return ["000D"];
    case "DA": return ["19000101"];
    case "DT": return ["19000101000000"];
    case "TM": return ["000000"];
    case "DS": case "IS": return [0];
    case "UR": return ["urn:unmask:anonymized"];
    case "UI": return [keyedUid(key, "dummy")];
    case "US": case "SS": case "UL": case "SL": case "FL": case "FD": case "SV": case "UV": case "AT": return [0];
    case "OB": case "OW": case "OF": case "OD": case "OL": case "OV": case "UN": return [new ArrayBuffer(2)];
    default: return null;
  }
}

/** "ANON-" and 16 hex digits of HMAC(key, value): a stable pseudonym that does not reveal the value. */
function pseudonym(key: Uint8Array, value: string): string {
  return `ANON-${createHmac("sha256", key).update(`id:${value}`).digest("hex").slice(0, 16).toUpperCase()}`;
}

const DAY_MS = 86_400_000;
function shiftDate(yyyymmdd: string, days: number): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd);
  if (!m) return null;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3]) + days * DAY_MS;
  const d = new Date(t);
  if (Number.isNaN(t)) return null;
  return `${String(d.getUTCFullYear()).padStart(4, "0")}${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
}

/** Per-run state shared by every file: the key and the options. */
export interface DeidentifyContext {
  key: Uint8Array;
  options: Required<DeidentifyProfileOptions>;
}

/** Whole days (negative: into the past, 1–10 years) a patient's dates move under Retain Modified Dates. */
export function dateShiftDays(key: Uint8Array, patientId: string): number {
  const h = createHmac("sha256", key).update(`date-shift:${patientId}`).digest();
  return -(365 + (h.readUInt32BE(0) % (3650 - 365)));
}

/** Words of a dataset's identifying attributes, removed from free text by C (Clean Descriptors). */
function identifyingWords(ds: DicomDataset): string[] {
  const words = new Set<string>();
  for (const [tag, el] of Object.entries(ds)) {
    const row = profileRow(tag);
    if (!row || !["PN", "LO", "SH", "DA", "CS", "ST"].includes(el.vr)) continue;
    // Names, IDs, addresses, institutions and dates the profile removes: these are what free text may repeat.
    if (!["Z", "D", "X/Z", "X/D", "Z/D", "X/Z/D"].includes(row.basic) && row.basic !== "X") continue;
    if (/Description|Comments?|Sequence|Label/i.test(row.name)) continue;
    for (const v of el.Value ?? []) {
      const s = typeof v === "object" && v ? Object.values(v as Record<string, string>).join("^") : String(v);
      for (const w of s.split(/[\^\s,=]+/)) if (w.length >= 3) words.add(w);
      if (s.length >= 3) words.add(s.replace(/\^/g, " "));
    }
  }
  return [...words].sort((a, b) => b.length - a.length);
}

function cleanText(text: string, words: string[]): string {
  let out = text;
  for (const w of words) out = out.split(new RegExp(w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi")).join("*");
  return out;
}

/** Zero-length in the file: no values, or only empty strings / empty person names. */
function isEmptyValue(el: DicomElement): boolean {
  return (el.Value ?? []).every((x) => x === "" || x === null || x === undefined || (typeof x === "object" && !(x instanceof ArrayBuffer) && el.vr === "PN" && Object.values(x as object).every((y) => !y)));
}

function tagLabel(tag: string): string {
  return `(${tag.slice(0, 4).toUpperCase()},${tag.slice(4).toUpperCase()})`;
}

function valueText(v: unknown[]): string {
  return v.map((x) => (x && typeof x === "object" ? (x instanceof ArrayBuffer ? `<${x.byteLength} bytes>` : Object.values(x as object).join("=")) : String(x))).join("\\");
}

/**
 * De-identify one file's dataset (pure: returns a new dataset, the input is not changed) under the
 * Basic Profile with `ctx`'s options; `file` names the output in the change list.
 */
export function deidentifyDataset(input: DicomFileData, ctx: DeidentifyContext, file = ""): { file: DicomFileData; changes: AttributeChange[] } {
  const changes: AttributeChange[] = [];
  const top = input.dict;
  const patientId = firstString(top, "00100020");
  const shift = dateShiftDays(ctx.key, patientId);
  const words = identifyingWords(top);

  const walk = (ds: DicomDataset, prefix: string): DicomDataset => {
    const out: DicomDataset = {};
    for (const tag of Object.keys(ds).sort()) {
      const el = ds[tag];
      const p = prefix + tagLabel(tag);
      const row = profileRow(tag);
      const note = (action: AttributeChange["action"], value?: unknown[]) =>
        changes.push({ file, path: p, tag: tagLabel(tag), name: row?.name ?? "", rule: row ? row.basic : "", action, ...(value ? { value: valueText(value) } : {}) });
      const recurse = (): DicomElement => ({ ...el, Value: (el.Value ?? []).map((item, n) => walk(item as DicomDataset, `${p}[${n}]/`)) });
      if (!row) {
        out[tag] = el.vr === "SQ" ? recurse() : el;
        continue;
      }
      const action = resolveAction(row, ctx.options);
      const empty = isEmptyValue(el);
      switch (action) {
        case "X":
          note("X");
          break;
        case "Z":
          out[tag] = { vr: el.vr, Value: [] };
          if (!empty) note("Z");
          break;
        case "K":
          out[tag] = el.vr === "SQ" ? recurse() : el;
          break;
        case "D":
        case "U": {
          if (el.vr === "SQ") {
            out[tag] = recurse();
          } else if (el.vr === "UI") {
            const v = (el.Value ?? []).map((u) => (String(u) ? keyedUid(ctx.key, String(u)) : ""));
            out[tag] = { vr: "UI", Value: v.length ? v : [keyedUid(ctx.key, "dummy")] };
            note("U", out[tag].Value);
          } else {
            // A keyed pseudonym for Patient ID keeps patients apart (and the same across runs with one key).
            const v = tag === "00100020" && el.vr === "LO" ? [pseudonym(ctx.key, firstString(ds, tag))] : dummy(el.vr, ctx.key);
            if (v) {
              out[tag] = { vr: el.vr, Value: v };
              note("D", v);
            } else note("X");
          }
          break;
        }
        case "C": {
          if (el.vr === "SQ") {
            out[tag] = recurse();
          } else if ((el.vr === "DA" || el.vr === "DT") && ctx.options.retainModifiedDates) {
            const v = (el.Value ?? []).map((x) => {
              const s = String(x);
              const d = shiftDate(s.slice(0, 8), shift);
              return d ? d + s.slice(8) : el.vr === "DA" ? "19000101" : "19000101000000";
            });
            out[tag] = { vr: el.vr, Value: v };
            if (!empty) note("C", v);
          } else if (el.vr === "TM") {
            // Times of day stay: dates move by whole days, so intervals are kept.
            out[tag] = el;
          } else if (["LO", "LT", "SH", "ST", "UT", "UC", "AE", "CS", "PN"].includes(el.vr)) {
            const v = (el.Value ?? []).map((x) => (typeof x === "string" ? cleanText(x, words) : x && typeof x === "object" ? { Alphabetic: "ANONYMIZED" } : x));
            out[tag] = { vr: el.vr, Value: v };
            if (valueText(v) !== valueText(el.Value ?? [])) note("C", v);
          } else {
            out[tag] = el;
          }
          break;
        }
      }
    }
    return out;
  };

  const dict = walk(top, "");
  const method = deidentificationMethod(ctx.options);
  const added: [string, DicomElement][] = [
    ["00120062", { vr: "CS", Value: ["YES"] }],
    ["00120063", { vr: "LO", Value: method.method }],
    ["00120064", {
      vr: "SQ",
      Value: method.codes.map((c) => ({
        "00080100": { vr: "SH", Value: [c.value] },
        "00080102": { vr: "SH", Value: ["DCM"] },
        "00080104": { vr: "LO", Value: [c.meaning] },
      })),
    }],
    ["00280303", { vr: "CS", Value: [ctx.options.retainModifiedDates ? "MODIFIED" : "REMOVED"] }],
  ];
  for (const [tag, el] of added) {
    dict[tag] = el;
    changes.push({ file, path: tagLabel(tag), tag: tagLabel(tag), name: "", rule: "set", action: "A", value: el.vr === "SQ" ? method.codes.map((c) => c.value).join("\\") : valueText(el.Value ?? []) });
  }

  const sop = firstString(dict, "00080018");
  const ts = firstString(input.meta, "00020010");
  const native = ts === "1.2.840.10008.1.2" || ts === EXPLICIT_VR_LITTLE_ENDIAN || ts === "";
  const meta: DicomDataset = {
    "00020001": input.meta["00020001"] ?? { vr: "OB", Value: [new Uint8Array([0, 1]).buffer] },
    "00020002": { vr: "UI", Value: [firstString(dict, "00080016")] },
    "00020003": { vr: "UI", Value: [sop] },
    "00020010": { vr: "UI", Value: [native ? EXPLICIT_VR_LITTLE_ENDIAN : ts] },
    "00020012": { vr: "UI", Value: [UNMASK_IMPLEMENTATION_UID] },
    "00020013": { vr: "SH", Value: [UNMASK_IMPLEMENTATION_VERSION] },
  };
  if (firstString(input.meta, "00020003") !== sop) changes.push({ file, path: "(0002,0003)", tag: "(0002,0003)", name: "Media Storage SOP Instance UID", rule: "U", action: "U", value: sop });
  // Source/sending AE titles in the file meta name the sending device: not kept.
  for (const tag of Object.keys(input.meta)) {
    if (!meta[tag] && tag !== "00020000" && tag !== "00020001") changes.push({ file, path: tagLabel(tag), tag: tagLabel(tag), name: "file meta", rule: "X", action: "X" });
  }
  return { file: { meta, dict }, changes };
}

/** DeidentificationMethod values and CID 7050 codes for a set of options. */
export function deidentificationMethod(options: DeidentifyProfileOptions): { method: string[]; codes: { value: string; meaning: string }[] } {
  const codes: { value: string; meaning: string }[] = [DEIDENTIFICATION_CODES.basic];
  const method = ["unmask: PS3.15 2024b Basic Application Confidentiality Profile"];
  for (const [opt] of OPTION_COLUMNS) {
    if (options[opt]) {
      codes.push(DEIDENTIFICATION_CODES[opt]);
      method.push(DEIDENTIFICATION_CODES[opt].meaning.slice(0, 64));
    }
  }
  return { method, codes };
}

/** Where {@link deidentify} reads from: a folder tree (every image series in it), a listed series, or anything with slice paths (a LoadedSeries). */
export type DeidentifySource = string | SeriesInfo | { slices: readonly { path: string }[] };

async function sourceFiles(source: DeidentifySource, warn: WarningFn): Promise<{ root: string; groups: string[][] }> {
  if (typeof source === "string") {
    const listing = await listSeries(source);
    for (const p of listing.problems) warn(`${p.code}: ${p.message} (not copied to the output)`);
    if (listing.series.length === 0) throw new InvalidArgumentError(`${source}: no DICOM image series to de-identify`);
    return { root: path.resolve(source), groups: listing.series.map((s) => [...s.files].sort()) };
  }
  if ("files" in source) return { root: path.resolve(source.root), groups: [[...source.files].sort()] };
  const files = source.slices.map((s) => s.path);
  return { root: path.dirname(path.resolve(files[0])), groups: [files] };
}

/**
 * De-identify DICOM files by DICOM PS3.15 Annex E, Basic Application Level Confidentiality Profile
 * (Table E.1-1, 2024b, every row), with the chosen options, into `outDir` (atomically; an existing
 * folder only with `force`; the input is never written). UIDs are mapped by HMAC-SHA256 under the
 * key to 2.25 UIDs, the same across every file of the run (and across runs with the same key).
 * Writes `deidentification-report.json` and `.csv` in `outDir` and returns the report.
 */
export async function deidentify(source: DeidentifySource, outDir: string, options: DeidentifyOptions = {}): Promise<DeidentificationReport> {
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    options.onWarning?.(m);
  };
  const key = options.key ?? randomBytes(32);
  if (key.length < 16) throw new InvalidArgumentError(`deidentify: the key must be at least 16 bytes (got ${key.length})`);
  const ctx: DeidentifyContext = {
    key,
    options: {
      retainModifiedDates: !!options.retainModifiedDates,
      retainPatientCharacteristics: !!options.retainPatientCharacteristics,
      retainDeviceIdentity: !!options.retainDeviceIdentity,
      cleanDescriptors: !!options.cleanDescriptors,
    },
  };
  const { root, groups } = await sourceFiles(source, warn);
  const total = groups.reduce((n, g) => n + g.length, 0);
  const report: DeidentificationReport = {
    edition: PROFILE_EDITION,
    ...deidentificationMethod(ctx.options),
    options: ctx.options,
    key: options.key ? "given" : "random",
    keyFingerprint: createHmac("sha256", key).update("unmask key fingerprint").digest("hex").slice(0, 16),
    output: path.resolve(outDir),
    files: [],
    burnedInAnnotation: [],
    changes: [],
    summary: {},
    warnings,
  };
  if (!options.key) warn("no key given: a random key was used, so these UIDs and date shifts cannot be reproduced in another run (pass --key FILE for that)");
  await writeFolderAtomic(
    outDir,
    (tmp) => {
      let done = 0;
      groups.forEach((files, g) => {
        const sub = groups.length > 1 ? `S${String(g + 1).padStart(3, "0")}` : "";
        if (sub) fs.mkdirSync(path.join(tmp, sub));
        files.forEach((f, n) => {
          const name = path.join(sub, `IM${String(n + 1).padStart(4, "0")}.dcm`);
          const input = readDicomDataset(f);
          const { file, changes } = deidentifyDataset(input, ctx, name);
          fs.writeFileSync(path.join(tmp, name), encodeDicomFile(file));
          const burned = firstString(input.dict, "00280301").toUpperCase();
          const flag = burned === "YES" ? "YES" : burned === "NO" ? "NO" : "absent";
          report.files.push({ output: name, sopInstanceUid: firstString(file.dict, "00080018"), burnedInAnnotation: flag });
          if (flag === "YES") report.burnedInAnnotation.push(name);
          report.changes.push(...changes);
          options.onProgress?.(++done, total, "de-identify");
        });
      });
      if (report.burnedInAnnotation.length) {
        warn(`${report.burnedInAnnotation.length} file(s) have BurnedInAnnotation YES: text burned into the pixels is NOT removed by header de-identification (e.g. ${report.burnedInAnnotation[0]})`);
      }
      for (const c of report.changes) report.summary[c.action] = (report.summary[c.action] ?? 0) + 1;
      fs.writeFileSync(path.join(tmp, "deidentification-report.json"), JSON.stringify(report, null, 1));
      fs.writeFileSync(path.join(tmp, "deidentification-report.csv"), reportCsv(report));
    },
    { force: options.force, protect: [root] },
  );
  return report;
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The change list as CSV (file, path, tag, name, rule, action, value), one row per changed attribute per file. */
export function reportCsv(report: DeidentificationReport): string {
  const head = "file,path,tag,name,rule,action,value";
  const rows = report.changes.map((c) => [c.file, c.path, c.tag, c.name, c.rule, c.action, c.value ?? ""].map(csvField).join(","));
  return [head, ...rows].join("\n") + "\n";
}
