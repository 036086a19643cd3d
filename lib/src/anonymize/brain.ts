import { skinLevel } from "../face/skin";
import { patientBounds, patientToVoxel, voxelToPatient } from "../volume/volume";
import type { Mask, Vec3, Volume } from "../volume/types";
import { distanceTransform, fillAxialHoles, labelComponents, trilinear } from "./mask-geometry";

/** Grid (mm) on which the brain is segmented: fine enough for a conservative hull, fast on 2 cores. */
const GRID = 2;
/** MRI: erosion (mm) that parts the scalp from the brain across the dark skull. */
const ERODE_MR = 6;

/** An LPS-aligned grid covering a volume, and the volume sampled on it (any input orientation). */
interface AlignedGrid {
  shape: Vec3;
  origin: Vec3;
  data: Float32Array;
}

function alignedGrid(volume: Volume): AlignedGrid {
  const [nx, ny, nz] = volume.shape;
  const { min, max } = patientBounds(volume);
  const shape = [0, 1, 2].map((a) => Math.max(2, Math.floor((max[a] - min[a]) / GRID) + 1)) as Vec3;
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  const outside = Math.min(...sampleMin(volume));
  let q = 0;
  for (let k = 0; k < shape[2]; k++) for (let j = 0; j < shape[1]; j++) for (let i = 0; i < shape[0]; i++, q++) {
    const v = patientToVoxel(volume, [min[0] + i * GRID, min[1] + j * GRID, min[2] + k * GRID]);
    const inside = v[0] >= -0.5 && v[1] >= -0.5 && v[2] >= -0.5 && v[0] <= nx - 0.5 && v[1] <= ny - 0.5 && v[2] <= nz - 0.5;
    data[q] = inside ? trilinear(volume.data, volume.shape, v[0], v[1], v[2]) : outside;
  }
  return { shape, origin: min, data };
}

function sampleMin(volume: Volume): number[] {
  let lo = Infinity;
  for (let n = 0; n < volume.data.length; n += 53) if (volume.data[n] < lo) lo = volume.data[n];
  return [lo];
}

/** Largest 26-connected component of a mask (in place); returns its size. */
function keepLargest(mask: Uint8Array, shape: Vec3): number {
  const { labels, sizes } = labelComponents(mask, shape);
  let best = 0;
  for (let l = 1; l < sizes.length; l++) if (best === 0 || sizes[l] > sizes[best]) best = l; // labels 1…count
  if (best === 0) { mask.fill(0); return 0; }
  for (let q = 0; q < mask.length; q++) mask[q] = labels[q] === best ? 1 : 0;
  return sizes[best];
}

/**
 * Keep every component of at least `minCells` whose mean value lies in `range` (CT brain: 0…80 HU;
 * the scalp and fat between head and holder are lower). Several: a skull defect (craniectomy) or a
 * thin temporal bone can leave planes where the skull does not close, parting the brain in two.
 */
function keepBrainLike(mask: Uint8Array, shape: Vec3, values: Float32Array, range: [number, number], minCells: number): void {
  const { labels, sizes } = labelComponents(mask, shape);
  const sum = new Float64Array(sizes.length);
  for (let q = 0; q < mask.length; q++) if (labels[q]) sum[labels[q]] += values[q];
  const keep = sizes.map((n, l) => l > 0 && n >= minCells && sum[l] / n >= range[0] && sum[l] / n <= range[1]);
  for (let q = 0; q < mask.length; q++) mask[q] = keep[labels[q]] ? 1 : 0;
}

/**
 * A conservative brain (intracranial) mask on the volume's own grid. CT: the soft tissue inside the
 * skull, found by closing the bone (≥ 250 HU) and filling it plane by plane across the superior axis,
 * then the largest component. MRI (no Hounsfield units): the tissue above the skin level eroded until
 * the scalp comes off the brain at the dark skull, the largest component, grown back. Both are dilated
 * by `margin` mm (default 3) so that what the mask protects includes the brain's surface.
 */
