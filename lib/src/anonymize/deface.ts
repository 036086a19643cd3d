import { InvalidArgumentError } from "../core/errors";
import { faceProfile, type FaceProfile } from "../face/profile";
import { skinLevel } from "../face/skin";
import { voxelToPatient } from "../volume/volume";
import type { Mask, Vec3, Volume } from "../volume/types";
import { brainMask } from "./brain";
import { distanceTransform } from "./mask-geometry";

/** Defacing methods (see {@link deface}). */
export type DefaceMethod = "deface" | "quickshear" | "blur" | "skullstrip";

/** Options of {@link deface}. */
export interface DefaceOptions {
  /** Default "deface". */
  method?: DefaceMethod;
  /** Skin level (default: −300 HU for CT, from the histogram otherwise). */
  level?: number;
  /** Voxels inside this mask (same grid) are kept even inside the face region (e.g. a radiotherapy target). */
  protect?: Mask;
  /** `deface`/`blur`: how deep behind the skin the face region reaches below the eyes (mm, default 30). */
  depth?: number;
  /** The face location, when already known (default: `faceProfile` of the volume). */
  profile?: FaceProfile;
}

/** What {@link deface} did. */
export interface DefaceReport {
  method: DefaceMethod;
  level: number;
  voxelsChanged: number;
  /** Voxels of the face region kept because the protect mask covers them (facial tissue left). */
  protectedKept: number;
  /** Where the face region was, in patient mm (face frame: origin at the nose tip). */
  faceRegion: { noseTip: Vec3; anterior: Vec3; superior: Vec3; left: Vec3; halfWidth: number; top: number; bottom: number; depth: number } | null;
  /** The value removed voxels were set to (air in HU, the background otherwise). */
  background: number;
  timeMs: number;
  warnings: string[];
}

/** A defaced copy of the volume, the mask of changed voxels and the report. */
export interface DefaceResult {
  volume: Volume;
  changed: Mask;
  report: DefaceReport;
}

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];

function maskLike(volume: Volume, data: Uint8Array): Mask {
  return { data, shape: [...volume.shape] as Vec3, spacing: [...volume.spacing] as Vec3, origin: [...volume.origin] as Vec3, direction: [...volume.direction] as Volume["direction"] };
}

/**
 * Row by row over the voxels (x fastest): `f(q0, row, j, k)` gets the index of the row's first voxel and
 * its centre (`voxelToPatient`); voxel i of the row is at row + i·di (see {@link rowStep}), the same
 * sums in every loop here, so a voxel gets the same frame coordinates in each of them.
 */
function forEachRow(volume: Volume, f: (q0: number, row: Vec3, j: number, k: number) => void, order?: { axis: 1 | 2; down: boolean }): void {
  const [nx, ny, nz] = volume.shape;
  const visit = (j: number, k: number) => f(nx * (j + ny * k), voxelToPatient(volume, [0, j, k]), j, k);
  if (!order) { for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) visit(j, k); return; }
  // Row planes along one axis (j or k) in the order asked, the rows of each plane inside.
  const n = order.axis === 1 ? ny : nz;
  for (let t = 0; t < n; t++) {
    const u = order.down ? n - 1 - t : t;
    if (order.axis === 1) for (let k = 0; k < nz; k++) visit(u, k);
    else for (let j = 0; j < ny; j++) visit(j, u);
  }
}

/** Patient step between neighbours along i. */
function rowStep(volume: Volume): Vec3 {
  const d = volume.direction, s = volume.spacing;
  return [d[0] * s[0], d[1] * s[0], d[2] * s[0]];
}

/**
 * Narrow a row's index range [range[0], range[1]) to where lo ≤ v0 + i·dv ≤ hi can hold (a frame
 * coordinate linear along the row), one voxel wider on each side: the callers still test every voxel
 * of the range with the exact sums, so this only skips voxels that cannot pass.
 */
function clip(range: [number, number], v0: number, dv: number, lo: number, hi: number): void {
  const tol = 1e-6; // mm: far above the rounding of the exact sums, far below a voxel
  if (Math.abs(dv) < 1e-12) {
    if (v0 < lo - tol || v0 > hi + tol) range[1] = range[0];
    return;
  }
  const t0 = (lo - tol - v0) / dv, t1 = (hi + tol - v0) / dv;
  range[0] = Math.max(range[0], Math.floor(Math.min(t0, t1)) - 1);
  range[1] = Math.min(range[1], Math.ceil(Math.max(t0, t1)) + 2);
}

/**
 * The opposite of {@link clip}: narrow the range to where lo < v0 + i·dv < hi holds with room to
 * spare (1e-6 mm), so that the exact per-voxel sums satisfy it too.
 */
function inner(range: [number, number], v0: number, dv: number, lo: number, hi: number): void {
  const tol = 1e-6;
  if (Math.abs(dv) < 1e-12) {
    if (!(v0 > lo + tol && v0 < hi - tol)) range[1] = range[0];
    return;
  }
  const t0 = (lo + tol - v0) / dv, t1 = (hi - tol - v0) / dv;
  range[0] = Math.max(range[0], Math.floor(Math.min(t0, t1)) + 1);
  range[1] = Math.min(range[1], Math.ceil(Math.max(t0, t1)));
}

