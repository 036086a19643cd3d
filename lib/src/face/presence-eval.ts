/**
 * Measuring face presence on a truth set: evidence per case, leave-one-scan-out fits and verdicts,
 * recall / false-positive rate, and the greedy choice of the cheapest variant set. Internal: the fit
 * script, the benchmark, the tests and notebook 04 import it from its module.
 */
import type { Volume } from "../volume/types";
import { collectPresenceEvidence, presenceFromEvidence, VOLUME_DETECTORS, type CollectedEvidence, type PresenceOptions } from "./presence";
import { fitFusion, type FitCase, type FusionParams } from "./presence-fusion";
import type { TruthCase } from "./presence-truth";

/** A truth case with the evidence collected on it. */
export interface CaseEvidence {
  name: string;
  fold: string;
  kind: TruthCase["kind"];
  face: boolean;
  collected: CollectedEvidence;
}

/** Collect evidence on every case (building each volume only while it is needed). */
export async function collectTruthEvidence(cases: readonly TruthCase[], options: PresenceOptions = {}, onCase?: (name: string, i: number, n: number) => void): Promise<CaseEvidence[]> {
  const out: CaseEvidence[] = [];
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    onCase?.(c.name, i, cases.length);
    const volume: Volume = c.build();
    const collected = await collectPresenceEvidence(volume, { ...options, ...(c.level !== undefined ? { level: c.level } : {}) });
    out.push({ name: c.name, fold: c.fold, kind: c.kind, face: c.face, collected });
  }
  return out;
}

/** Restriction of the evidence to some variants and detectors. */
export interface Subset {
  variants?: readonly string[];
  detectors?: readonly string[];
}

/** Fit cases (for fitFusion) from collected evidence, restricted to a subset. */
export function fitCases(items: readonly CaseEvidence[], only: Subset = {}): FitCase[] {
  return items.map((it) => {
    const vs = new Set(only.variants ?? it.collected.variants), ds = new Set(only.detectors ?? it.collected.detectors);
    const runs: Record<string, number> = {};
    for (const d of it.collected.detectors) if (ds.has(d)) runs[d] = VOLUME_DETECTORS.includes(d) ? 1 : it.collected.variants.filter((v) => vs.has(v)).length;
    return {
      name: it.name, face: it.face, head: it.collected.head, runs,
      evidence: it.collected.evidence.filter((e) => (e.variant === "volume" || vs.has(e.variant)) && ds.has(e.detector)),
    };
  });
}

/** A verdict on one case and whether it was right. */
export interface CaseVerdict {
  name: string;
  fold: string;
  kind: TruthCase["kind"];
  face: boolean;
  present: "yes" | "no" | "uncertain";
  score: number;
  reason: string;
}

/** Verdicts with given parameters. */
export function verdicts(items: readonly CaseEvidence[], params: FusionParams, only: Subset = {}): CaseVerdict[] {
  return items.map((it) => {
    const v = presenceFromEvidence(it.collected, params, only);
    return { name: it.name, fold: it.fold, kind: it.kind, face: it.face, present: v.present, score: v.score, reason: v.reason };
  });
}

/**
 * Leave-one-scan-out verdicts: for each fold, fit on the other folds' cases (of `fitOn`, default
 * the same items) and judge this fold's cases of `items`. No verdict comes from a fit that saw its scan.
 */
export function losoVerdicts(items: readonly CaseEvidence[], detectors: readonly string[], only: Subset = {}, fitOn: readonly CaseEvidence[] = items): { verdicts: CaseVerdict[]; params: Record<string, FusionParams> } {
  const folds = [...new Set(items.map((i) => i.fold))];
  const out: CaseVerdict[] = [];
  const params: Record<string, FusionParams> = {};
  for (const f of folds) {
    const train = fitOn.filter((i) => i.fold !== f);
    const p = fitFusion(fitCases(train, only), detectors, { fittedOn: `cases not derived from "${f}"` });
    params[f] = p;
    out.push(...verdicts(items.filter((i) => i.fold === f), p, only));
  }
  const order = new Map(items.map((it, k) => [it.name, k]));
  out.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  return { verdicts: out, params };
}

