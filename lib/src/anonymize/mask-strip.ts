import { InvalidArgumentError } from "../core/errors";
import type { Vec3, Volume } from "../volume/types";
import { anatomicalSteps, distanceTransform, fillAxialHoles, labelComponents, trilinear } from "./mask-geometry";
import { checkCtVolume } from "./mask-simulate";

/** Options for `stripMask` (lengths in mm, densities in Hounsfield units). */
export interface StripMaskOptions {
  /** Above this a voxel is plastic or tissue, below it air (default −500 HU: between air and a partial-volume shell). */
  levelHu?: number;
  /** Sheets thicker than this are not taken for a mask shell (default 5). */
  maxThicknessMm?: number;
  /** A mask shell spans at least this much (bounding-box diagonal; default 60). */
  minExtentMm?: number;
  /** How far the removal may follow the shell where it lies on the skin (default 15). */
  contactReachMm?: number;
  /** Value removed voxels are set to (default: the scan's own air, the median of voxels below −900 HU). */
  airHu?: number;
}

/** A thin object `stripMask` found and did not take for the mask. */
export interface StripObject {
  /** "posterior support" (behind the head's centre: head holder, couch), or "small" (ears, wisps, tubing). */
  kind: "posterior support" | "small";
  voxels: number;
  /** Bounding-box diagonal (mm). */
  extentMm: number;
  /** Fraction of its voxels in front of the head's centre. */
  anteriorFraction: number;
}

/** What `stripMask` removed and what it left. */
export interface StripMaskResult {
  /** The scan with the mask set to air (a new Volume; the input is not changed). */
  volume: Volume;
  /** The removed shell: voxels set to air (shell + contact), partial-volume fringe voxels, size. */
  removed: {
    voxels: number;
    /** Of those, voxels where the shell lay on the skin (found by density next to the shell). */
    contactVoxels: number;
    fringeVoxels: number;
    /** Plastic volume (partial-volume weighted), mm³. */
    volumeMm3: number;
    /** Plastic area (one face, holes excluded): volume ÷ thickness, mm². */
    areaMm2: number;
    /** Mean thickness across the sheet, measured along its normal (lines that cross most of it; mm). */
    meanThicknessMm: number;
    /** Density of the plastic found (90th percentile of the shell's voxels, HU). */
    plasticHu: number;
    /** Number of connected pieces taken for the mask. */
    components: number;
  };
  /** Thin objects found and left in place (largest first). */
  objects: StripObject[];
  /** A binary map of the voxels changed (1 = set to air), geometry of the volume. */
  changed: Uint8Array;
}

/**
 * Find an immobilization mask in a head CT and set it to air: a thin dense sheet in front of the
 * head, separated from the skin by air except where it touches, with no model of the mask given.
 * Supports behind the head (head holder, couch) are left in place and reported.
 */