/**
 * Remove the face from a head CT or MRI. Methods:
 * - `deface` (default): every voxel of the face region within `depth` mm behind the anterior skin is set
 *   to the background — nose, lips, eyelids and the soft tissue and thin bone in front of the facial
 *   skeleton. The region comes from the data (the facial profile: nose tip, eyes, brow, chin, and the
 *   head's anterior, superior and left directions), so any orientation and a cut field of view work;
 *   it tapers to a few mm at the brow and never touches the brain mask.
 * - `quickshear`: one plane, tangent to the brain's convex hull on the face side, everything in front of it removed.
 * - `blur`: the face region smoothed (12 mm Gaussian) until it carries no identity, the head outline kept.
 * - `skullstrip`: everything outside the brain mask set to the background.
 * Pure: returns a new volume; the input is not modified.
 */
export function deface(volume: Volume, options: DefaceOptions = {}): DefaceResult {
  const t0 = performance.now();
  const method = options.method ?? "deface";
  if (!["deface", "quickshear", "blur", "skullstrip"].includes(method)) {
    throw new InvalidArgumentError(`unknown defacing method "${method}" (deface, quickshear, blur or skullstrip)`);
  }
  const n = volume.data.length;
  if (options.protect && options.protect.data.length !== n) {
    throw new InvalidArgumentError(`protect mask has ${options.protect.data.length} voxels, the volume ${n}: it must be on the scan's grid`);
  }
  const level = options.level ?? skinLevel(volume).level;
  const background = volume.units === "HU" ? Math.min(-1000, minOf(volume.data)) : minOf(volume.data);
  const warnings: string[] = [];
  const data = volume.data.slice();
  const changed = new Uint8Array(n);
  const brain = brainMask(volume, { level });
  const inBrain = brain.data, prot = options.protect?.data;
  let protectedKept = 0, voxelsChanged = 0; // counted as they change: each loop below visits a voxel once
  let region: DefaceReport["faceRegion"] = null;
  let brainVoxels = 0;
  for (let q = 0; q < n; q++) brainVoxels += inBrain[q];
  // Without a brain mask nothing protects the intracranial space: skull strip and quickshear, which are
  // defined by it, do nothing rather than remove the whole head or cut blind.
  if (brainVoxels === 0 && (method === "skullstrip" || method === "quickshear")) {
    warnings.push(`no brain found (${volume.units === "HU" ? "the skull does not enclose soft tissue in any plane" : "no tissue survives the erosion"}): ${method} removed nothing`);
  } else if (method === "skullstrip") {
    for (let q = 0; q < n; q++) {
      if (inBrain[q] || (prot && prot[q])) continue;
      if (data[q] !== background) { data[q] = background; changed[q] = 1; voxelsChanged++; }
    }
  } else {
    const profile = options.profile ?? faceProfile(volume, { level });
    if (!profile.found || !profile.landmarks || !profile.frame) {
      warnings.push(`no face located (${profile.evidence[profile.evidence.length - 1]}): nothing removed`);
    } else {
      const geo = faceFrame(profile, options.depth ?? 30);
      region = geo.report;
      if (method === "quickshear") {
        ({ kept: protectedKept, changed: voxelsChanged } = quickshear(volume, data, changed, brain, geo, background, options.protect));
      } else {
        const { mask: inRegion, box } = faceRegion(volume, level, geo);
        if (box) {
          // Only the region's voxel box holds region voxels.
          const blur = method === "blur" ? regionBlur(volume, 12, box) : undefined;
          const [nx, ny] = volume.shape;
          for (let k = box.lo[2]; k <= box.hi[2]; k++) for (let j = box.lo[1]; j <= box.hi[1]; j++) {
            const q0 = nx * (j + ny * k);
            let blurred: Float32Array | undefined;
            for (let i = box.lo[0]; i <= box.hi[0]; i++) {
              const q = q0 + i;
              if (!inRegion[q]) continue;
              if (inBrain[q] === 1 || (prot ? prot[q] : 0) === 1) { if (prot && prot[q] && !inBrain[q]) protectedKept++; continue; }
              if (blur) blurred ??= blur.row(j, k);
              const b = blurred ? blurred[i - box.lo[0]] : background;
              if (data[q] !== b) { data[q] = b; changed[q] = 1; voxelsChanged++; }
            }
          }
          if (method === "deface" && volume.units !== "HU") voxelsChanged += featherCut(volume, data, changed, box, inBrain, prot);
        }
      }
    }
  }
  if (protectedKept) warnings.push(`${protectedKept} voxel(s) of the face region kept because the protect mask covers them: facial tissue is left there`);
  return {
    volume: { ...volume, data, shape: [...volume.shape] as Vec3, spacing: [...volume.spacing] as Vec3, origin: [...volume.origin] as Vec3, direction: [...volume.direction] as Volume["direction"] },
    changed: maskLike(volume, changed),
    report: { method, level, voxelsChanged, protectedKept, faceRegion: region, background, timeMs: performance.now() - t0, warnings },
  };
}