/** Recall (positives judged "yes"), false-positive rate (negatives judged "yes"), and how many were uncertain / missed. */
export interface Summary {
  positives: number;
  negatives: number;
  recall: number;
  falsePositiveRate: number;
  /** Positives judged "no" (the failure that matters most). */
  missed: number;
  uncertain: number;
}

/** Summarise verdicts. */
export function summarize(vs: readonly CaseVerdict[]): Summary {
  const pos = vs.filter((v) => v.face), neg = vs.filter((v) => !v.face);
  return {
    positives: pos.length,
    negatives: neg.length,
    recall: pos.length ? pos.filter((v) => v.present === "yes").length / pos.length : NaN,
    falsePositiveRate: neg.length ? neg.filter((v) => v.present === "yes").length / neg.length : NaN,
    missed: pos.filter((v) => v.present === "no").length,
    uncertain: vs.filter((v) => v.present === "uncertain").length,
  };
}

/** Mean seconds per case that a variant costs (its render plus the detectors run on it). */
export function variantSeconds(items: readonly CaseEvidence[], variant: string, detectors: readonly string[]): number {
  let s = 0;
  for (const it of items) {
    s += it.collected.renderMs[variant] ?? 0;
    for (const d of detectors) s += it.collected.detectMs[d]?.[variant] ?? 0;
  }
  return s / Math.max(1, items.length) / 1000;
}

/**
 * The cheapest variant set that reaches the targets under leave-one-scan-out: greedily add the
 * variant with the best (recall gained − false positives added) per second until recall ≥ target
 * and FPR ≤ maxFpr, with at least `minVariants` variants over `minViews` views (so that views can
 * agree and one can fail: a 3-variant set that met the target on the fit split left a test case
 * "uncertain"). Returns the steps.
 */
export function greedyVariants(
  items: readonly CaseEvidence[],
  detectors: readonly string[],
  opts: { recall?: number; maxFpr?: number; minVariants?: number; minViews?: number; maxVariants?: number } = {},
): { chosen: string[]; steps: { variant: string; seconds: number; summary: Summary }[] } {
  const target = opts.recall ?? 0.98, maxFpr = opts.maxFpr ?? 0.02, minV = opts.minVariants ?? 3, minViews = opts.minViews ?? 1, maxV = opts.maxVariants ?? 24;
  const all = items[0]?.collected.variants ?? [];
  const cost = new Map(all.map((v) => [v, variantSeconds(items, v, detectors)]));
  const chosen: string[] = [];
  const steps: { variant: string; seconds: number; summary: Summary }[] = [];
  const value = (s: Summary): number => s.recall - 2 * s.falsePositiveRate - 0.5 * (s.missed / Math.max(1, s.positives));
  let current = -Infinity;
  while (chosen.length < maxV) {
    let best: { v: string; gainPerS: number; val: number; summary: Summary } | undefined;
    for (const v of all) {
      if (chosen.includes(v)) continue;
      const only = { variants: [...chosen, v], detectors };
      const vs = losoVerdicts(items, detectors, only).verdicts;
      const summary = summarize(vs);
      // Beyond the counts, prefer the set that separates the classes more (mean held-out score of
      // faces minus that of non-faces): among equally right sets, the one with more margin.
      const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
      const margin = mean(vs.filter((v) => v.face).map((v) => v.score)) - mean(vs.filter((v) => !v.face).map((v) => v.score));
      const val = value(summary) + 0.1 * margin;
      const gain = (Number.isFinite(current) ? val - current : val) + 1e-3; // ties go to the cheaper variant
      const gainPerS = gain / Math.max(cost.get(v) ?? 1, 1e-3);
      if (!best || gainPerS > best.gainPerS) best = { v, gainPerS, val, summary };
    }
    if (!best) break;
    chosen.push(best.v);
    current = best.val;
    steps.push({ variant: best.v, seconds: cost.get(best.v) ?? 0, summary: best.summary });
    const views = new Set(chosen.map((v) => v.split("/")[0])).size;
    if (chosen.length >= minV && views >= minViews && best.summary.recall >= target && best.summary.falsePositiveRate <= maxFpr) break;
  }
  return { chosen, steps };
}
