import type { Volume } from "./types";

/** A histogram: `counts[b]` voxels fall in [edges[b], edges[b+1]). */
export interface Histogram {
  edges: Float64Array;
  counts: Float64Array;
}

/** Histogram of voxel values over `range` (default: the data's min–max) in `bins` bins. */
export function histogram(vol: Pick<Volume, "data">, opts: { bins?: number; range?: [number, number] } = {}): Histogram {
  const bins = opts.bins ?? 256;
  const data = vol.data;
  let [lo, hi] = opts.range ?? minMax(data);
  if (hi <= lo) hi = lo + 1;
  const counts = new Float64Array(bins);
  const scale = bins / (hi - lo);
  for (let n = 0; n < data.length; n++) {
    const v = data[n];
    if (v < lo || v > hi) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) * scale))]++;
  }
  const edges = new Float64Array(bins + 1);
  for (let b = 0; b <= bins; b++) edges[b] = lo + b / scale;
  return { edges, counts };
}

/** Smallest and largest value. */
export function minMax(data: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let n = 0; n < data.length; n++) {
    const v = data[n];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Percentiles (0–100) of the values, by sorting a copy (exact, nearest-rank with linear interpolation like numpy). */
export function percentiles(vol: Pick<Volume, "data">, ps: number[]): number[] {
  const sorted = Float32Array.from(vol.data).sort();
  return ps.map((p) => {
    const f = (p / 100) * (sorted.length - 1);
    const lo = Math.floor(f), hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (f - lo);
  });
}