/** How far behind an MRI cut its values are smoothed (mm), and by how much (σ, mm). */
const FEATHER_MM = 6, FEATHER_SIGMA_MM = 2;

/**
 * MRI: smooth the tissue just behind the cut. T1 intensities of fat and muscle cross any threshold in
 * islands, so an MRI cut left as it is shows a speckled surface at 1.5× the skin level that the
 * detectors take for texture; CT's Hounsfield units do not. Within FEATHER_MM of a removed voxel
 * (never the brain mask or the protect mask), each value becomes a σ = 2 mm Gaussian of the defaced
 * volume, so the new surface is smooth at every level. Returns the number of voxels it changed.
 */
function featherCut(volume: Volume, data: Float32Array, changed: Uint8Array, region: VoxelBox, inBrain: Uint8Array, prot: Uint8Array | undefined): number {
  const [nx, ny] = volume.shape;
  const grow = [0, 1, 2].map((a) => Math.ceil(FEATHER_MM / volume.spacing[a]));
  const lo = [0, 1, 2].map((a) => Math.max(0, region.lo[a] - grow[a])) as Vec3;
  const hi = [0, 1, 2].map((a) => Math.min(volume.shape[a] - 1, region.hi[a] + grow[a])) as Vec3;
  const bs = [0, 1, 2].map((a) => hi[a] - lo[a] + 1) as Vec3;
  const sub = new Uint8Array(bs[0] * bs[1] * bs[2]);
  for (let k = 0; k < bs[2]; k++) for (let j = 0; j < bs[1]; j++) {
    const q0 = lo[0] + nx * (lo[1] + j + ny * (lo[2] + k));
    sub.set(changed.subarray(q0, q0 + bs[0]), bs[0] * (j + bs[1] * k));
  }
  const dist = distanceTransform(sub, bs, volume.spacing);
  const smooth = regionBlur({ ...volume, data: data.slice() }, FEATHER_SIGMA_MM, { lo, hi });
  let n = 0;
  for (let k = 0; k < bs[2]; k++) for (let j = 0; j < bs[1]; j++) {
    let row: Float32Array | undefined;
    for (let i = 0; i < bs[0]; i++) {
      const d = dist[i + bs[0] * (j + bs[1] * k)];
      if (d === 0 || d > FEATHER_MM) continue;
      const q = lo[0] + i + nx * (lo[1] + j + ny * (lo[2] + k));
      if (changed[q] || inBrain[q] || (prot && prot[q])) continue;
      row ??= smooth.row(lo[1] + j, lo[2] + k);
      const b = row[i];
      if (data[q] !== b) { data[q] = b; changed[q] = 1; n++; }
    }
  }
  return n;
}

function minOf(a: Float32Array): number {
  // Four running minima: half the time of one on a large volume (independent comparisons).
  let m0 = Infinity, m1 = Infinity, m2 = Infinity, m3 = Infinity;
  let q = 0;
  for (const end = a.length - 3; q < end; q += 4) {
    const x = a[q], y = a[q + 1], z = a[q + 2], w = a[q + 3];
    if (x < m0) m0 = x;
    if (y < m1) m1 = y;
    if (z < m2) m2 = z;
    if (w < m3) m3 = w;
  }
  for (; q < a.length; q++) if (a[q] < m0) m0 = a[q];
  if (m1 < m0) m0 = m1;
  if (m2 < m0) m0 = m2;
  if (m3 < m0) m0 = m3;
  return m0;
}

interface FaceFrame {
  nose: Vec3;
  L: Vec3; A: Vec3; S: Vec3;
  /** Face region in frame coordinates (mm from the nose tip). */
  halfWidth: number; eyeHalf: number; top: number; bottom: number; eyeS: number; depth: number; topDepth: number;
  /** Nothing deeper than this (frame anterior coordinate): 35 mm behind the eyes' skin, in front of the orbits' apex. */
  floor: number;
  report: NonNullable<DefaceReport["faceRegion"]>;
}

/** The face region in the head frame: from below the chin to the brow, ±(eyes + 25 mm) left–right. */
function faceFrame(p: FaceProfile, depth: number): FaceFrame {
  const lm = p.landmarks!, f = p.frame!;
  const nose = lm.noseTip;
  const at = (v: Vec3 | undefined) => (v ? { s: dot(sub(v, nose), f.superior), l: dot(sub(v, nose), f.left) } : undefined);
  const eyes = lm.eyes?.map(at);
  const eyeS = eyes ? (eyes[0]!.s + eyes[1]!.s) / 2 : 25;
  const eyeHalf = eyes ? (Math.abs(eyes[0]!.l) + Math.abs(eyes[1]!.l)) / 2 : 32;
  const eyeA = lm.eyes ? Math.min(...lm.eyes.map((e) => dot(sub(e, nose), f.anterior))) : -30;
  const floor = eyeA - 35;
  const halfWidth = Math.max(50, eyeHalf + 25);
  const top = at(lm.brow)?.s ?? eyeS + 24;
  const chin = at(lm.chin)?.s ?? -70;
  const bottom = Math.min(chin - 20, -60);
  const topDepth = 6;
  return {
    nose, L: f.left, A: f.anterior, S: f.superior, halfWidth, eyeHalf, floor, top, bottom, eyeS, depth, topDepth,
    report: { noseTip: nose, anterior: f.anterior, superior: f.superior, left: f.left, halfWidth, top, bottom, depth },
  };
}

