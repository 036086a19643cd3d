import { withSummary } from "../core/summary";
/**
 * The identification experiment: every probe against a gallery of cohort subjects and distractor
 * photographs, per recognizer — detection rate, rank-1/rank-5 with bootstrap intervals, CMC,
 * verification ROC with AUC and EER, the distance matrix, per-covariate groups and the
 * gallery-size model.
 */
import type { ProgressFn, WarningFn } from "../core/progress";
import { InvalidArgumentError } from "../core/errors";
import type { RecognizerName } from "../face/types";
import { recognizerInfo, recognizers as RECOGNIZERS } from "../face/recognize";
import { COVARIATES, type Covariate, type Manifest } from "./manifest";
import { resolveCohort, rowSetting, withRow, type Cohort, type CohortImage, type CohortOptions, type GalleryIdentity } from "./cohort";
import { FacePipeline, pipelineDistance, type FaceEmbedding, type FaceVerdict } from "./pipeline";
import type { StageCache, StageCounts } from "./cache";
import {
  auc, bootstrapInterval, cmc, eer, galleryModel, rankRate, ranks, roc,
  type BootstrapOptions, type GalleryModelPoint, type Interval, type RocPoint,
} from "./metrics";
import { readObserverAnswers, scoreObserver, type ObserverResult } from "./observer-answers";

/** The paper's figures (Provenzano et al. 2022), printed beside ours. */
export const PAPER = {
  patients: 35,
  rank1Range: [0.6, 0.83] as [number, number],
  rank1RangeWithDistractors: [0.57, 0.83] as [number, number],
  distractors: 13_233,
  oncologistRank1: 0.8,
  source: "Provenzano et al., Practical Radiation Oncology 2022: 4 algorithms matched 60–83 % of 35 patients' CT renders to their photographs, 57–83 % with 13,233 LFW distractors; a radiation oncologist matched 80 %",
};

/** Gallery sizes of the model curve (up to the paper's LFW count). */
export const MODEL_GALLERY_SIZES = [2, 3, 5, 10, 20, 35, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 13_233];

/** Options of `runExperiment`. */
export interface ExperimentOptions extends CohortOptions {
  /** Recognizers (default dlib; "all" = the whole panel). */
  recognizers?: RecognizerName[] | "all";
  /** Cache folder or a pipeline to share (default: the per-user cache). */
  cache?: string | StageCache;
  pipeline?: FacePipeline;
  /** Observer answers (CSV path or parsed rows) to score beside the recognizers. */
  observer?: string | { probe: string; choice: string }[];
  bootstrap?: BootstrapOptions;
  /** Gallery sizes of the model (default MODEL_GALLERY_SIZES). */
  gallerySizes?: number[];
  onProgress?: ProgressFn;
  onWarning?: WarningFn;
}

/** One probe's outcome for one recognizer. */
export interface ProbeOutcome {
  probe: string;
  setting: string;
  subject: string;
  /** The detect stage found a face on the probe's render. */
  detected: boolean;
  /** The scan's fused face-presence verdict. */
  presence: "yes" | "no" | "uncertain" | "n/a";
  /** The recognizer produced an embedding. */
  encoded: boolean;
  rank: number;
  /** Distance to its own gallery identity (Infinity: no face). */
  genuineDistance: number;
  /** The nearest gallery identity. */
  nearest: string;
  nearestDistance: number;
}

/** Rates of one covariate group. */
export interface GroupResult {
  covariate: Covariate;
  value: string;
  probes: number;
  rank1: Interval;
  rank5: Interval;
}

/** Everything measured for one recognizer. */
export interface RecognizerResult {
  recognizer: RecognizerName;
  distance: "euclidean" | "cosine";
  /** The recognizer's default (photo) threshold. */
  tolerance: number;
  probes: number;
  /** Probes with an embedding (face found by the pipeline and by the recognizer). */
  detected: number;
  detectionRate: Interval;
  rank1: Interval;
  rank5: Interval;
  cmc: number[];
  roc: RocPoint[];
  auc: Interval;
  eer: Interval;
  /** The threshold at the EER: the one these renders support. */
  eerThreshold: number;
  /** At the photo threshold: genuine pairs accepted (true-match rate) and impostor pairs accepted (false-match rate). */
  atTolerance: { tmr: number; fmr: number };
  genuine: number[];
  impostor: number[];
  /** distances[p][g]: probe p to gallery identity g (min over the identity's images). */
  distances: number[][];
  outcomes: ProbeOutcome[];
  /** Probes not matched at rank 1 (no face, or another identity nearer), never dropped. */
  misses: ProbeOutcome[];
  groups: GroupResult[];
  galleryModel: GalleryModelPoint[];
}

