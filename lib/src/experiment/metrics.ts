/**
 * Identification and verification metrics on distance matrices (smaller = more alike), as pure
 * functions: rank of the true identity, rank-k rates, the CMC curve, the verification ROC with its
 * AUC and EER, seeded percentile-bootstrap intervals and the gallery-size model.
 */
import { InvalidArgumentError } from "../core/errors";
import { seededRandom } from "../core/random";
export { seededRandom };

/**
 * Rank of the true identity `truth` in one probe's distances to the gallery identities: 1 + the
 * number of other identities at a distance ≤ its own (ties count against it). A probe without a
 * face (distance Infinity or NaN) is ranked last, at the gallery size.
 */
export function rankOfTruth(distances: readonly number[], truth: number): number {
  if (!(truth >= 0 && truth < distances.length)) throw new InvalidArgumentError(`true identity ${truth} outside the gallery of ${distances.length}`);
  const d = distances[truth];
  if (!Number.isFinite(d)) return distances.length;
  let rank = 1;
  for (let g = 0; g < distances.length; g++) if (g !== truth && distances[g] <= d) rank++;
  return rank;
}

/** Ranks of every probe: `distances[p][g]` to gallery identity g, `truth[p]` its true identity. */
export function ranks(distances: readonly (readonly number[])[], truth: readonly number[]): number[] {
  if (distances.length !== truth.length) throw new InvalidArgumentError(`${distances.length} probe rows but ${truth.length} true identities`);
  return distances.map((row, p) => rankOfTruth(row, truth[p]));
}

/** Fraction of probes whose true identity ranks within the first k (rank-k identification rate). */
export function rankRate(rankList: readonly number[], k: number): number {
  if (!rankList.length) return NaN;
  let n = 0;
  for (const r of rankList) if (r <= k) n++;
  return n / rankList.length;
}

/** The CMC curve: rate at ranks 1 … gallerySize (monotone, 1 at the gallery size, first point = rank-1). */
export function cmc(rankList: readonly number[], gallerySize: number): number[] {
  return Array.from({ length: gallerySize }, (_v, i) => rankRate(rankList, i + 1));
}

/** One operating point of a verification ROC: accept a pair when its distance ≤ threshold. */
export interface RocPoint {
  threshold: number;
  /** False-match rate: impostor pairs accepted. */
  fpr: number;
  /** True-match rate: genuine pairs accepted. */
  tpr: number;
}

/** Rate of values ≤ t. */
function acceptRate(xs: readonly number[], t: number): number {
  let n = 0;
  for (const x of xs) if (x <= t) n++;
  return xs.length ? n / xs.length : NaN;
}

/** The verification ROC over every distinct finite distance, from (0, 0) (accept none) to (1, 1) (accept all, no-face pairs too). */
export function roc(genuine: readonly number[], impostor: readonly number[]): RocPoint[] {
  if (!genuine.length || !impostor.length) throw new InvalidArgumentError("a ROC needs genuine and impostor pairs");
  const ts = [...new Set([...genuine, ...impostor].filter(Number.isFinite))].sort((a, b) => a - b);
  const pts: RocPoint[] = [{ threshold: -Infinity, fpr: 0, tpr: 0 }];
  for (const t of ts) pts.push({ threshold: t, fpr: acceptRate(impostor, t), tpr: acceptRate(genuine, t) });
  pts.push({ threshold: Infinity, fpr: 1, tpr: 1 });
  return pts;
}

/** Area under the ROC: the probability that a genuine pair is closer than an impostor pair (ties ½; Mann–Whitney). */
export function auc(genuine: readonly number[], impostor: readonly number[]): number {
  if (!genuine.length || !impostor.length) return NaN;
  const key = (x: number) => (Number.isNaN(x) ? Infinity : x);
  const g = genuine.map(key).sort((a, b) => a - b), im = impostor.map(key).sort((a, b) => a - b);
  let s = 0, lo = 0, hi = 0;
  for (const x of g) {
    while (lo < im.length && im[lo] < x) lo++;
    while (hi < im.length && im[hi] <= x) hi++;
    // impostors above x: im.length − hi; ties: hi − lo.
    s += im.length - hi + 0.5 * (hi - lo);
  }
  return s / (g.length * im.length);
}

/**
 * Equal error rate: where the false-non-match rate (1 − TPR) equals the false-match rate along
 * the ROC, linearly interpolated between operating points, and the threshold there.
 */