/** Depth of the region below the skin at height s: `depth` up to the eyes, tapering to a few mm at the brow. */
function regionDepth(g: FaceFrame, s: number, l = 0): number {
  // Beside the eyes the temporal fossa, and behind it the temporal lobe, come closer to the skin:
  // taper to 10 mm at the region's side.
  const side = Math.abs(l) <= g.eyeHalf ? 1 : Math.max(0, 1 - (Math.abs(l) - g.eyeHalf) / Math.max(1, g.halfWidth - g.eyeHalf));
  return 10 + (verticalDepth(g, s) - 10) * side;
}

function verticalDepth(g: FaceFrame, s: number): number {
  // Below the orbits no brain lies behind the face: reach 1.5× deeper there (through the maxilla and
  // the front of the nasal cavity), so that the cut exposes no orbit-and-nose pattern.
  const below = g.eyeS - 15;
  if (s <= below) return g.depth * 1.5;
  if (s <= g.eyeS) return g.depth * (1 + 0.5 * (g.eyeS - s) / 15);
  const t = Math.min(1, (s - g.eyeS) / Math.max(1, g.top - g.eyeS));
  return g.depth + (g.topDepth - g.depth) * t;
}

/** Inclusive voxel-index bounds. */
interface VoxelBox { lo: Vec3; hi: Vec3 }

/**
 * Voxels of the face region: inside the frame's box and no deeper than `regionDepth` behind the most
 * anterior skin of their (left, superior) column. The skin height map is built on a 1 mm grid. Both
 * passes visit only the part of each voxel row that can fall in the height map's grid (resp. the
 * region's box); `box` bounds the region's voxels (null: none).
 */
