import { skinLevel } from "../face/skin";
import { patientBounds } from "../volume/volume";
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
  // patientToVoxel of every cell centre, inlined (the same sums, without an array per cell).
  const d = volume.direction, sp = volume.spacing, o = volume.origin;
  let q = 0;
  for (let k = 0; k < shape[2]; k++) for (let j = 0; j < shape[1]; j++) for (let i = 0; i < shape[0]; i++, q++) {
    const x = min[0] + i * GRID - o[0], y = min[1] + j * GRID - o[1], z = min[2] + k * GRID - o[2];
    const v0 = (x * d[0] + y * d[1] + z * d[2]) / sp[0], v1 = (x * d[3] + y * d[4] + z * d[5]) / sp[1], v2 = (x * d[6] + y * d[7] + z * d[8]) / sp[2];
    const inside = v0 >= -0.5 && v1 >= -0.5 && v2 >= -0.5 && v0 <= nx - 0.5 && v1 <= ny - 0.5 && v2 <= nz - 0.5;
    data[q] = inside ? trilinear(volume.data, volume.shape, v0, v1, v2) : outside;
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
      // Flood the outside only from air on the border: where the field of view cuts through the head,
      // the cut edge is inside it, and the skull's ring closes against the edge.
      fillAxialHoles(filled, g.shape, [0, 0, 1], (q) => g.data[q] < -500);
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
    fillAxialHoles(brain, g.shape, [0, 0, 1], (q) => !tissue[q]); // ventricles and sulci inside the brain; a cut edge is not outside
    keepLargest(brain, g.shape);
  }
  const dist = distanceTransform(brain, g.shape, spacing);
  // CT: the 6 mm closing ate into the brain's edge; give it back before the margin.
  const margin = (options.margin ?? 3) + (volume.units === "HU" ? 6 : 0);
  // Back onto the volume's grid: nearest aligned-grid cell of every voxel centre.
  const out = backProject(volume, g, dist, margin);
  return { data: out, shape: [...volume.shape] as Vec3, spacing: [...volume.spacing] as Vec3, origin: [...volume.origin] as Vec3, direction: [...volume.direction] as Volume["direction"] };
}

/**
 * The volume's voxels whose nearest aligned-grid cell has `dist` ≤ `margin`, row by row without
 * allocating. Each voxel centre is summed in the order `voxelToPatient` uses (origin + i-term, + j-term,
 * + k-term: the i-terms tabulated once), so every voxel lands in the same cell as through
 * `voxelToPatient`. A patient axis the voxel rows do not move along has one cell per row, and the cells
 * along a row are recomputed only when the row's j- and k-terms change (never, for an axis-aligned grid).
 */
function backProject(volume: Volume, g: AlignedGrid, dist: Float32Array, margin: number): Uint8Array {
  const [nx, ny, nz] = volume.shape;
  const d = volume.direction, sp = volume.spacing, o = volume.origin;
  const out = new Uint8Array(nx * ny * nz);
  // Per patient axis c: origin + a·d[c] (a = i·spacing[0]) for every i, the row's cells, and the
  // j- and k-terms they were computed for.
  const axes = [0, 1, 2].map((c) => {
    const start = new Float64Array(nx);
    for (let i = 0; i < nx; i++) start[i] = o[c] + i * sp[0] * d[c];
    return { start, cells: new Int32Array(nx), varies: d[c] !== 0, b: NaN, k: NaN, n: g.shape[c], o: g.origin[c] };
  });
  /** The cells of one axis along the row (−1: outside the grid); false when the whole row is outside. */
  const rowCells = (ax: (typeof axes)[number], b: number, k: number): boolean => {
    if (b !== ax.b || k !== ax.k) {
      ax.b = b; ax.k = k;
      const { start, cells, n, o: g0 } = ax;
      const len = ax.varies ? nx : 1;
      for (let i = 0; i < len; i++) {
        const c = Math.round((start[i] + b + k - g0) / GRID);
        cells[i] = c >= 0 && c < n ? c : -1;
      }
    }
    return ax.varies || ax.cells[0] >= 0;
  };
  const [X, Y, Z] = axes;
  const [gx, gy, gz] = g.shape;
  // Runs of X.cells: voxels runFrom[t] ≤ i < runTo[t] all in cell runCell[t] (none outside the grid).
  const runCell = new Int32Array(nx), runFrom = new Int32Array(nx), runTo = new Int32Array(nx);
  let runs = 0, runsB = NaN, runsK = NaN;
  const buildRuns = () => {
    runsB = X.b; runsK = X.k; runs = 0;
    for (let i = 0; i < nx; i++) {
      const c = X.cells[i];
      if (c < 0) continue;
      if (runs > 0 && runCell[runs - 1] === c && runTo[runs - 1] === i) { runTo[runs - 1] = i + 1; continue; }
      runCell[runs] = c; runFrom[runs] = i; runTo[runs] = i + 1; runs++;
    }
  };
  // Grid rows (along x) holding a cell within the margin.
  const rowHit = new Uint8Array(gy * gz);
  for (let r = 0; r < gy * gz; r++) for (let c = r * gx; c < (r + 1) * gx; c++) if (dist[c] <= margin) { rowHit[r] = 1; break; }
  for (let k = 0; k < nz; k++) {
    const c = k * sp[2];
    for (let j = 0; j < ny; j++) {
      const b = j * sp[1];
      if (!rowCells(X, b * d[3], c * d[6]) || !rowCells(Y, b * d[4], c * d[7]) || !rowCells(Z, b * d[5], c * d[8])) continue;
      const q0 = nx * (j + ny * k);
      if (!Y.varies && !Z.varies) {
        // One grid row: the row's runs of voxels in one cell, one look-up each.
        const r = Y.cells[0] + gy * Z.cells[0];
        if (!rowHit[r]) continue;
        if (runsB !== X.b || runsK !== X.k) buildRuns();
        const base = gx * r;
        for (let t = 0; t < runs; t++) {
          if (dist[base + runCell[t]] > margin) continue;
          for (let i = runFrom[t]; i < runTo[t]; i++) out[q0 + i] = 1;
        }
      } else {
        const gi = X.cells, gj = Y.cells, gk = Z.cells;
        const sj = Y.varies ? 1 : 0, sk = Z.varies ? 1 : 0, si = X.varies ? 1 : 0;
        for (let i = 0; i < nx; i++) {
          const a = gi[i * si], bb = gj[i * sj], cc = gk[i * sk];
          if (a >= 0 && bb >= 0 && cc >= 0 && dist[a + gx * (bb + gy * cc)] <= margin) out[q0 + i] = 1;
        }
      }
    }
  }
  return out;
}