export function brainMask(volume: Volume, options: { margin?: number; level?: number } = {}): Mask {
  const g = alignedGrid(volume);
  const n = g.data.length;
  const spacing: Vec3 = [GRID, GRID, GRID];
  const brain = new Uint8Array(n);
  if (volume.units === "HU") {
    const bone = new Uint8Array(n);
    for (let q = 0; q < n; q++) bone[q] = g.data[q] >= 250 ? 1 : 0;
    // Close gaps in the skull (sutures, thin temporal bone, the skull base) by 6 mm before filling.
    const dOut = distanceTransform(bone, g.shape, spacing);
    const enclosed = (radius: number): Uint8Array => {
      const grown = new Uint8Array(n);
      for (let q = 0; q < n; q++) grown[q] = dOut[q] <= radius ? 1 : 0;
      const filled = grown.slice();
      fillAxialHoles(filled, g.shape, [0, 0, 1]);
      const out = new Uint8Array(n);
      for (let q = 0; q < n; q++) out[q] = filled[q] && !grown[q] && g.data[q] > -100 && g.data[q] < 200 ? 1 : 0;
      return out;
    };
    brain.set(enclosed(6));
    // A plane where thin bone (partial volume below 250 HU) leaves a gap wider than the closing lost
    // its brain entirely: refill such planes with wider closings. Only planes far smaller than their
    // neighbours within 10 mm, so the orbits and nasal cavity lower down are not enclosed.
    const plane = g.shape[0] * g.shape[1];
    for (const radius of [10, 14]) {
      const area = Array.from({ length: g.shape[2] }, (_, k) => { let a = 0; for (let q = k * plane; q < (k + 1) * plane; q++) a += brain[q]; return a; });
      const failing = area.map((a, k) => {
        let m = 0;
        for (let d = -5; d <= 5; d++) if (d && k + d >= 0 && k + d < area.length) m = Math.max(m, area[k + d]);
        return a < 0.5 * m;
      });
      if (!failing.some(Boolean)) break;
      const wide = enclosed(radius);
      failing.forEach((f, k) => { if (f) for (let q = k * plane; q < (k + 1) * plane; q++) brain[q] |= wide[q]; });
    }
    keepBrainLike(brain, g.shape, g.data, [0, 80], Math.round(50_000 / GRID ** 3)); // ≥ 50 ml
  } else {
    const level = options.level ?? skinLevel(volume).level;
    const tissue = new Uint8Array(n);
    // T1: scalp and brain are bright, the skull between them dark; no hole filling before the erosion,
    // or the skull would join them.
    for (let q = 0; q < n; q++) tissue[q] = g.data[q] > level ? 1 : 0;
    const inv = new Uint8Array(n);
    for (let q = 0; q < n; q++) inv[q] = tissue[q] ? 0 : 1;
    const depth = distanceTransform(inv, g.shape, spacing);
    for (let q = 0; q < n; q++) brain[q] = depth[q] > ERODE_MR ? 1 : 0;
    keepLargest(brain, g.shape);
    const back = distanceTransform(brain, g.shape, spacing);
    for (let q = 0; q < n; q++) brain[q] = back[q] <= ERODE_MR && tissue[q] ? 1 : 0;
    fillAxialHoles(brain, g.shape, [0, 0, 1]); // ventricles and sulci inside the brain
    keepLargest(brain, g.shape);
  }
  const dist = distanceTransform(brain, g.shape, spacing);
  // CT: the 6 mm closing ate into the brain's edge; give it back before the margin.
  const margin = (options.margin ?? 3) + (volume.units === "HU" ? 6 : 0);
  // Back onto the volume's grid: nearest aligned-grid cell of every voxel centre.
  const [nx, ny, nz] = volume.shape;
  const out = new Uint8Array(nx * ny * nz);
  let q = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++, q++) {
    const p = voxelToPatient(volume, [i, j, k]);
    const gi = Math.round((p[0] - g.origin[0]) / GRID), gj = Math.round((p[1] - g.origin[1]) / GRID), gk = Math.round((p[2] - g.origin[2]) / GRID);
    if (gi < 0 || gj < 0 || gk < 0 || gi >= g.shape[0] || gj >= g.shape[1] || gk >= g.shape[2]) continue;
    if (dist[gi + g.shape[0] * (gj + g.shape[1] * gk)] <= margin) out[q] = 1;
  }
  return { data: out, shape: [...volume.shape] as Vec3, spacing: [...volume.spacing] as Vec3, origin: [...volume.origin] as Vec3, direction: [...volume.direction] as Volume["direction"] };
}