function faceRegion(volume: Volume, level: number, g: FaceFrame): { mask: Uint8Array; box: VoxelBox | null } {
  // Cells no smaller than a voxel: an oblique grid puts voxels of one column into a finer cell only
  // here and there, and a cell that saw only the back of the head would put the skin there.
  const cellMm = Math.max(1, ...volume.spacing);
  const W = Math.ceil(g.halfWidth / cellMm) + 1, H0 = Math.floor(g.bottom / cellMm) - 1, H1 = Math.ceil(g.top / cellMm) + 1;
  const cols = 2 * W + 1, rows = H1 - H0 + 1;
  const raw = new Float32Array(cols * rows).fill(-Infinity);
  const v = volume.data;
  const nx = volume.shape[0];
  const di = rowStep(volume);
  const [n0, n1, n2] = g.nose, [L0, L1, L2] = g.L, [S0, S1, S2] = g.S, [A0, A1, A2] = g.A;
  const dL = dot(di, g.L), dS = dot(di, g.S), dA = dot(di, g.A);
  const range: [number, number] = [0, 0];
  // The least height in each row of the map (recomputed when a cell of the row rose): a voxel row
  // whose voxels all lie behind every cell they can fall in changes nothing. Rows are taken front
  // to back, so that the skin is in the map before the head behind it is reached.
  const rowMin = new Float32Array(rows).fill(-Infinity), rowRose = new Uint8Array(rows);
  const rowsOf = (s0: number, from: number, to: number): [number, number] => {
    const sa = s0 + from * dS, sb = s0 + (to - 1) * dS;
    return [Math.max(0, Math.round(Math.min(sa, sb) / cellMm) - H0 - 1), Math.min(rows - 1, Math.round(Math.max(sa, sb) / cellMm) - H0 + 1)];
  };
  // Planes of rows from front to back: along the row axis (j or k) whose step moves most along A.
  const step = (a: 1 | 2) => dot([volume.direction[3 * a] * volume.spacing[a], volume.direction[3 * a + 1] * volume.spacing[a], volume.direction[3 * a + 2] * volume.spacing[a]], g.A);
  const axis: 1 | 2 = Math.abs(step(1)) >= Math.abs(step(2)) ? 1 : 2;
  const frontToBack = { axis, down: step(axis) > 0 };
  // Per voxel below: d = centre − nose tip, then l, s, a = d·L, d·S, d·A (the sums of `dot`).
  forEachRow(volume, (q0, row) => {
    const r = sub(row, g.nose);
    range[0] = 0; range[1] = nx;
    clip(range, dot(r, g.L), dL, (-W - 0.5) * cellMm, (W + 0.5) * cellMm);
    const s0 = dot(r, g.S);
    clip(range, s0, dS, (H0 - 0.5) * cellMm, (H1 + 0.5) * cellMm);
    if (range[0] >= range[1]) return;
    const [rA, rB] = rowsOf(s0, range[0], range[1]);
    let least = Infinity;
    for (let t = rA; t <= rB; t++) {
      if (rowRose[t]) {
        let m = Infinity;
        for (let c = t * cols; c < (t + 1) * cols; c++) if (raw[c] < m) m = raw[c];
        rowMin[t] = m; rowRose[t] = 0;
      }
      least = Math.min(least, rowMin[t]);
    }
    const a0 = dot(r, g.A);
    if (Math.max(a0 + range[0] * dA, a0 + (range[1] - 1) * dA) + 1e-6 < least) return;
    for (let i = range[0]; i < range[1]; i++) {
      const q = q0 + i;
      if (v[q] < level) continue;
      const d0 = row[0] + i * di[0] - n0, d1 = row[1] + i * di[1] - n1, d2 = row[2] + i * di[2] - n2;
      const c = Math.round((d0 * L0 + d1 * L1 + d2 * L2) / cellMm) + W, rr = Math.round((d0 * S0 + d1 * S1 + d2 * S2) / cellMm) - H0;
      if (c < 0 || rr < 0 || c >= cols || rr >= rows) continue;
      const cc = c + cols * rr;
      const a = d0 * A0 + d1 * A1 + d2 * A2;
      if (a > raw[cc]) { raw[cc] = a; rowRose[rr] = 1; }
    }
  }, frontToBack);
  // The cut follows a smoothed skin (12 mm Gaussian of the height map): a copy of the skin shifted back
  // would carve the nose's ridge and the orbits' hollows into the cut surface, a face-shaped relief the
  // detectors find again. Smoothed, the cut surface is featureless; everything in front of it goes.
  const height = smoothHeights(raw, cols, rows, 12 / cellMm);
  // A column with no tissue at all is in the region at every depth; otherwise nothing lies behind the
  // floor. Which rows of the height map hold such columns (often only those below the field of view):
  const emptyRow = new Uint8Array(rows);
  for (let c = 0; c < height.length; c++) if (height[c] === -Infinity) emptyRow[Math.floor(c / cols)] = 1;
  // The most anterior skin of each row of the map, and the least depth of the region anywhere: a voxel
  // in front of both, inside the box, is in the region without looking up its column.
  const rowMax = new Float32Array(rows).fill(-Infinity);
  for (let c = 0; c < height.length; c++) { const t = Math.floor(c / cols); if (height[c] > rowMax[t]) rowMax[t] = height[c]; }
  const minDepth = Math.min(10, g.depth, 1.5 * g.depth, g.topDepth);
  const sure: [number, number] = [0, 0];
  const out = new Uint8Array(v.length);
  const lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  forEachRow(volume, (q0, row, j, k) => {
    const r = sub(row, g.nose);
    range[0] = 0; range[1] = nx;
    clip(range, dot(r, g.L), dL, -g.halfWidth, g.halfWidth);
    const s0 = dot(r, g.S);
    clip(range, s0, dS, g.bottom, g.top);
    if (range[0] >= range[1]) return;
    // The height-map rows this part of the voxel row can fall in (one more either side): without an
    // empty column there, only voxels in front of the floor can be in the region.
    const [rA, rB] = rowsOf(s0, range[0], range[1]);
    let empty = false, front = -Infinity;
    for (let t = rA; t <= rB; t++) { if (emptyRow[t]) empty = true; front = Math.max(front, rowMax[t]); }
    const l0 = dot(r, g.L), a0 = dot(r, g.A);
    if (!empty) clip(range, a0, dA, g.floor, Infinity);
    if (range[0] >= range[1]) return;
    sure[0] = range[0]; sure[1] = range[1];
    inner(sure, l0, dL, -g.halfWidth, g.halfWidth);
    inner(sure, s0, dS, g.bottom, g.top);
    inner(sure, a0, dA, Math.max(front - minDepth, g.floor), Infinity);
    if (sure[0] >= sure[1]) sure[0] = sure[1] = range[1];
    else out.fill(1, q0 + sure[0], q0 + sure[1]);
    let first = sure[0] < sure[1] ? sure[0] : -1, last = sure[0] < sure[1] ? sure[1] - 1 : -1;
    for (let i = range[0]; i < range[1]; i++) {
      if (i === sure[0]) { i = sure[1] - 1; continue; } // filled above
      const d0 = row[0] + i * di[0] - n0, d1 = row[1] + i * di[1] - n1, d2 = row[2] + i * di[2] - n2;
      const l = d0 * L0 + d1 * L1 + d2 * L2, s = d0 * S0 + d1 * S1 + d2 * S2;
      if (Math.abs(l) > g.halfWidth || s < g.bottom || s > g.top) continue;
      const c = Math.round(l / cellMm) + W, rr = Math.round(s / cellMm) - H0;
      if (c < 0 || rr < 0 || c >= cols || rr >= rows) continue;
      const skin = height[c + cols * rr];
      // skin −Infinity: nothing but air in this column, already background
      if (skin !== -Infinity) {
        const a = d0 * A0 + d1 * A1 + d2 * A2;
        if (!(a > skin - regionDepth(g, s, l) && a > g.floor)) continue;
      }
      out[q0 + i] = 1;
      if (first < 0 || i < first) first = i;
      if (i > last) last = i;
    }
    if (first >= 0) {
      lo[0] = Math.min(lo[0], first); hi[0] = Math.max(hi[0], last);
      lo[1] = Math.min(lo[1], j); hi[1] = Math.max(hi[1], j);
      lo[2] = Math.min(lo[2], k); hi[2] = Math.max(hi[2], k);
    }
  });
  return { mask: out, box: lo[0] <= hi[0] ? { lo, hi } : null };
}

