import { InvalidArgumentError } from "../core/errors";
import { faceProfile, type FaceProfile } from "../face/profile";
import { skinLevel } from "../face/skin";
import { voxelToPatient } from "../volume/volume";
import type { Mask, Vec3, Volume } from "../volume/types";
import { brainMask } from "./brain";

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

/** Patient coordinates of every voxel centre, computed incrementally (x fastest). */
function forEachVoxel(volume: Volume, f: (q: number, p: Vec3) => void): void {
  const [nx, ny, nz] = volume.shape;
  const d = volume.direction, s = volume.spacing;
  const di: Vec3 = [d[0] * s[0], d[1] * s[0], d[2] * s[0]];
  const p: Vec3 = [0, 0, 0];
  let q = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) {
    const row = voxelToPatient(volume, [0, j, k]);
    for (let i = 0; i < nx; i++, q++) {
      p[0] = row[0] + i * di[0]; p[1] = row[1] + i * di[1]; p[2] = row[2] + i * di[2];
      f(q, p);
    }
  }
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
  const data = Float32Array.from(volume.data);
  const changed = new Uint8Array(n);
  const brain = brainMask(volume, { level });
  const keep = (q: number) => brain.data[q] === 1 || (options.protect?.data[q] ?? 0) === 1;
  let protectedKept = 0;
  let region: DefaceReport["faceRegion"] = null;

  if (method === "skullstrip") {
    for (let q = 0; q < n; q++) {
      if (brain.data[q] || options.protect?.data[q]) continue;
      if (data[q] !== background) { data[q] = background; changed[q] = 1; }
    }
  } else {
    const profile = options.profile ?? faceProfile(volume, { level });
    if (!profile.found || !profile.landmarks || !profile.frame) {
      warnings.push(`no face located (${profile.evidence[profile.evidence.length - 1]}): nothing removed`);
    } else {
      const geo = faceFrame(profile, options.depth ?? 30);
      region = geo.report;
      if (method === "quickshear") {
        protectedKept = quickshear(volume, data, changed, brain, geo, background, options.protect);
      } else {
        const inRegion = faceRegion(volume, level, geo);
        if (method === "deface") {
          for (let q = 0; q < n; q++) {
            if (!inRegion[q]) continue;
            if (keep(q)) { if (options.protect?.data[q] && !brain.data[q]) protectedKept++; continue; }
            if (data[q] !== background) { data[q] = background; changed[q] = 1; }
          }
        } else {
          const blurred = gaussianBlur(volume, 12);
          for (let q = 0; q < n; q++) {
            if (!inRegion[q]) continue;
            if (keep(q)) { if (options.protect?.data[q] && !brain.data[q]) protectedKept++; continue; }
            if (data[q] !== blurred[q]) { data[q] = blurred[q]; changed[q] = 1; }
          }
        }
      }
    }
  }
  let voxelsChanged = 0;
  for (let q = 0; q < n; q++) voxelsChanged += changed[q];
  if (protectedKept) warnings.push(`${protectedKept} voxel(s) of the face region kept because the protect mask covers them: facial tissue is left there`);
  return {
    volume: { ...volume, data, shape: [...volume.shape] as Vec3, spacing: [...volume.spacing] as Vec3, origin: [...volume.origin] as Vec3, direction: [...volume.direction] as Volume["direction"] },
    changed: maskLike(volume, changed),
    report: { method, level, voxelsChanged, protectedKept, faceRegion: region, background, timeMs: performance.now() - t0, warnings },
  };
}

