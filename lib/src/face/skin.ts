/**
 * The skin/air isosurface level of a scan. CT has Hounsfield units, so skin/air is a fixed −300 HU
 * (the seed's level). MRI intensities have no physical scale: the level comes from the intensity
 * histogram, Otsu's threshold between the dark background (air, often zero-filled) and tissue.
 */
import { InvalidArgumentError } from "../core/errors";
import { histogram, minMax } from "../volume/stats";
import type { Volume } from "../volume/types";

/** The seed's skin/air level for CT, in Hounsfield units. */
export const CT_SKIN_LEVEL = -300;

/** `skinLevel` result: the level and how it was found. */
export interface SkinLevel {
  level: number;
  /** "given" (options.level), "ct-hu" (fixed −300 HU) or "otsu" (intensity histogram). */
  method: "given" | "ct-hu" | "otsu";
  /** One sentence for people: where the level comes from. */
  how: string;
  /** Otsu only: the histogram range used ([min, 99.9th percentile to 1/65536 of the range]), bin count and the two class means. */
  histogram?: { range: [number, number]; bins: number; backgroundMean: number; tissueMean: number };
}

/** Options for `skinLevel`. */
export interface SkinLevelOptions {
  /** A level to use as is (overrides everything). */
  level?: number;
  /** Histogram bins for Otsu (default 256, as skimage's threshold_otsu). */
  bins?: number;
}

/**
 * The skin/air level of a volume: `options.level` when given; −300 for CT (modality CT or
 * Hounsfield units); otherwise Otsu's threshold on the intensity histogram, which splits the
 * background peak from the tissue peaks. The histogram stops at the 99.9th percentile so a few
 * very bright voxels (vessels, fat, artefacts) do not squeeze the useful range into a few bins.
 */
export function skinLevel(volume: Volume, options: SkinLevelOptions = {}): SkinLevel {
  if (options.level !== undefined) {
    if (!Number.isFinite(options.level)) throw new InvalidArgumentError(`skin level must be a finite number, got ${options.level}`);
    return { level: options.level, method: "given", how: `level ${options.level} given` };
  }
  if (volume.units === "HU" || volume.modality.toUpperCase() === "CT") {
    return { level: CT_SKIN_LEVEL, method: "ct-hu", how: `CT in Hounsfield units: skin/air at ${CT_SKIN_LEVEL} HU (the seed's level)` };
  }
  const bins = options.bins ?? 256;
  if (!(Number.isInteger(bins) && bins >= 2)) throw new InvalidArgumentError(`skinLevel: bins must be an integer ≥ 2, got ${bins}`);
  const [lo, max] = minMax(volume.data);
  const hi = upperPercentile(volume.data, lo, max, 0.999);
  if (!(hi > lo)) throw new InvalidArgumentError(`skinLevel: the volume has a single intensity (${lo}); no skin/air boundary to find`);
  const clipped = { data: volume.data.map((v) => (v > hi ? hi : v)) };
  const { edges, counts } = histogram(clipped, { bins, range: [lo, hi] });
  const t = otsu(edges, counts);
  return {
    level: t.threshold,
    method: "otsu",
    how: `no Hounsfield units (${volume.modality || "unknown modality"}): Otsu's threshold ${fmt(t.threshold)} on a ${bins}-bin intensity histogram over [${fmt(lo)}, ${fmt(hi)}] (min to 99.9th percentile), between the background (mean ${fmt(t.mean0)}) and tissue (mean ${fmt(t.mean1)})`,
    histogram: { range: [lo, hi], bins, backgroundMean: t.mean0, tissueMean: t.mean1 },
  };
}

/** The q-quantile to within (max − min)/65536: the upper edge of its bin in a fine histogram (no sort of millions of voxels). */
function upperPercentile(data: Float32Array, lo: number, hi: number, q: number): number {
  if (!(hi > lo)) return hi;
  const bins = 65536, counts = new Uint32Array(bins), k = bins / (hi - lo);
  for (let n = 0; n < data.length; n++) counts[Math.min(bins - 1, Math.floor((data[n] - lo) * k))]++;
  const target = q * data.length;
  let acc = 0;
  for (let b = 0; b < bins; b++) {
    acc += counts[b];
    if (acc >= target) return Math.min(hi, lo + (b + 1) / k);
  }
  return hi;
}

/**
 * Otsu's threshold over a histogram: the bin centre that maximises the between-class variance
 * (skimage.filters.threshold_otsu's definition: class 0 takes bins ≤ the threshold's bin).
 */
export function otsu(edges: ArrayLike<number>, counts: ArrayLike<number>): { threshold: number; mean0: number; mean1: number } {
  const n = counts.length;
  const centres = new Float64Array(n);
  for (let b = 0; b < n; b++) centres[b] = (edges[b] + edges[b + 1]) / 2;
  let total = 0, sum = 0;
  for (let b = 0; b < n; b++) { total += counts[b]; sum += counts[b] * centres[b]; }
  let w0 = 0, s0 = 0, best = -1, bestB = 0, bestM0 = 0, bestM1 = 0;
  for (let b = 0; b < n - 1; b++) {
    w0 += counts[b];
    s0 += counts[b] * centres[b];
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const m0 = s0 / w0, m1 = (sum - s0) / w1;
    const between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) { best = between; bestB = b; bestM0 = m0; bestM1 = m1; }
  }
  return { threshold: centres[bestB], mean0: bestM0, mean1: bestM1 };
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}