/** Normalised 2D Gaussian of a height map over its finite cells (−Infinity: no tissue, stays so). */
function smoothHeights(raw: Float32Array, cols: number, rows: number, sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(2.5 * sigma));
  const w = new Float32Array(2 * r + 1);
  for (let t = -r; t <= r; t++) w[t + r] = Math.exp(-(t * t) / (2 * sigma * sigma));
  const val = new Float32Array(raw.length), wt = new Float32Array(raw.length);
  for (let q = 0; q < raw.length; q++) if (raw[q] !== -Infinity) { val[q] = raw[q]; wt[q] = 1; }
  const pass = (src: Float32Array, step: number, len: number, other: number, stride: number) => {
    const out = new Float32Array(src.length);
    for (let o = 0; o < other; o++) for (let i = 0; i < len; i++) {
      let acc = 0;
      for (let t = -r; t <= r; t++) { const m = i + t; if (m >= 0 && m < len) acc += w[t + r] * src[o * stride + m * step]; }
      out[o * stride + i * step] = acc;
    }
    return out;
  };
  const v1 = pass(pass(val, 1, cols, rows, cols), cols, rows, cols, 1);
  const w1 = pass(pass(wt, 1, cols, rows, cols), cols, rows, cols, 1);
  const out = new Float32Array(raw.length);
  for (let q = 0; q < raw.length; q++) out[q] = raw[q] === -Infinity || w1[q] < 1e-6 ? -Infinity : v1[q] / w1[q];
  return out;
}

/**
 * Quickshear: project the brain mask onto the mid-sagittal plane (anterior, superior), take the convex
 * hull's face-side chain, and cut along the hull edge in front of the eyes, extended into a plane
 * across the head: everything anterior to it (2 mm clear of the brain) becomes background.
 */
function quickshear(volume: Volume, data: Float32Array, changed: Uint8Array, brain: Mask, g: FaceFrame, background: number, protect?: Mask): { kept: number; changed: number } {
  const nx = volume.shape[0];
  const di = rowStep(volume);
  const [n0, n1, n2] = g.nose, [S0, S1, S2] = g.S, [A0, A1, A2] = g.A;
  // Upper hull in (s → a): for each height (1 mm bins of s), the most anterior brain point; then its
  // convex hull on the anterior side. The heights span the volume's corners.
  let sLo = Infinity, sHi = -Infinity;
  for (const i of [0, nx - 1]) for (const j of [0, volume.shape[1] - 1]) for (const k of [0, volume.shape[2] - 1]) {
    const s = dot(sub(voxelToPatient(volume, [i, j, k]), g.nose), g.S);
    sLo = Math.min(sLo, s); sHi = Math.max(sHi, s);
  }
  const k0 = Math.round(sLo) - 2;
  const front = new Float64Array(Math.round(sHi) + 3 - k0).fill(-Infinity);
  const inBrain = brain.data; // 0 or 1
  let count = 0;
  // Runs of brain voxels in index order (rows come in index order): the typed array's own search
  // skips the gaps between them.
  let next = inBrain.indexOf(1);
  forEachRow(volume, (q0, row) => {
    const end = q0 + nx;
    while (next >= 0 && next < end) {
      let q = next;
      for (; q < end && inBrain[q]; q++) {
        const i = q - q0;
        const d0 = row[0] + i * di[0] - n0, d1 = row[1] + i * di[1] - n1, d2 = row[2] + i * di[2] - n2;
        const a = d0 * A0 + d1 * A1 + d2 * A2, t = Math.round(d0 * S0 + d1 * S1 + d2 * S2) - k0;
        if (a > front[t]) front[t] = a;
        count++;
      }
      next = inBrain.indexOf(1, q);
    }
  });
  if (count < 3) return { kept: 0, changed: 0 };
  const prof: [number, number][] = [];
  for (let t = 0; t < front.length; t++) if (front[t] !== -Infinity) prof.push([t + k0, front[t]]);
  const hull: [number, number][] = [];
  for (const pt of prof) {
    while (hull.length >= 2) {
      const [s1, a1] = hull[hull.length - 2], [s2, a2] = hull[hull.length - 1];
      // keep the chain convex towards +a (anterior): drop the middle point when it lies behind the chord
      if ((a2 - a1) * (pt[0] - s1) - (pt[1] - a1) * (s2 - s1) <= 0) hull.pop();
      else break;
    }
    hull.push(pt);
  }
  // The hull edge spanning the eyes' height (or the lowest edge when the brain lies wholly above them).
  let e = hull.findIndex((h, i) => i + 1 < hull.length && h[0] <= g.eyeS && hull[i + 1][0] >= g.eyeS);
  if (e < 0) e = 0;
  const [s1, a1] = hull[e], [s2, a2] = hull[Math.min(e + 1, hull.length - 1)];
  const slope = s2 !== s1 ? (a2 - a1) / (s2 - s1) : 0;
  // Removed: a > line(s) = a1 + slope·(s − s1) + 2, i.e. a − slope·s above a constant (linear along a row).
  const dF = dot(di, g.A) - slope * dot(di, g.S), cut = a1 - slope * s1 + 2;
  // Far (in mm) above the difference between the exact per-voxel sums and the linear form along a row.
  const tol = 1e-6 * (1 + Math.abs(slope));
  const range: [number, number] = [0, 0], sure: [number, number] = [0, 0];
  const prot = protect?.data;
  let kept = 0, removed = 0;
  forEachRow(volume, (q0, row) => {
    const r = sub(row, g.nose), f0 = dot(r, g.A) - slope * dot(r, g.S);
    range[0] = 0; range[1] = nx;
    clip(range, f0, dF, cut, Infinity);
    // Voxels whose linear form is clearly in front of the plane pass the exact test too; only the
    // others (a voxel or two at the plane) need it.
    sure[0] = range[0]; sure[1] = range[1];
    if (Math.abs(dF) < 1e-12) { if (!(f0 > cut + tol)) sure[1] = sure[0]; }
    else {
      const t = (cut + tol - f0) / dF;
      if (dF > 0) sure[0] = Math.max(sure[0], Math.ceil(t) + 1);
      else sure[1] = Math.min(sure[1], Math.floor(t));
    }
    if (sure[0] >= sure[1]) sure[0] = sure[1] = range[1];
    for (let i = range[0]; i < range[1]; i++) {
      if (i === sure[0]) { i = sure[1] - 1; continue; } // after this loop
      const d0 = row[0] + i * di[0] - n0, d1 = row[1] + i * di[1] - n1, d2 = row[2] + i * di[2] - n2;
      if (d0 * A0 + d1 * A1 + d2 * A2 <= a1 + slope * ((d0 * S0 + d1 * S1 + d2 * S2) - s1) + 2) continue;
      removeAt(q0 + i);
    }
    for (let i = sure[0]; i < sure[1]; i++) removeAt(q0 + i);
  });
  function removeAt(q: number): void {
    if (inBrain[q]) return;
    if (prot && prot[q]) { kept++; return; }
    if (data[q] !== background) { data[q] = background; changed[q] = 1; removed++; }
  }
  return { kept, changed: removed };
}