/** The experiment's result. */
export interface ExperimentResult {
  manifest: string;
  probeConditions: string[];
  galleryConditions: string[];
  probes: { label: string; setting: string; subject: string; detected: boolean; variant: number | null; presence: "yes" | "no" | "uncertain" | "n/a"; presenceReason: string }[];
  /** Probes whose scan the presence verdict calls "yes" or "uncertain" (a face is there). */
  facePresent: number;
  gallery: { label: string; images: string[]; detected: boolean[] }[];
  gallerySize: number;
  recognizers: RecognizerResult[];
  observer?: ObserverResult;
  /** Pipeline cache hits and misses during this run. */
  counts: StageCounts;
  warnings: string[];
  bootstrap: Required<BootstrapOptions>;
}

function recognizerList(r: ExperimentOptions["recognizers"]): RecognizerName[] {
  if (r === undefined) return ["dlib"];
  if (r === "all") return RECOGNIZERS.map((x) => x.name);
  if (!r.length) throw new InvalidArgumentError("give at least one recognizer");
  for (const name of r) recognizerInfo(name);
  return [...new Set(r)];
}

/** Run the identification experiment (see the module comment). Deterministic for a given manifest, options and seed. */
export async function runExperiment(manifest: Manifest | string, options: ExperimentOptions): Promise<ExperimentResult> {
  const warnings: string[] = [];
  const warn = (w: string) => { warnings.push(w); options.onWarning?.(w); };
  const cohort: Cohort = resolveCohort(manifest, options);
  const names = recognizerList(options.recognizers);
  const pipeline = options.pipeline ?? new FacePipeline({ cache: options.cache, onWarning: warn });
  const before = pipeline.counts;
  const boot: Required<BootstrapOptions> = { samples: options.bootstrap?.samples ?? 2000, seed: options.bootstrap?.seed ?? 13, level: options.bootstrap?.level ?? 0.95 };
  const progress = options.onProgress ?? (() => {});
  const m = cohort.manifest;

  // Detect stage for every image; distractors without a face leave the gallery (with a warning).
  const galleryImages = cohort.identities.flatMap((i) => i.images);
  const total = (cohort.probes.length + galleryImages.length) * (1 + names.length);
  let done = 0;
  const step = (label: string) => progress(++done, total, label);
  const verdict = new Map<string, FaceVerdict>();
  for (const im of [...cohort.probes, ...galleryImages]) {
    verdict.set(im.label, await withRow(im, m, () => pipeline.detect(im.input, im.options)));
    step(`detecting faces (${im.label})`);
  }
  const identities: GalleryIdentity[] = [];
  for (const id of cohort.identities) {
    if (id.distractor && verdict.get(id.images[0].label)!.variant === null) warn(`distractor ${id.distractor}: no face found; left out of the gallery`);
    else identities.push(id);
  }
  const truth = cohort.probes.map((p) => identities.findIndex((i) => i.subject === p.row!.subject));
  const G = identities.length;

  const results: RecognizerResult[] = [];
  for (const recognizer of names) {
    const info = recognizerInfo(recognizer);
    const enc = async (im: CohortImage): Promise<FaceEmbedding> => {
      const e = await withRow(im, m, () => pipeline.encode(im.input, { ...im.options, recognizer }));
      step(`encoding (${recognizer}) ${im.label}`);
      return e;
    };
    const probeEmb: FaceEmbedding[] = [];
    for (const p of cohort.probes) probeEmb.push(await enc(p));
    const galleryEmb: FaceEmbedding[][] = [];
    for (const id of identities) {
      const es: FaceEmbedding[] = [];
      for (const im of id.images) es.push(await enc(im));
      galleryEmb.push(es);
    }
    for (const id of cohort.identities) if (!identities.includes(id)) for (let k = 0; k < id.images.length; k++) step("skipped distractor");
    const distances = probeEmb.map((pe) => galleryEmb.map((es) => Math.min(...es.map((ge) => pipelineDistance(pe, ge)))));
    results.push(scoreRecognizer(recognizer, info.distance, info.tolerance, cohort, identities, truth, distances, probeEmb, verdict, boot, options.gallerySizes ?? MODEL_GALLERY_SIZES));
  }

  let observer: ObserverResult | undefined;
  if (options.observer !== undefined) {
    const answers = typeof options.observer === "string" ? readObserverAnswers(options.observer) : options.observer;
    observer = scoreObserver(cohort.probes, identities, truth, answers, boot, warn);
  }

  const after = pipeline.counts;
  const counts = Object.fromEntries(Object.entries(after).map(([s, c]) => [s, { hits: c.hits - before[s as keyof StageCounts].hits, misses: c.misses - before[s as keyof StageCounts].misses }])) as StageCounts;
  return withSummary({
    manifest: m.file,
    probeConditions: cohort.probeConditions,
    galleryConditions: cohort.galleryConditions,
    probes: cohort.probes.map((p) => {
      const v = verdict.get(p.label)!;
      return { label: p.label, setting: rowSetting(p.row!), subject: p.row!.subject, detected: v.variant !== null, variant: v.variant, presence: v.presence?.present ?? "n/a", presenceReason: v.presence?.reason ?? "" };
    }),
    facePresent: cohort.probes.filter((p) => { const pr = verdict.get(p.label)!.presence; return !!pr && pr.present !== "no"; }).length,
    gallery: identities.map((i) => ({ label: i.label, images: i.images.map((x) => x.label), detected: i.images.map((x) => verdict.get(x.label)!.variant !== null) })),
    gallerySize: G,
    recognizers: results,
    observer,
    counts,
    warnings,
    bootstrap: boot,
  });
}