function minOf(a: Float32Array): number {
  let m = Infinity;
  for (let q = 0; q < a.length; q++) if (a[q] < m) m = a[q];
  return m;
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

/**
 * Voxels of the face region: inside the frame's box and no deeper than `regionDepth` behind the most
 * anterior skin of their (left, superior) column. The skin height map is built on a 1 mm grid.
 */
function faceRegion(volume: Volume, level: number, g: FaceFrame): Uint8Array {
  // Cells no smaller than a voxel: an oblique grid puts voxels of one column into a finer cell only
  // here and there, and a cell that saw only the back of the head would put the skin there.
  const cellMm = Math.max(1, ...volume.spacing);
  const W = Math.ceil(g.halfWidth / cellMm) + 1, H0 = Math.floor(g.bottom / cellMm) - 1, H1 = Math.ceil(g.top / cellMm) + 1;
  const cols = 2 * W + 1, rows = H1 - H0 + 1;
  const raw = new Float32Array(cols * rows).fill(-Infinity);
  const v = volume.data;
  const cell = (l: number, s: number) => {
    const c = Math.round(l / cellMm) + W, r = Math.round(s / cellMm) - H0;
    return c < 0 || r < 0 || c >= cols || r >= rows ? -1 : c + cols * r;
  };
  forEachVoxel(volume, (q, p) => {
    if (v[q] < level) return;
    const d = sub(p, g.nose);
    const c = cell(dot(d, g.L), dot(d, g.S));
    if (c < 0) return;
    const a = dot(d, g.A);
    if (a > raw[c]) raw[c] = a;
  });
  // The cut follows a smoothed skin (12 mm Gaussian of the height map): a copy of the skin shifted back
  // would carve the nose's ridge and the orbits' hollows into the cut surface, a face-shaped relief the
  // detectors find again. Smoothed, the cut surface is featureless; everything in front of it goes.
  const height = smoothHeights(raw, cols, rows, 12 / cellMm);
  const out = new Uint8Array(v.length);
  forEachVoxel(volume, (q, p) => {
    const d = sub(p, g.nose);
    const l = dot(d, g.L), s = dot(d, g.S);
    if (Math.abs(l) > g.halfWidth || s < g.bottom || s > g.top) return;
    const c = cell(l, s);
    if (c < 0) return;
    const skin = height[c];
    if (skin === -Infinity) { out[q] = 1; return; } // nothing but air in this column: already background
    const a = dot(d, g.A);
    if (a > skin - regionDepth(g, s, l) && a > g.floor) out[q] = 1;
  });
  return out;
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
function quickshear(volume: Volume, data: Float32Array, changed: Uint8Array, brain: Mask, g: FaceFrame, background: number, protect?: Mask): number {
  const pts: [number, number][] = [];
  forEachVoxel(volume, (q, p) => {
    if (!brain.data[q]) return;
    const d = sub(p, g.nose);
    pts.push([dot(d, g.A), dot(d, g.S)]);
  });
  if (pts.length < 3) return 0;
  // Upper hull in (s → a): for each height, the most anterior brain point; then its convex hull on the anterior side.
  const byS = new Map<number, number>();
  for (const [a, s] of pts) { const k = Math.round(s); if (!(byS.get(k)! >= a)) byS.set(k, a); }
  const prof = [...byS.entries()].sort((x, y) => x[0] - y[0]).map(([s, a]) => [s, a] as [number, number]);
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
  const line = (s: number) => a1 + slope * (s - s1) + 2;
  let kept = 0;
  forEachVoxel(volume, (q, p) => {
    const d = sub(p, g.nose);
    if (dot(d, g.A) <= line(dot(d, g.S))) return;
    if (brain.data[q]) return;
    if (protect?.data[q]) { kept++; return; }
    if (data[q] !== background) { data[q] = background; changed[q] = 1; }
  });
  return kept;
}

/** Separable Gaussian blur (sigma in mm) of the whole volume; returns the blurred values. */
function gaussianBlur(volume: Volume, sigmaMm: number): Float32Array {
  const [nx, ny, nz] = volume.shape;
  let src = Float32Array.from(volume.data);
  let dst = new Float32Array(src.length);
  const strides = [1, nx, nx * ny];
  for (let axis = 0; axis < 3; axis++) {
    const sigma = sigmaMm / volume.spacing[axis];
    const r = Math.max(1, Math.ceil(3 * sigma));
    const w = new Float32Array(2 * r + 1);
    let sum = 0;
    for (let t = -r; t <= r; t++) { w[t + r] = Math.exp(-(t * t) / (2 * sigma * sigma)); sum += w[t + r]; }
    for (let t = 0; t < w.length; t++) w[t] /= sum;
    const len = volume.shape[axis], st = strides[axis];
    for (let q = 0; q < src.length; q++) {
      const idx = Math.floor(q / st) % len;
      let acc = 0;
      for (let t = -r; t <= r; t++) {
        const m = Math.min(len - 1, Math.max(0, idx + t));
        acc += w[t + r] * src[q + (m - idx) * st];
      }
      dst[q] = acc;
    }
    [src, dst] = [dst, src];
  }
  return src;
}