/** Grid (mm) of the blur: a cell is a whole number of voxels along each axis, about this size. */
const BLUR_CELL = 2;

/**
 * Gaussian blur (σ in mm, replicated edges, kernels cut at 3σ like a separable per-voxel blur) of the
 * volume where it is read: the voxel box `box`, padded by the kernel's reach. The box is averaged into
 * cells of ≈ 2 mm (whole voxels; outside the volume the edge voxels repeat), blurred there with σ in
 * cells, and read back by trilinear interpolation at each voxel centre, one voxel row at a time
 * (`row(j, k)`: the values at i = box.lo[0] … box.hi[0]). Against the exact Gaussian on the voxel grid
 * this differs by the cell average and the interpolation (variance ≈ cell²/4 next to σ² = 144 mm²):
 * over the face region of the shipped CT by at most 2.3 HU (mean 0.6 HU), of the CT resampled to
 * 512×512×300 by at most 3.4 HU; on the shipped MRI (1.6 mm voxels: cells of one voxel) not at all.
 */
function regionBlur(volume: Volume, sigmaMm: number, box: VoxelBox): { row: (j: number, k: number) => Float32Array } {
  const [nx, ny] = volume.shape;
  const v = volume.data;
  const f = [0, 1, 2].map((a) => Math.max(1, Math.round(BLUR_CELL / volume.spacing[a])));
  const pad = [0, 1, 2].map((a) => Math.ceil(3 * sigmaMm / volume.spacing[a]) + f[a]);
  const lo = [0, 1, 2].map((a) => box.lo[a] - pad[a]);
  const m = [0, 1, 2].map((a) => Math.ceil((box.hi[a] + pad[a] - lo[a] + 1) / f[a])) as Vec3;
  const [mx, my, mz] = m;
  // Fine index of every cell's voxels along each axis, clamped into the volume (replicated edges).
  const taps = (a: number) => Int32Array.from({ length: m[a] * f[a] }, (_, t) => Math.min(volume.shape[a] - 1, Math.max(0, lo[a] + t)));
  const X = taps(0), Y = taps(1), Z = taps(2);
  // Cells whose x-taps all lie inside the volume read a contiguous run.
  const inside = (cx: number) => lo[0] + cx * f[0] >= 0 && lo[0] + (cx + 1) * f[0] - 1 <= nx - 1;
  let cxA = 0;
  while (cxA < mx && !inside(cxA)) cxA++;
  let cxB = cxA;
  while (cxB < mx && inside(cxB)) cxB++;
  const cells = new Float32Array(mx * my * mz);
  const sums = new Float64Array(mx);
  const f0 = f[0], per = f[0] * f[1] * f[2];
  // A row (plane) of cells beyond an edge of the volume reads the same voxels as the one before it
  // (taps non-decreasing: the first of the previous cell equals the last of this one): a copy.
  const same = (T: Int32Array, fa: number, c: number) => c > 0 && T[(c - 1) * fa] === T[c * fa + fa - 1];
  for (let cz = 0; cz < mz; cz++) for (let cy = 0; cy < my; cy++) {
    const out = mx * (cy + my * cz);
    if (cy === 0 && same(Z, f[2], cz)) { cells.copyWithin(out, out - mx * my, out); cy = my - 1; continue; }
    if (same(Y, f[1], cy)) { cells.copyWithin(out, out - mx, out); continue; }
    sums.fill(0);
    for (let tz = 0; tz < f[2]; tz++) for (let ty = 0; ty < f[1]; ty++) {
      const base = nx * (Y[cy * f[1] + ty] + ny * Z[cz * f[2] + tz]);
      for (let cx = 0; cx < mx; cx++) {
        let acc = 0;
        if (cx >= cxA && cx < cxB) {
          const p = base + lo[0] + cx * f0;
          for (let tx = 0; tx < f0; tx++) acc += v[p + tx];
        } else {
          for (let t = cx * f0; t < (cx + 1) * f0; t++) acc += v[base + X[t]];
        }
        sums[cx] += acc;
      }
    }
    for (let cx = 0; cx < mx; cx++) cells[out + cx] = sums[cx] / per;
  }
  const blurred = blur3(cells, m, [0, 1, 2].map((a) => sigmaMm / (f[a] * volume.spacing[a])) as Vec3);
  // Trilinear weights (clamped to the grid, as `trilinear`): cell c's centre is at fine index lo + c·f + (f − 1)/2.
  const axis = (a: number, from: number, to: number) => {
    const n = to - from + 1, i0 = new Int32Array(n), w = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      const fc = Math.min(Math.max((from + t - lo[a] - (f[a] - 1) / 2) / f[a], 0), m[a] - 1);
      i0[t] = Math.min(Math.floor(fc), Math.max(0, m[a] - 2));
      w[t] = fc - i0[t];
    }
    return { i0, w };
  };
  const WX = axis(0, box.lo[0], box.hi[0]), WY = axis(1, box.lo[1], box.hi[1]), WZ = axis(2, box.lo[2], box.hi[2]);
  const line = new Float64Array(mx), out = new Float32Array(box.hi[0] - box.lo[0] + 1);
  const xLo = WX.i0[0], xHi = Math.min(mx - 1, WX.i0[out.length - 1] + 1);
  return {
    row(j, k) {
      const ty = j - box.lo[1], tz = k - box.lo[2];
      const y0 = WY.i0[ty], y1 = Math.min(y0 + 1, my - 1), wy = WY.w[ty];
      const z0 = WZ.i0[tz], z1 = Math.min(z0 + 1, mz - 1), wz = WZ.w[tz];
      const r00 = mx * (y0 + my * z0), r10 = mx * (y1 + my * z0), r01 = mx * (y0 + my * z1), r11 = mx * (y1 + my * z1);
      for (let cx = xLo; cx <= xHi; cx++) {
        line[cx] = (blurred[r00 + cx] * (1 - wy) + blurred[r10 + cx] * wy) * (1 - wz) + (blurred[r01 + cx] * (1 - wy) + blurred[r11 + cx] * wy) * wz;
      }
      for (let t = 0; t < out.length; t++) {
        const x0 = WX.i0[t], x1 = Math.min(x0 + 1, mx - 1), wx = WX.w[t];
        out[t] = line[x0] * (1 - wx) + line[x1] * wx;
      }
      return out;
    },
  };
}

