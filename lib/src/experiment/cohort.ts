/** Probes and gallery identities of an experiment, resolved from a manifest and a distractor folder. */
import * as fs from "node:fs";
import * as path from "node:path";
import { FileNotFoundError, InvalidArgumentError, UnmaskError } from "../core/errors";
import type { DetectorName } from "../face/types";
import { sha256 } from "./cache";
import { ManifestError, manifestConditions, readManifest, type Manifest, type ManifestRow } from "./manifest";
import type { FaceInput, FaceOptions } from "./pipeline";

const IMAGE_EXT = /\.(png|jpe?g|webp|tiff?|bmp|gif)$/i;

/** One image the pipeline turns into a face: a manifest row or a distractor photograph. */
export interface CohortImage {
  /** Stable label: `subject/condition#row` for rows, `distractor:FILE` for distractors. */
  label: string;
  input: FaceInput;
  options: FaceOptions;
  row?: ManifestRow;
}

/** A gallery identity: a cohort subject (one or more gallery images) or one distractor photograph. */
export interface GalleryIdentity {
  label: string;
  subject?: string;
  distractor?: string;
  images: CohortImage[];
}

/** The resolved cohort. */
export interface Cohort {
  manifest: Manifest;
  probeConditions: string[];
  galleryConditions: string[];
  probes: CohortImage[];
  identities: GalleryIdentity[];
  /** For each probe, the index of its true identity. */
  truth: number[];
}

/** Options shared by the experiment and the observer quiz. */
export interface CohortOptions {
  /** Probe condition(s): one name, a comma list or an array. Default: every condition except the gallery's. */
  probe?: string | string[];
  /** Gallery condition(s). Default: the manifest's first condition. */
  gallery?: string | string[];
  /** Folder of face photographs added to the gallery as distractors. */
  distractors?: string;
  /** Render size (default 512). */
  size?: number;
  /** Detector of the detect stage (default "human"). */
  detector?: DetectorName;
}

function list(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const xs = (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean);
  return xs.length ? xs : undefined;
}

/** Pipeline options of one manifest row. */
export function rowOptions(row: ManifestRow, o: { size?: number; detector?: DetectorName } = {}): FaceOptions {
  return {
    spacing: row.spacing,
    interpolation: row.interpolation,
    level: row.level,
    variants: [{ view: row.view ?? "front", light: row.light ?? "three-point" }],
    size: o.size,
    detector: o.detector,
  };
}

/** How a row differs from the defaults, in words (for tables). */
export function rowSetting(row: ManifestRow): string {
  const parts = [`view ${row.view ?? "front"}`, `light ${row.light ?? "three-point"}`];
  if (row.level !== undefined) parts.push(`level ${row.level}`);
  if (row.spacing !== undefined) parts.push(`${row.spacing} mm ${row.interpolation ?? "linear"}`);
  return parts.join(", ");
}

/** Image files of a distractor folder, sorted by name. */
export function distractorFiles(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new FileNotFoundError(dir, "distractor folder");
  return fs.readdirSync(dir).filter((f) => IMAGE_EXT.test(f)).sort().map((f) => path.join(dir, f));
}

/** The opaque id of a gallery identity in the observer quiz (does not reveal the subject's name). */
export function optionId(identityLabel: string): string {
  return sha256("unmask-observer", identityLabel).slice(0, 12);
}

/** The quiz id of a probe. */
export function probeId(probe: CohortImage): string {
  return probe.row ? `row${probe.row.row}` : probe.label;
}

/** Resolve probes, gallery identities and the truth from a manifest (path or parsed). */
export function resolveCohort(manifestOrFile: Manifest | string, o: CohortOptions): Cohort {
  const manifest = typeof manifestOrFile === "string" ? readManifest(manifestOrFile) : manifestOrFile;
  const where = manifest.file || "manifest";
  const conditions = manifestConditions(manifest);
  const galleryConditions = list(o.gallery) ?? [conditions[0]];
  const probeConditions = list(o.probe) ?? conditions.filter((c) => !galleryConditions.includes(c));
  for (const c of [...probeConditions, ...galleryConditions]) {
    if (!conditions.includes(c)) throw new InvalidArgumentError(`condition "${c}" is not in ${where} (its conditions: ${conditions.join(", ")})`);
  }
  if (!probeConditions.length) throw new InvalidArgumentError("no probe condition: give --probe");
  const overlap = probeConditions.filter((c) => galleryConditions.includes(c));
  if (overlap.length) throw new InvalidArgumentError(`condition ${overlap.join(", ")} is both probe and gallery`);
  const img = (row: ManifestRow): CohortImage => ({
    label: `${row.subject}/${row.condition}#${row.row}`,
    input: { path: row.path },
    options: rowOptions(row, o),
    row,
  });
  const identities: GalleryIdentity[] = [];
  for (const row of manifest.rows.filter((r) => galleryConditions.includes(r.condition))) {
    let id = identities.find((i) => i.subject === row.subject);
    if (!id) identities.push((id = { label: row.subject, subject: row.subject, images: [] }));
    id.images.push(img(row));
  }
  const probes = manifest.rows.filter((r) => probeConditions.includes(r.condition)).map(img);
  if (!probes.length) throw new InvalidArgumentError(`no rows of probe condition ${probeConditions.join(", ")} in ${where}`);
  const truth = probes.map((p) => {
    const t = identities.findIndex((i) => i.subject === p.row!.subject);
    if (t < 0) throw new ManifestError(where, `probe subject "${p.row!.subject}" has no image in the gallery condition(s) ${galleryConditions.join(", ")}`, p.row!.row);
    return t;
  });
  if (o.distractors) {
    for (const f of distractorFiles(o.distractors)) {
      const label = `distractor:${path.basename(f)}`;
      identities.push({ label, distractor: f, images: [{ label, input: { path: f }, options: { detector: o.detector } }] });
    }
  }
  return { manifest, probeConditions, galleryConditions, probes, identities, truth };
}

/** Rethrow a stage's typed error with the manifest row it came from. */
export function withRow<T>(image: CohortImage, manifest: Manifest, f: () => Promise<T>): Promise<T> {
  return f().catch((e: unknown) => {
    if (e instanceof UnmaskError && image.row) throw new UnmaskError(e.code, `${manifest.file || "manifest"} row ${image.row.row} (subject ${image.row.subject}, condition ${image.row.condition}): ${e.message}`, e.path, { cause: e });
    throw e;
  });
}