export function stripMask(volume: Volume, options: StripMaskOptions = {}): StripMaskResult {
  checkCtVolume(volume, "stripMask");
  const level = options.levelHu ?? -500;
  const maxT = options.maxThicknessMm ?? 5;
  const minExtent = options.minExtentMm ?? 60;
  const reach = options.contactReachMm ?? 15;
  for (const [k, v] of Object.entries({ levelHu: level, maxThicknessMm: maxT, minExtentMm: minExtent, contactReachMm: reach })) {
    if (!Number.isFinite(v) || (k !== "levelHu" && v <= 0)) throw new InvalidArgumentError(`stripMask: ${k} must be a ${k === "levelHu" ? "" : "positive "}number, got ${String(v)}`);
  }
  const [nx, ny, nz] = volume.shape;
  const n = nx * ny * nz;
  const v = volume.data;
  const sp = volume.spacing;
  const hMin = Math.min(...sp), hMax = Math.max(...sp);

  const dense = new Uint8Array(n);
  const notDense = new Uint8Array(n);
  for (let q = 0; q < n; q++) {
    dense[q] = v[q] > level ? 1 : 0;
    notDense[q] = 1 - dense[q];
  }
  // Depth below the nearest air; the head's core is what survives an erosion by half the maximal thickness.
  const depth = distanceTransform(notDense, volume.shape, sp);
  const rE = maxT / 2 + 0.5 * hMin;
  const eroded = new Uint8Array(n);
  for (let q = 0; q < n; q++) eroded[q] = depth[q] > rE ? 1 : 0;
  const { labels: eLabels, sizes: eSizes } = labelComponents(eroded, volume.shape, false);
  const out = new Float32Array(v);
  const air = options.airHu ?? estimateAir(v);
  const empty = (): StripMaskResult => ({
    volume: copyGeometry(volume, out),
    removed: { voxels: 0, contactVoxels: 0, fringeVoxels: 0, volumeMm3: 0, areaMm2: 0, meanThicknessMm: 0, plasticHu: NaN, components: 0 },
    objects: [],
    changed: new Uint8Array(n),
  });
  if (eSizes.length < 2) return empty();
  let best = 1;
  for (let l = 2; l < eSizes.length; l++) if (eSizes[l] > eSizes[best]) best = l;
  const headCore = new Uint8Array(n);
  for (let q = 0; q < n; q++) headCore[q] = eLabels[q] === best ? 1 : 0;
  const dHead = distanceTransform(headCore, volume.shape, sp);
  // Reconstruct the head from its core (an opening): dense voxels within the erosion radius of it.
  const head = new Uint8Array(n);
  for (let q = 0; q < n; q++) if (dense[q] && dHead[q] <= rE + hMin) head[q] = 1;
  // Thin dense structures outside the head's outline (its own cavities filled: sinus walls are not masks).
  const frame = anatomicalSteps(volume);
  const outline = new Uint8Array(head);
  fillAxialHoles(outline, volume.shape, frame.superior);
  const thin = new Uint8Array(n);
  const exteriorAir = new Uint8Array(n);
  for (let q = 0; q < n; q++) {
    if (dense[q] && !outline[q]) thin[q] = 1;
    if (!dense[q] && !outline[q]) exteriorAir[q] = 1;
  }
  const depthOutside = distanceTransform(exteriorAir, volume.shape, sp);

  // Head centre: the mask lies in front of it, supports behind it.
  let ci = 0, cj = 0, ck = 0, cn = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    if (headCore[i + nx * (j + ny * k)]) { ci += i; cj += j; ck += k; cn++; }
  }
  ci /= cn; cj /= cn; ck /= cn;
  const A = frame.anterior;
  const anteriorOf = (i: number, j: number, k: number) => A[0] * (i - ci) + A[1] * (j - cj) + A[2] * (k - ck);

  const { labels, sizes } = labelComponents(thin, volume.shape, true);
  const L = sizes.length;
  const lo = Array.from({ length: L }, () => [Infinity, Infinity, Infinity]);
  const hi = Array.from({ length: L }, () => [-Infinity, -Infinity, -Infinity]);
  const flo = Array.from({ length: L }, () => [Infinity, Infinity, Infinity]);
  const fhi = Array.from({ length: L }, () => [-Infinity, -Infinity, -Infinity]);
  const front = new Float64Array(L);
  const grow = (a: number[], b: number[], i: number, j: number, k: number) => {
    if (i < a[0]) a[0] = i; if (j < a[1]) a[1] = j; if (k < a[2]) a[2] = k;
    if (i > b[0]) b[0] = i; if (j > b[1]) b[1] = j; if (k > b[2]) b[2] = k;
  };
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const l = labels[i + nx * (j + ny * k)];
    if (!l) continue;
    grow(lo[l], hi[l], i, j, k);
    if (anteriorOf(i, j, k) > 0) { front[l]++; grow(flo[l], fhi[l], i, j, k); }
  }
  const diagonal = (a: number[], b: number[]) => (a[0] > b[0] ? 0 : Math.hypot((b[0] - a[0]) * sp[0], (b[1] - a[1]) * sp[1], (b[2] - a[2]) * sp[2]));
  // 1: a mask (mostly in front of the head); 2: a mask joined to something behind: only its front part is the mask.
  const isMask = new Uint8Array(L);
  const objects: StripObject[] = [];
  let components = 0;
  for (let l = 1; l < L; l++) {
    const extentMm = diagonal(lo[l], hi[l]);
    const anteriorFraction = front[l] / sizes[l];
    if (extentMm >= minExtent && anteriorFraction >= 0.5) {
      isMask[l] = 1;
      components++;
      continue;
    }
    if (diagonal(flo[l], fhi[l]) >= minExtent && front[l] >= 2000) {
      isMask[l] = 2;
      components++;
      objects.push({ kind: "posterior support", voxels: sizes[l] - front[l], extentMm: +extentMm.toFixed(1), anteriorFraction: 0 });
    } else if (sizes[l] >= 200) {
      objects.push({ kind: extentMm >= minExtent ? "posterior support" : "small", voxels: sizes[l], extentMm: +extentMm.toFixed(1), anteriorFraction: +anteriorFraction.toFixed(3) });
    }
  }
  objects.sort((a, b) => b.voxels - a.voxels);
  if (!components) return { ...empty(), objects };

  const removed = new Uint8Array(n);
  const shellValues: number[] = [];
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const q = i + nx * (j + ny * k);
    const m = isMask[labels[q]];
    if (!labels[q] || !m || (m === 2 && anteriorOf(i, j, k) <= 0)) continue;
    removed[q] = 1;
    if ((q & 3) === 0) shellValues.push(v[q]);
  }
  shellValues.sort((a, b) => a - b);
  const plasticHu = shellValues[Math.floor(0.9 * (shellValues.length - 1))];
  const tissue: number[] = [];
  for (let q = 0; q < n; q += 5) if (head[q] && depth[q] >= 1.5 && depth[q] <= 4) tissue.push(v[q]);
  tissue.sort((a, b) => a - b);
  // The upper quartile under the skin: dermis and muscle rather than fat, so the contact rule stays off the skin.
  const tissueHu = tissue.length ? tissue[Math.floor(0.75 * (tissue.length - 1))] : 0;

  const occ = (q: number) => Math.min(1, Math.max(0, (v[q] - air) / (plasticHu - air)));
  const thicknessOf = (mark: Uint8Array) => sheetThickness(volume, mark, dHead, occ);
  // Where the sheet runs along the slices, partial volume breaks it into pieces below the level:
  // thin pieces outside the head within two voxels of the shell are the shell too.
  {
    const dShell = distanceTransform(removed, volume.shape, sp);
    for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
      const q = i + nx * (j + ny * k);
      if (thin[q] && !removed[q] && dShell[q] <= 2 * hMax && anteriorOf(i, j, k) > 0) removed[q] = 1;
    }
  }
  const tFirst = thicknessOf(removed);

  // Where the shell lies on the skin there is no air between them: follow it by its density
  // (nearer the plastic's than the skin's) within one shell thickness of the air.
  let contactVoxels = 0;
  let contactDepth = 0;
  const grownMark = new Uint8Array(n);
  if (plasticHu - tissueHu > 40) {
    const thr = plasticHu - 0.3 * (plasticHu - tissueHu);
    const maxDepth = tFirst + hMax;
    contactDepth = maxDepth;
    const layers = Math.ceil(reach / hMin);
    let frontier: number[] = [];
    for (let q = 0; q < n; q++) if (removed[q]) frontier.push(q);
    for (let layer = 0; layer < layers && frontier.length; layer++) {
      const next: number[] = [];
      for (const q of frontier) {
        const i = q % nx, j = ((q - i) / nx) % ny, k = Math.floor(q / (nx * ny));
        for (let dk = -1; dk <= 1; dk++) for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) {
          const a = i + di, b = j + dj, c = k + dk;
          if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
          const r = a + nx * (b + ny * c);
          if (removed[r] || !dense[r] || v[r] < thr || depthOutside[r] > maxDepth || anteriorOf(a, b, c) <= 0) continue;
          removed[r] = 1;
          grownMark[r] = 1;
          contactVoxels++;
          next.push(r);
        }
      }
      frontier = next;
    }
  }

  // Where plastic met air at a contact, the voxels between are partly both: one layer of dense,
  // lighter-than-threshold voxels at the air next to the removed shell goes too.
  for (let pass = 0; pass < 2 && contactVoxels; pass++) {
    const extra: number[] = [];
    for (let q = 0; q < n; q++) {
      if (removed[q] || !dense[q] || depthOutside[q] > contactDepth) continue;
      const i = q % nx, j = ((q - i) / nx) % ny, k = Math.floor(q / (nx * ny));
      if (anteriorOf(i, j, k) <= 0) continue;
      let touches = false;
      for (let dk = -1; dk <= 1 && !touches; dk++) for (let dj = -1; dj <= 1 && !touches; dj++) for (let di = -1; di <= 1; di++) {
        const a = i + di, b = j + dj, c = k + dk;
        if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
        const r = a + nx * (b + ny * c);
        if (removed[r]) { touches = true; break; }
      }
      if (touches) extra.push(q);
    }
    for (const q of extra) removed[q] = 1;
    contactVoxels += extra.length;
    if (!extra.length) break;
  }

  // Partial-volume fringe: air-side voxels touching the shell and no kept tissue.
  const fringe = new Uint8Array(n);
  let fringeVoxels = 0, voxels = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const q = i + nx * (j + ny * k);
    if (removed[q]) { voxels++; continue; }
    if (dense[q]) continue;
    let nearShell = false, nearKept = false;
    for (let dk = -1; dk <= 1 && !nearKept; dk++) for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) {
      const a = i + di, b = j + dj, c = k + dk;
      if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
      const r = a + nx * (b + ny * c);
      if (removed[r]) nearShell = true;
      else if (dense[r]) nearKept = true;
    }
    if (nearShell && !nearKept) { fringe[q] = 1; fringeVoxels++; }
  }
  const changed = new Uint8Array(n);
  let plasticVoxels = 0;
  for (let q = 0; q < n; q++) {
    if (!removed[q] && !fringe[q]) continue;
    changed[q] = 1;
    plasticVoxels += occ(q);
    out[q] = air;
  }
  const meanThicknessMm = thicknessOf(changed);
  const volumeMm3 = plasticVoxels * sp[0] * sp[1] * sp[2];
  return {
    volume: copyGeometry(volume, out),
    removed: {
      voxels, contactVoxels, fringeVoxels,
      volumeMm3: +volumeMm3.toFixed(0),
      areaMm2: meanThicknessMm > 0 ? +(volumeMm3 / meanThicknessMm).toFixed(0) : 0,
      meanThicknessMm: +meanThicknessMm.toFixed(2),
      plasticHu: Math.round(plasticHu),
      components,
    },
    objects,
    changed,
  };
}