/** Separable Gaussian (σ per axis in cells, kernel cut at 3σ and normalised, replicated edges) of a grid; `src` is overwritten. */
function blur3(src: Float32Array, shape: Vec3, sigma: Vec3): Float32Array {
  const strides = [1, shape[0], shape[0] * shape[1]];
  let a = src, b = new Float32Array(src.length);
  for (let axis = 0; axis < 3; axis++) {
    const r = Math.max(1, Math.ceil(3 * sigma[axis]));
    const w = new Float64Array(2 * r + 1);
    let sum = 0;
    for (let t = -r; t <= r; t++) { w[t + r] = Math.exp(-(t * t) / (2 * sigma[axis] ** 2)); sum += w[t + r]; }
    for (let t = 0; t < w.length; t++) w[t] /= sum;
    const len = shape[axis], st = strides[axis];
    // The line with r replicated samples before and after it: no clamping in the kernel loop.
    const line = new Float64Array(len + 2 * r);
    const [p, o] = [0, 1, 2].filter((x) => x !== axis);
    for (let u = 0; u < shape[o]; u++) for (let t = 0; t < shape[p]; t++) {
      const base = u * strides[o] + t * strides[p];
      for (let x = 0; x < len; x++) line[x + r] = a[base + x * st];
      line.fill(line[r], 0, r);
      line.fill(line[r + len - 1], r + len);
      for (let x = 0; x < len; x++) {
        let acc = 0;
        for (let d = 0; d <= 2 * r; d++) acc += w[d] * line[x + d];
        b[base + x * st] = acc;
      }
    }
    [a, b] = [b, a];
  }
  return a;
}