export function eer(genuine: readonly number[], impostor: readonly number[]): { eer: number; threshold: number } {
  const pts = roc(genuine, impostor);
  const f = (p: RocPoint) => 1 - p.tpr - p.fpr;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1], b = pts[i];
    if (f(b) > 0) continue;
    if (f(b) === 0 || f(a) === f(b)) return { eer: b.fpr, threshold: b.threshold };
    const lam = f(a) / (f(a) - f(b));
    const ta = Number.isFinite(a.threshold) ? a.threshold : b.threshold;
    const tb = Number.isFinite(b.threshold) ? b.threshold : ta;
    return { eer: a.fpr + lam * (b.fpr - a.fpr), threshold: ta + lam * (tb - ta) };
  }
  return { eer: 1, threshold: Infinity };
}


/** Options of the bootstrap. */
export interface BootstrapOptions {
  /** Resamples (default 2000). */
  samples?: number;
  /** PRNG seed (default 13): the same seed gives the same interval. */
  seed?: number;
  /** Coverage (default 0.95). */
  level?: number;
}

/** A value with its bootstrap interval. */
export interface Interval {
  value: number;
  low: number;
  high: number;
}

/** Percentile of sorted values (linear interpolation). */
export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Percentile bootstrap over `n` units (probes): `statistic(indices)` is computed on `samples`
 * resamples drawn with replacement; the interval is the central `level` of them. Seeded.
 */
export function bootstrapInterval(n: number, statistic: (indices: number[]) => number, opts: BootstrapOptions = {}): Interval {
  const all = Array.from({ length: n }, (_v, i) => i);
  const value = statistic(all);
  if (n === 0) return { value, low: NaN, high: NaN };
  const rnd = seededRandom(opts.seed ?? 13);
  const B = opts.samples ?? 2000, level = opts.level ?? 0.95;
  const stats: number[] = [];
  const idx = new Array<number>(n);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rnd() * n);
    const s = statistic(idx);
    if (Number.isFinite(s)) stats.push(s);
  }
  stats.sort((a, b) => a - b);
  return { value, low: quantile(stats, (1 - level) / 2), high: quantile(stats, 1 - (1 - level) / 2) };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** One point of the gallery-size model. */
export interface GalleryModelPoint {
  gallerySize: number;
  rank1: number;
  low: number;
  high: number;
}

/**
 * Rank-1 as the gallery grows, a model: each probe's genuine distance must beat gallerySize − 1
 * impostors drawn independently from the measured impostor distances, smoothed with a Gaussian
 * kernel (Silverman's bandwidth) so that the tail beyond the smallest measured impostor is not
 * empty. rank1(G) = mean over probes of S(d)^(G−1), S = the smoothed impostor survival function;
 * a probe without a face (Infinity) counts 0. The interval resamples probes and impostors (seeded).
 */
export function galleryModel(genuine: readonly number[], impostor: readonly number[], sizes: readonly number[], opts: BootstrapOptions = {}): GalleryModelPoint[] {
  const imp = impostor.filter(Number.isFinite);
  if (!genuine.length || imp.length < 2) throw new InvalidArgumentError("the gallery-size model needs genuine distances and ≥ 2 finite impostor distances");
  const curve = (gen: readonly number[], im: readonly number[]): number[] => {
    const n = im.length;
    const mean = im.reduce((s, x) => s + x, 0) / n;
    const sd = Math.sqrt(im.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, n - 1));
    const h = Math.max(1e-6, 1.06 * sd * n ** -0.2);
    // A probe without a face is never rank 1, whatever the gallery size (so not 0⁰ = 1).
    const surv = gen.map((d) => (Number.isFinite(d) ? im.reduce((s, x) => s + (1 - normalCdf((d - x) / h)), 0) / n : -1));
    return sizes.map((G) => surv.reduce((s, v) => s + (v < 0 ? 0 : v ** (G - 1)), 0) / gen.length);
  };
  const value = curve(genuine, imp);
  const rnd = seededRandom(opts.seed ?? 13);
  const B = opts.samples ?? 500, level = opts.level ?? 0.95;
  const boots: number[][] = sizes.map(() => []);
  for (let b = 0; b < B; b++) {
    const g = genuine.map(() => genuine[Math.floor(rnd() * genuine.length)]);
    const im = imp.map(() => imp[Math.floor(rnd() * imp.length)]);
    curve(g, im).forEach((v, i) => boots[i].push(v));
  }
  return sizes.map((G, i) => {
    const s = boots[i].sort((a, b) => a - b);
    return { gallerySize: G, rank1: value[i], low: quantile(s, (1 - level) / 2), high: quantile(s, 1 - (1 - level) / 2) };
  });
}
