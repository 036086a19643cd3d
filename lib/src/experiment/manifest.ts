/**
 * The cohort manifest: one row per image of a subject under a condition (CSV or JSON), validated
 * up front with errors that name the row, so a typo fails before any scan is loaded.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { FileNotFoundError, UnmaskError } from "../core/errors";
import type { LightPreset, ViewPreset } from "../render/types";

/** A manifest that cannot be used: the message names the file and the row. */
export class ManifestError extends UnmaskError {
  /** 1-based data row (after the header) the problem is on, when it is about one row. */
  readonly row?: number;
  constructor(file: string, message: string, row?: number) {
    super("INVALID_MANIFEST", `${file}${row !== undefined ? ` row ${row}` : ""}: ${message}`, file);
    this.row = row;
  }
}

/** Covariates the paper tied misses to, and the ones the manifest may carry. */
export const COVARIATES = ["sex", "age", "ethnicity", "facial_hair", "mask"] as const;
/** One covariate column. */
export type Covariate = (typeof COVARIATES)[number];

const VIEWS: ViewPreset[] = ["front", "back", "left", "right", "oblique-left", "oblique-right", "top", "bottom", "seed"];
const LIGHTS: LightPreset[] = ["headlight", "three-point", "flat"];
const INTERPOLATIONS = ["linear", "cubic", "nearest"] as const;

/** One manifest row. */
export interface ManifestRow {
  /** 1-based data row number (CSV: line after the header and comments; JSON: index + 1). */
  row: number;
  subject: string;
  condition: string;
  /** Absolute path of the DICOM folder or image file. */
  path: string;
  /** The path as written in the manifest. */
  relativePath: string;
  level?: number;
  view?: ViewPreset;
  light?: LightPreset;
  spacing?: number;
  interpolation?: (typeof INTERPOLATIONS)[number];
  covariates: Partial<Record<Covariate, string>>;
}

/** A validated cohort manifest. */
export interface Manifest {
  /** Absolute path of the manifest file ("" when built in memory). */
  file: string;
  rows: ManifestRow[];
  /** Declared conditions and their descriptions (CSV `# condition NAME: text` lines, JSON `conditions`); empty when none are declared. */
  conditions: Record<string, string>;
}

/** Parse CSV text (RFC 4180: quoted fields, doubled quotes, CRLF) into rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = "", row: string[] = [], quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += c;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** One CSV field, quoted when needed. */
export function csvField(v: unknown): string {
  const s = v === undefined || v === null ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Read and validate a manifest file (.csv or .json); paths resolve relative to the manifest's folder. */
export function readManifest(file: string): Manifest {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw new FileNotFoundError(abs, "cohort manifest");
  const text = fs.readFileSync(abs, "utf8");
  let records: Record<string, unknown>[];
  const conditions: Record<string, string> = {};
  if (/\.json$/i.test(abs)) {
    let doc: unknown;
    try { doc = JSON.parse(text); } catch (e) { throw new ManifestError(abs, `not valid JSON (${(e as Error).message})`); }
    const d = doc as { rows?: unknown; conditions?: unknown };
    const rows = Array.isArray(doc) ? doc : d.rows;
    if (!Array.isArray(rows)) throw new ManifestError(abs, "expected an array of rows or { rows: [...], conditions: {...} }");
    if (d.conditions && typeof d.conditions === "object") for (const [k, v] of Object.entries(d.conditions)) conditions[k] = String(v);
    records = rows as Record<string, unknown>[];
  } else {
    const lines: string[] = [];
    for (const line of text.split(/\r?\n/)) {
      const m = /^#\s*condition\s+([^:]+):\s*(.*)$/i.exec(line);
      if (m) conditions[m[1].trim()] = m[2].trim();
      else if (!line.startsWith("#")) lines.push(line);
    }
    const table = parseCsv(lines.join("\n")).filter((r) => r.some((f) => f.trim() !== ""));
    if (!table.length) throw new ManifestError(abs, "empty manifest (expected a header subject,condition,path)");
    const header = table[0].map((h) => h.trim().toLowerCase());
    for (const need of ["subject", "condition", "path"]) if (!header.includes(need)) throw new ManifestError(abs, `missing column "${need}" (header: ${header.join(",")})`);
    records = table.slice(1).map((r, n) => {
      if (r.length > header.length) throw new ManifestError(abs, `${r.length} fields, the header has ${header.length}`, n + 1);
      return Object.fromEntries(header.map((h, i) => [h, (r[i] ?? "").trim()]));
    });
  }
  return validateManifest(records, { file: abs, conditions });
}

/** Validate plain row records (the JSON form); `file` names the manifest in errors and anchors relative paths. */
export function validateManifest(records: Record<string, unknown>[], opts: { file?: string; conditions?: Record<string, string> } = {}): Manifest {
  const file = opts.file ?? "";
  const where = file || "manifest";
  const base = file ? path.dirname(file) : process.cwd();
  const conditions = opts.conditions ?? {};
  const declared = Object.keys(conditions);
  if (!records.length) throw new ManifestError(where, "no rows");
  const rows: ManifestRow[] = records.map((rec, n) => {
    const row = n + 1;
    if (!rec || typeof rec !== "object") throw new ManifestError(where, "not an object", row);
    const str = (k: string): string | undefined => {
      const v = rec[k];
      if (v === undefined || v === null) return undefined;
      const s = String(v).trim();
      return s === "" ? undefined : s;
    };
    const subject = str("subject"), condition = str("condition"), rel = str("path");
    if (!subject) throw new ManifestError(where, "empty subject", row);
    if (!condition) throw new ManifestError(where, `empty condition (subject ${subject})`, row);
    if (!rel) throw new ManifestError(where, `empty path (subject ${subject}, condition ${condition})`, row);
    const who = `(subject ${subject}, condition ${condition})`;
    if (declared.length && !declared.includes(condition)) throw new ManifestError(where, `unknown condition "${condition}" ${who}; the manifest declares ${declared.join(", ")}`, row);
    const abs = path.resolve(base, rel);
    if (!fs.existsSync(abs)) throw new ManifestError(where, `path not found: ${rel} ${who} (resolved to ${abs})`, row);
    const num = (k: string): number | undefined => {
      const s = str(k);
      if (s === undefined) return undefined;
      const x = Number(s);
      if (!Number.isFinite(x)) throw new ManifestError(where, `${k} must be a number, got "${s}" ${who}`, row);
      return x;
    };
    const oneOf = <T extends string>(k: string, allowed: readonly T[]): T | undefined => {
      const s = str(k);
      if (s === undefined) return undefined;
      if (!allowed.includes(s as T)) throw new ManifestError(where, `${k} must be one of ${allowed.join(", ")}, got "${s}" ${who}`, row);
      return s as T;
    };
    const spacing = num("spacing");
    if (spacing !== undefined && !(spacing > 0)) throw new ManifestError(where, `spacing must be positive, got ${spacing} ${who}`, row);
    const covariates: Partial<Record<Covariate, string>> = {};
    for (const c of COVARIATES) { const v = str(c); if (v !== undefined) covariates[c] = v; }
    return {
      row, subject, condition, path: abs, relativePath: rel,
      level: num("level"), view: oneOf("view", VIEWS), light: oneOf("light", LIGHTS), spacing, interpolation: oneOf("interpolation", INTERPOLATIONS),
      covariates,
    };
  });
  return { file, rows, conditions };
}

/** The conditions that occur in the manifest, in order of first appearance. */
export function manifestConditions(m: Manifest): string[] {
  return [...new Set(m.rows.map((r) => r.condition))];
}