function scoreRecognizer(
  recognizer: RecognizerName, distance: "euclidean" | "cosine", tolerance: number, cohort: Cohort, identities: GalleryIdentity[], truth: number[],
  distances: number[][], probeEmb: FaceEmbedding[], verdict: Map<string, FaceVerdict>, boot: Required<BootstrapOptions>, sizes: number[],
): RecognizerResult {
  const G = identities.length;
  const rk = ranks(distances, truth);
  const outcomes: ProbeOutcome[] = cohort.probes.map((p, i) => {
    let nearest = -1;
    distances[i].forEach((d, g) => { if (Number.isFinite(d) && (nearest < 0 || d < distances[i][nearest])) nearest = g; });
    return {
      probe: p.label, setting: rowSetting(p.row!), subject: p.row!.subject,
      detected: verdict.get(p.label)!.variant !== null, presence: verdict.get(p.label)!.presence?.present ?? "n/a", encoded: !!probeEmb[i].vector,
      rank: rk[i], genuineDistance: distances[i][truth[i]],
      nearest: nearest >= 0 ? identities[nearest].label : "", nearestDistance: nearest >= 0 ? distances[i][nearest] : Infinity,
    };
  });
  const pairs = (idx: number[]) => {
    const gen: number[] = [], imp: number[] = [];
    for (const i of idx) distances[i].forEach((d, g) => (g === truth[i] ? gen : imp).push(d));
    return { gen, imp };
  };
  const all = pairs(outcomes.map((_o, i) => i));
  const n = outcomes.length;
  const rate = (k: number) => (idx: number[]) => rankRate(idx.map((i) => rk[i]), k);
  const e = eer(all.gen, all.imp);
  const groups: GroupResult[] = [];
  for (const c of COVARIATES) {
    const values = [...new Set(cohort.probes.map((p) => p.row!.covariates[c]).filter((v): v is string => v !== undefined))].sort();
    for (const v of values) {
      const idx = cohort.probes.map((p, i) => (p.row!.covariates[c] === v ? i : -1)).filter((i) => i >= 0);
      const sub = (f: (ix: number[]) => number) => bootstrapInterval(idx.length, (ix) => f(ix.map((j) => idx[j])), boot);
      groups.push({ covariate: c, value: v, probes: idx.length, rank1: sub(rate(1)), rank5: sub(rate(5)) });
    }
  }
  const tmr = all.gen.filter((d) => d <= tolerance).length / all.gen.length;
  const fmr = all.imp.filter((d) => d <= tolerance).length / all.imp.length;
  return {
    recognizer, distance, tolerance,
    probes: n,
    detected: outcomes.filter((o) => o.encoded).length,
    detectionRate: bootstrapInterval(n, (ix) => ix.filter((i) => outcomes[i].encoded).length / ix.length, boot),
    rank1: bootstrapInterval(n, rate(1), boot),
    rank5: bootstrapInterval(n, rate(5), boot),
    cmc: cmc(rk, G),
    roc: roc(all.gen, all.imp),
    auc: bootstrapInterval(n, (ix) => { const p = pairs(ix); return auc(p.gen, p.imp); }, boot),
    eer: bootstrapInterval(n, (ix) => { const p = pairs(ix); return eer(p.gen, p.imp).eer; }, boot),
    eerThreshold: e.threshold,
    atTolerance: { tmr, fmr },
    genuine: all.gen,
    impostor: all.imp,
    distances,
    outcomes,
    misses: outcomes.filter((o) => o.rank > 1),
    groups,
    galleryModel: all.imp.filter(Number.isFinite).length >= 2 ? galleryModel(all.gen, all.imp, sizes.filter((s) => s >= 1), { seed: boot.seed, level: boot.level, samples: 500 }) : [],
  };
}