/**
 * Mean thickness of a marked sheet: at sampled voxels, the integral of the plastic occupancy
 * along the sheet's normal (the gradient of the distance from the head).
 */
function sheetThickness(volume: Volume, mark: Uint8Array, dHead: Float32Array, occ: (q: number) => number): number {
  const [nx, ny, nz] = volume.shape;
  const sp = volume.spacing;
  const n = nx * ny * nz;
  const grid = new Float32Array(n);
  let count = 0;
  for (let q = 0; q < n; q++) if (mark[q]) { grid[q] = occ(q); count++; }
  if (!count) return 0;
  const stride = Math.max(1, Math.floor(count / 3000));
  const results: number[] = [];
  const step = 0.2, half = 6;
  let seen = 0;
  for (let q = 0; q < n; q++) {
    if (!mark[q] || seen++ % stride) continue;
    const i = q % nx, j = ((q - i) / nx) % ny, k = Math.floor(q / (nx * ny));
    if (i < 1 || j < 1 || k < 1 || i >= nx - 1 || j >= ny - 1 || k >= nz - 1) continue;
    const g: Vec3 = [
      (dHead[q + 1] - dHead[q - 1]) / (2 * sp[0]),
      (dHead[q + nx] - dHead[q - nx]) / (2 * sp[1]),
      (dHead[q + nx * ny] - dHead[q - nx * ny]) / (2 * sp[2]),
    ];
    const len = Math.hypot(...g);
    if (!(len > 0.5)) continue;
    let sum = 0;
    for (let t = -half; t <= half; t += step) {
      sum += trilinear(grid, volume.shape, i + (t * g[0]) / len / sp[0], j + (t * g[1]) / len / sp[1], k + (t * g[2]) / len / sp[2]) * step;
    }
    results.push(sum);
  }
  if (!results.length) return 0;
  // Lines through a hole's edge cross only part of the sheet: average those that cross most of it.
  results.sort((a, b) => a - b);
  const full = results[Math.floor(0.9 * (results.length - 1))];
  const kept = results.filter((x) => x >= 0.5 * full);
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

function estimateAir(v: Float32Array): number {
  const s: number[] = [];
  for (let q = 0; q < v.length; q += 13) if (v[q] < -900) s.push(v[q]);
  if (s.length < 100) return -1000;
  s.sort((a, b) => a - b);
  return s[s.length >> 1];
}

function copyGeometry(volume: Volume, data: Float32Array): Volume {
  return { ...volume, data, shape: [...volume.shape] as Vec3, spacing: [...volume.spacing] as Vec3, origin: [...volume.origin] as Vec3, direction: [...volume.direction] as Volume["direction"] };
}
