/**
 * The face found without any 2D model: the facial profile on the skin surface of the volume.
 * Steps (all in patient LPS millimetres, any voxel orientation):
 *  1. the head: the largest 6-connected component of the voxels above the skin level, on a 3 mm
 *     patient-aligned grid;
 *  2. the mid-sagittal plane: the plane that best mirrors the head's boundary onto itself
 *     (grid search over yaw, roll and offset, then a finer one);
 *  3. a depth map of the skin seen from the front: rays along the anterior direction (patient −y,
 *     made perpendicular to the plane's normal) every 1 mm, each stopping at the first sample
 *     above the level inside the head, refined to the linear crossing;
 *  4. the profile: the most anterior depth within 6 mm of the plane, at each height;
 *  5. the nose tip: a local maximum of the profile that protrudes like a nose: 12–50 mm in front
 *     of the cheeks 30 mm to either side, ≥ 5 mm in front of the skin 16 mm to either side (a nose
 *     is narrow; no sphere satisfies both: the first needs a radius > 30 mm, the second < 28 mm),
 *     and ≥ 8 mm in front of the profile below it (subnasale) or above it (sellion), whichever the
 *     field of view holds. The bounds come from adult anthropometry (nasal tip projection ≈ 20–30
 *     mm, alar half-width ≈ 17 mm), not from fitting the shipped scans (see README: one change);
 *  6. brow, sellion, subnasale, mouth, lips and chin as the extrema of the profile around the tip; the
 *     eyes 32 mm to either side of the plane, just below the sellion.
 */
import { InvalidArgumentError } from "../core/errors";
import type { Vec3, Volume } from "../volume/types";
import type { Mesh } from "../surface/types";
import { patientBounds } from "../volume/volume";
import { skinLevel } from "./skin";

/** Landmarks of the face, in patient LPS millimetres. */
export interface ProfileLandmarks {
  noseTip: Vec3;
  /** Glabella: the most anterior point of the brow above the sellion. */
  brow?: Vec3;
  /** Sellion: the deepest point of the nasal bridge between brow and nose tip. */
  sellion?: Vec3;
  /** Subnasale: the corner between the nose and the upper lip (deepest under the tip–lip chord), or a dip under the tip. */
  subnasale?: Vec3;
  /** The most anterior point of the lips. */
  lips?: Vec3;
  /** Pogonion: the most anterior point of the chin below the lips. */
  chin?: Vec3;
  /** Estimated eye positions on the skin: 32 mm to the right and left of the plane, 8 mm below the sellion. [right, left]. */
  eyes?: [Vec3, Vec3];
}

/** `faceProfile` result. */
export interface FaceProfile {
  /** Whether a face (a nose-shaped protrusion on the anterior mid-line) was found. */
  found: boolean;
  /** 0–1, ≥ 0.5 exactly when found: how clearly the shape tests pass (a heuristic, not a probability). */
  score: number;
  /** The skin level used (null for a mesh), and how it was chosen. */
  level: number | null;
  levelHow: string;
  /** Present when found. */
  landmarks?: ProfileLandmarks;
  /** The face region in patient mm when found: axis-aligned bounds of `corners`. */
  box3d?: { min: Vec3; max: Vec3; corners: Vec3[] };
  /** The head frame used: unit vectors in patient space. */
  frame?: { left: Vec3; anterior: Vec3; superior: Vec3; origin: Vec3 };
  /** The mid-sagittal plane: a point on it, its unit normal, and the fraction of the head's boundary it mirrors onto itself. */
  midSagittal?: { point: Vec3; normal: Vec3; symmetry: number };
  /** The mid-line profile in the head frame (mm): at each height `superior[t]`, the skin's anterior coordinate (NaN: none). */
  profile?: { superior: number[]; anterior: number[] };
  /** Whether the nose tip lies on the edge of the field of view (the true tip may be cut off). */
  tipAtFieldEdge?: boolean;
  /** Sentences saying what was found and why (or why not). */
  evidence: string[];
}

/** Options for `faceProfile`. */
export interface FaceProfileOptions {
  /** Skin/air isosurface level; default `skinLevel(volume)` (−300 for CT, Otsu for MRI). */
  level?: number;
}

const COARSE = 3; // mm, grid of the head mask and the symmetry search
const RAY = 1; // mm, spacing of the depth-map rays and of the samples along them
const HALF_WIDTH = 80; // mm, depth map ± this far from the plane
const NEAR_PLANE = 6; // mm, the profile takes the most anterior skin this close to the plane
const CHEEK = 30; // mm, where the cheeks are sampled
const NARROW = 16; // mm, where the nose must already have fallen away (the alar base: lobule half-width ≈ 17 mm)
const PROTRUSION_MIN = 12, PROTRUSION_MAX = 50, NARROW_MIN = 5, DROP_MIN = 8; // mm

/**
 * Find the face on the skin surface of a head from its facial profile (no 2D model): a volume (at
 * `level`, default `skinLevel`) or a skin mesh in patient mm (e.g. `marchingCubes` output).
 */
export function faceProfile(input: Volume | Mesh, options: FaceProfileOptions = {}): FaceProfile {
  if (isMesh(input)) return meshProfile(input, options);
  const volume = input;
  const sh = volume?.shape;
  if (!volume || !(volume.data instanceof Float32Array) || !sh || sh.length !== 3 || !sh.every((n) => Number.isInteger(n) && n > 0) || volume.data.length !== sh[0] * sh[1] * sh[2]) {
    throw new InvalidArgumentError(`faceProfile: not a volume or mesh (expected a Float32Array of shape[0]·shape[1]·shape[2] values, got ${volume?.data?.length} for [${sh?.join(", ")}])`);
  }
  if (!volume.spacing?.every((x) => x > 0 && Number.isFinite(x))) throw new InvalidArgumentError(`faceProfile: voxel spacing must be positive, got [${volume.spacing?.join(", ")}]`);
  const sl = skinLevel(volume, { level: options.level });
  const level = sl.level;
  const evidence: string[] = [`skin level ${fmt(level)} (${sl.how})`];
  const sampler = makeSampler(volume);

  // 1. The head on a coarse patient-aligned grid.
  const head = headMask(volume, sampler, level);
  if (!head) return notFound(level, sl.how, [...evidence, "no voxel above the skin level: no head, no face"]);
  const headMl = (head.count * COARSE ** 3) / 1000;
  evidence.push(`head: largest connected component above the level, ${headMl.toFixed(0)} ml on a ${COARSE} mm grid`);
  if (headMl < 50) return notFound(level, sl.how, [...evidence, `the largest component above the level is only ${headMl.toFixed(0)} ml: too small for a head`]);
  return profileOf(head, level, sl.how, evidence, (O, L, A, S, ext) => depthMap(sampler, head, level, O, L, A, S, ext));
}

function notFound(level: number | null, levelHow: string, evidence: string[]): FaceProfile {
  return { found: false, score: 0, level, levelHow, evidence };
}

function isMesh(x: unknown): x is Mesh {
  return !!x && (x as Mesh).positions instanceof Float32Array && (x as Mesh).triangles instanceof Uint32Array;
}

/** The mesh path: its surface is the skin; the head is the largest connected part of the surface's voxels. */
function meshProfile(mesh: Mesh, options: FaceProfileOptions): FaceProfile {
  if (options.level !== undefined) throw new InvalidArgumentError("faceProfile: level applies to a volume; a mesh is already the skin surface");
  const how = "a mesh: its surface is taken as the skin";
  const evidence = [how];
  if (mesh.triangles.length === 0) return notFound(null, how, [...evidence, "the mesh has no triangles: no head, no face"]);
  const head = headFromMesh(mesh);
  const extentMl = (head.count * COARSE ** 3) / 1000;
  evidence.push(`head: largest connected part of the surface, ${head.count} cells of ${COARSE} mm`);
  if (extentMl < 5) return notFound(null, how, [...evidence, "the surface is too small for a head"]);
  return profileOf(head, null, how, evidence, (O, L, A, S, ext) => rasterDepth(mesh, head, O, L, A, S, ext));
}

type DepthFn = (O: Vec3, L: Vec3, A: Vec3, S: Vec3, ext: { vMin: number; vMax: number; wMin: number; wMax: number }) => DepthMap;

/** Steps 2–6, shared by volumes and meshes. */
function profileOf(head: Head, level: number | null, levelHow: string, evidence: string[], makeDepth: DepthFn): FaceProfile {
  const no = (why: string, extra: Partial<FaceProfile> = {}): FaceProfile => ({ ...notFound(level, levelHow, [...evidence, why]), ...extra });
  // 2. Mid-sagittal plane.
  const plane = symmetryPlane(head);
  evidence.push(`mid-sagittal plane: normal (${plane.normal.map((x) => x.toFixed(3)).join(", ")}), mirrors ${(plane.symmetry * 100).toFixed(0)} % of the head's boundary onto itself`);

  // 3. Head frame and depth map.
  const L = plane.normal;
  const S = normalize(sub([0, 0, 1], scale(L, L[2])));
  let A = cross(L, S);
  if (A[1] > 0) A = scale(A, -1); // anterior is patient −y (LPS)
  const O = plane.point;
  const ext = frameExtent(head, O, L, A, S);
  const depth = makeDepth(O, L, A, S, ext);
  const frame = { left: L, anterior: A, superior: S, origin: O };
  const midSagittal = { point: O, normal: L, symmetry: plane.symmetry };
  const geometry = { frame, midSagittal };
  const at = (u: number, w: number): Vec3 => add(add(O, scale(L, u)), add(scale(A, depth.get(u, w)), scale(S, w)));

  // 4. Profile near the plane.
  const { nw, w0 } = depth;
  const prof = new Float64Array(nw).fill(NaN);
  const profU = new Float64Array(nw);
  for (let t = 0; t < nw; t++) {
    for (let du = -NEAR_PLANE; du <= NEAR_PLANE; du += RAY) {
      const v = depth.get(du, w0 + t * RAY);
      if (v > prof[t] || (Number.isNaN(prof[t]) && !Number.isNaN(v))) { prof[t] = v; profU[t] = du; }
    }
  }
  const profile = { superior: Array.from(prof, (_, t) => w0 + t * RAY), anterior: Array.from(prof) };
  const P = (w: number): number => { const t = Math.round((w - w0) / RAY); return t >= 0 && t < nw ? prof[t] : NaN; };

  // 5. Nose-tip candidates: local maxima of the profile (±10 mm), tested for a nose's shape.
  interface Candidate { t: number; w: number; u: number; v: number; lateral: number; narrow: number; below?: number; above?: number; pass: boolean; score: number; why: string }
  const cands: Candidate[] = [];
  for (let t = 0; t < nw; t++) {
    const v = prof[t];
    if (Number.isNaN(v)) continue;
    let isMax = true;
    for (let s = Math.max(0, t - 10); s <= Math.min(nw - 1, t + 10) && isMax; s++) if (prof[s] > v) isMax = false;
    if (!isMax) continue;
    // A plateau gives runs of equal maxima: keep the first of a run.
    if (t > 0 && prof[t - 1] === v) continue;
    const w = w0 + t * RAY, u = profU[t];
    const cl = depth.get(u - CHEEK, w), cr = depth.get(u + CHEEK, w);
    const nl = depth.get(u - NARROW, w), nr = depth.get(u + NARROW, w);
    const lateral = v - (cl + cr) / 2;
    const narrow = v - Math.max(nl, nr);
    const below = dropIn(P, v, w - 25, w - 8);
    const above = dropIn(P, v, w + 15, w + 50);
    const reasons: string[] = [];
    if (Number.isNaN(cl) || Number.isNaN(cr)) reasons.push(`no skin ${CHEEK} mm to ${Number.isNaN(cl) && Number.isNaN(cr) ? "either side" : "one side"} (no cheeks)`);
    else if (lateral < PROTRUSION_MIN) reasons.push(`only ${lateral.toFixed(1)} mm in front of the cheeks (a nose: ≥ ${PROTRUSION_MIN})`);
    else if (lateral > PROTRUSION_MAX) reasons.push(`${lateral.toFixed(1)} mm in front of the cheeks (a nose: ≤ ${PROTRUSION_MAX})`);
    if (!(narrow >= NARROW_MIN)) reasons.push(`${Number.isNaN(narrow) ? "no skin" : narrow.toFixed(1) + " mm"} in front of the skin ${NARROW} mm to the side (a nose is narrow: ≥ ${NARROW_MIN})`);
    if (below === undefined && above === undefined) reasons.push("no profile above or below it");
    else if (!((below ?? -1) >= DROP_MIN || (above ?? -1) >= DROP_MIN)) reasons.push(`the profile recedes only ${fmtOpt(below)} mm below and ${fmtOpt(above)} mm above it (a nose: ≥ ${DROP_MIN} on one side)`);
    const parts = [clamp01((lateral - 8) / 12), clamp01((narrow - 2) / 8)];
    if (below !== undefined) parts.push(clamp01((below - 4) / 10));
    if (above !== undefined) parts.push(clamp01((above - 4) / 10));
    const quality = parts.reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0) / parts.length;
    const pass = reasons.length === 0;
    cands.push({ t, w, u, v, lateral, narrow, below, above, pass, score: pass ? 0.5 + 0.5 * quality : 0.49 * quality, why: reasons.join("; ") });
  }
  if (cands.length === 0) return no("the depth map along the anterior direction is empty: no skin seen from the front", { ...geometry, profile });
  cands.sort((a, b) => Number(b.pass) - Number(a.pass) || b.score - a.score || b.v - a.v);
  const best = cands[0];
  const bestAt = at(best.u, best.w);
  const describe = (c: Candidate) =>
    `${fmt(c.lateral)} mm in front of the cheeks, ${fmt(c.narrow)} mm in front of the skin ${NARROW} mm aside, profile receding ${fmtOpt(c.below)} mm below and ${fmtOpt(c.above)} mm above`;
  if (!best.pass) {
    const score = best.score;
    return {
      found: false, score, level, levelHow, ...geometry, profile,
      evidence: [...evidence, `${cands.length} local maxima of the mid-line profile, none shaped like a nose; the most nose-like, at (${bestAt.map(fmt).join(", ")}) mm: ${best.why}`],
    };
  }

  // 6. Landmarks along the profile. The tip: the middle of the profile's top (within 0.5 mm of the
  // maximum) — one point for a rounded nose, the centre of the flat face of a nose cut by the field of view.
  let top0 = best.t, top1 = best.t;
  while (top0 > 0 && prof[top0 - 1] >= best.v - 0.5) top0--;
  while (top1 < nw - 1 && prof[top1 + 1] >= best.v - 0.5) top1++;
  const tipT = Math.round((top0 + top1) / 2);
  const tipW = w0 + tipT * RAY;
  best.u = profU[tipT];
  const noseTip = at(best.u, tipW);
  const lm: ProfileLandmarks = { noseTip };
  const atProfile = (w: number): Vec3 => at(profU[Math.round((w - w0) / RAY)], w);
  // Below the tip: the mouth (stomion) is the first dip of the profile 20–50 mm down; the lips the
  // most anterior point within 15 mm of it; the chin the most anterior point below the labiomental
  // sulcus (the next dip, 5–30 mm under the mouth).
  const mouth = firstLocal(P, tipW - 20, tipW - 50, "min");
  let lipsW: number | undefined;
  if (mouth !== undefined) {
    const lips = extremum(P, mouth - 15, mouth + 15, "max");
    if (lips !== undefined && P(lips) > P(mouth) + 1) lm.lips = atProfile(lips);
    const upper = extremum(P, mouth, mouth + 15, "max");
    if (upper !== undefined && P(upper) > P(mouth) + 1) lipsW = upper;
    const sulcus = firstLocal(P, mouth - 5, mouth - 30, "min");
    if (sulcus !== undefined) {
      const chin = extremum(P, sulcus - 30, sulcus - 3, "max");
      if (chin !== undefined && P(chin) > P(sulcus) + 1) lm.chin = atProfile(chin);
    }
  }
  // The subnasale: with the upper lip found, the deepest point under the chord from the tip to the
  // lip (the corner of the nasolabial angle); without it, a dip of the profile under the tip.
  if (lipsW !== undefined) {
    let bestW: number | undefined, bestD = 1;
    for (let w = lipsW + RAY; w < tipW; w += RAY) {
      const chord = best.v + ((P(lipsW) - best.v) * (tipW - w)) / (tipW - lipsW);
      if (chord - P(w) > bestD) { bestD = chord - P(w); bestW = w; }
    }
    if (bestW !== undefined) lm.subnasale = atProfile(bestW);
  } else {
    const sn = extremum(P, tipW - 25, tipW - 5, "min");
    if (sn !== undefined) lm.subnasale = atProfile(sn);
  }
  const sel = extremum(P, tipW + 15, tipW + 50, "min");
  if (sel !== undefined) {
    lm.sellion = atProfile(sel);
    const brow = extremum(P, sel + 5, sel + 35, "max");
    if (brow !== undefined && P(brow) > P(sel) + 1) lm.brow = atProfile(brow);
    const eyeW = sel - 8, su = profU[Math.round((sel - w0) / RAY)];
    const er = depth.get(su - 32, eyeW), el = depth.get(su + 32, eyeW);
    if (!Number.isNaN(er) && !Number.isNaN(el)) lm.eyes = [at(su - 32, eyeW), at(su + 32, eyeW)];
  }
  const tipAtFieldEdge = depth.edge(best.u, tipW);
  const named = (Object.keys(lm) as (keyof ProfileLandmarks)[]).filter((k) => k !== "noseTip");
  evidence.push(
    `nose tip at (${noseTip.map(fmt).join(", ")}) mm: ${describe(best)}` + (tipAtFieldEdge ? "; it lies on the edge of the field of view (the true tip may be cut off)" : ""),
    named.length ? `along the profile: ${named.join(", ")}` : "no other landmark along the profile (the field of view ends near the nose)",
  );
  const others = cands.filter((c) => c !== best && c.pass);
  if (others.length) evidence.push(`${others.length} other nose-shaped maxima, weaker (best ${others[0].score.toFixed(2)})`);

  // The face box: ±70 mm across, brow (+25) or tip + 70 down to chin (−10) or tip − 75, tip back 90 mm.
  const top = lm.brow ? dot(sub(lm.brow, O), S) + 25 : tipW + 70;
  const bottom = lm.chin ? dot(sub(lm.chin, O), S) - 10 : tipW - 75;
  const corners: Vec3[] = [];
  for (const du of [-70, 70]) for (const dv of [-90, 2]) for (const w of [bottom, top]) {
    corners.push(add(add(O, scale(L, best.u + du)), add(scale(A, best.v + dv), scale(S, w))));
  }
  const min: Vec3 = [Infinity, Infinity, Infinity], max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const c of corners) for (let a = 0; a < 3; a++) { min[a] = Math.min(min[a], c[a]); max[a] = Math.max(max[a], c[a]); }
  return { found: true, score: best.score, level, levelHow, landmarks: lm, box3d: { min, max, corners }, ...geometry, profile, tipAtFieldEdge, evidence };
}

/** How far the profile lies behind `v` at its deepest point within [w1, w2]; undefined when the profile is absent there. */
function dropIn(P: (w: number) => number, v: number, w1: number, w2: number): number | undefined {
  let lo = Infinity, n = 0;
  for (let w = w1; w <= w2; w += RAY) {
    const p = P(w);
    if (Number.isNaN(p)) continue;
    n++;
    if (p < lo) lo = p;
  }
  // Most of the window must be present: a profile that stops a few mm below the tip says nothing.
  return n >= 0.5 * ((w2 - w1) / RAY + 1) ? v - lo : undefined;
}

/** The first height from `from` towards `to` where the profile is a local minimum/maximum (±4 mm, all present). */
function firstLocal(P: (w: number) => number, from: number, to: number, kind: "min" | "max"): number | undefined {
  const step = to < from ? -RAY : RAY, r = 4;
  for (let w = Math.round(from); step < 0 ? w >= to : w <= to; w += step) {
    const p = P(w);
    if (Number.isNaN(p)) continue;
    let ok = true;
    for (let d = -r; d <= r && ok; d += RAY) {
      const q = P(w + d);
      if (Number.isNaN(q) || (d !== 0 && (kind === "min" ? q < p : q > p))) ok = false;
    }
    if (ok) return w;
  }
  return undefined;
}

/**
 * Height of the profile's minimum or maximum within [w1, w2]; undefined when most of the window is
 * absent or the extremum sits on the window's ends (the profile still falls or rises there: not a landmark).
 */
function extremum(P: (w: number) => number, w1: number, w2: number, kind: "min" | "max"): number | undefined {
  let best: number | undefined, bv = kind === "min" ? Infinity : -Infinity, n = 0;
  const a = Math.round(w1), b = Math.round(w2);
  for (let w = a; w <= b; w += RAY) {
    const p = P(w);
    if (Number.isNaN(p)) continue;
    n++;
    if (kind === "min" ? p < bv : p > bv) { bv = p; best = w; }
  }
  if (best === undefined || n < 0.5 * ((b - a) / RAY + 1)) return undefined;
  const outer = [P(best - RAY), P(best + RAY)];
  if (best <= a + RAY || best >= b - RAY || outer.some(Number.isNaN)) return undefined;
  return best;
}

// ---- sampling ----

interface Sampler {
  /** Trilinear value at a patient point; NaN outside the volume. */
  at(x: number, y: number, z: number): number;
}

function makeSampler(vol: Volume): Sampler {
  const [nx, ny, nz] = vol.shape;
  const d = vol.direction, [sx, sy, sz] = vol.spacing, [ox, oy, oz] = vol.origin;
  const data = vol.data, sxy = nx * ny;
  return {
    at(x, y, z) {
      const px = x - ox, py = y - oy, pz = z - oz;
      const fi = (px * d[0] + py * d[1] + pz * d[2]) / sx;
      const fj = (px * d[3] + py * d[4] + pz * d[5]) / sy;
      const fk = (px * d[6] + py * d[7] + pz * d[8]) / sz;
      if (!(fi >= 0 && fj >= 0 && fk >= 0 && fi <= nx - 1 && fj <= ny - 1 && fk <= nz - 1)) return NaN;
      const i = Math.min(Math.floor(fi), nx - 2 < 0 ? 0 : nx - 2), j = Math.min(Math.floor(fj), ny - 2 < 0 ? 0 : ny - 2), k = Math.min(Math.floor(fk), nz - 2 < 0 ? 0 : nz - 2);
      const a = fi - i, b = fj - j, c = fk - k;
      const i1 = nx > 1 ? 1 : 0, j1 = ny > 1 ? nx : 0, k1 = nz > 1 ? sxy : 0;
      const o = i + nx * j + sxy * k;
      const c00 = data[o] + (data[o + i1] - data[o]) * a;
      const c10 = data[o + j1] + (data[o + j1 + i1] - data[o + j1]) * a;
      const c01 = data[o + k1] + (data[o + k1 + i1] - data[o + k1]) * a;
      const c11 = data[o + k1 + j1] + (data[o + k1 + j1 + i1] - data[o + k1 + j1]) * a;
      const c0 = c00 + (c10 - c00) * b, c1 = c01 + (c11 - c01) * b;
      return c0 + (c1 - c0) * c;
    },
  };
}

interface Head {
  /** 1 = head, on the coarse grid. */
  mask: Uint8Array;
  /** 1 = within one coarse voxel of the head (the skin's partial voxels belong to it). */
  near: Uint8Array;
  dims: [number, number, number];
  min: Vec3;
  count: number;
  /** Boundary voxel centres (patient mm), subsampled. */
  boundary: Float64Array;
  centroid: Vec3;
  contains(p: Vec3, grid?: Uint8Array): boolean;
}

function headMask(vol: Volume, s: Sampler, level: number): Head | undefined {
  const b = patientBounds(vol);
  const dims = [0, 1, 2].map((a) => Math.max(1, Math.floor((b.max[a] - b.min[a]) / COARSE) + 1)) as [number, number, number];
  const [gx, gy, gz] = dims, gxy = gx * gy, n = gxy * gz;
  const above = new Uint8Array(n);
  for (let k = 0; k < gz; k++) for (let j = 0; j < gy; j++) for (let i = 0; i < gx; i++) {
    const v = s.at(b.min[0] + i * COARSE, b.min[1] + j * COARSE, b.min[2] + k * COARSE);
    if (v > level) above[i + gx * j + gxy * k] = 1;
  }
  // Largest 6-connected component.
  const label = new Int32Array(n);
  const queue = new Int32Array(n);
  let bestLabel = 0, bestCount = 0, next = 0;
  for (let start = 0; start < n; start++) {
    if (!above[start] || label[start]) continue;
    next++;
    let head = 0, tail = 0, count = 0;
    queue[tail++] = start;
    label[start] = next;
    while (head < tail) {
      const q = queue[head++];
      count++;
      const i = q % gx, j = Math.floor(q / gx) % gy, k = Math.floor(q / gxy);
      const nb = [i > 0 ? q - 1 : -1, i < gx - 1 ? q + 1 : -1, j > 0 ? q - gx : -1, j < gy - 1 ? q + gx : -1, k > 0 ? q - gxy : -1, k < gz - 1 ? q + gxy : -1];
      for (const r of nb) if (r >= 0 && above[r] && !label[r]) { label[r] = next; queue[tail++] = r; }
    }
    if (count > bestCount) { bestCount = count; bestLabel = next; }
  }
  if (bestCount === 0) return undefined;
  const mask = new Uint8Array(n);
  let cx = 0, cy = 0, cz = 0;
  for (let q = 0; q < n; q++) if (label[q] === bestLabel) {
    mask[q] = 1;
    cx += q % gx; cy += Math.floor(q / gx) % gy; cz += Math.floor(q / gxy);
  }
  const near = new Uint8Array(n);
  const pts: number[] = [];
  for (let k = 0; k < gz; k++) for (let j = 0; j < gy; j++) for (let i = 0; i < gx; i++) {
    const q = i + gx * j + gxy * k;
    if (!mask[q]) continue;
    let edge = false;
    for (let dk = -1; dk <= 1; dk++) for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) {
      const ii = i + di, jj = j + dj, kk = k + dk;
      if (ii < 0 || jj < 0 || kk < 0 || ii >= gx || jj >= gy || kk >= gz) { edge = true; continue; }
      const r = ii + gx * jj + gxy * kk;
      near[r] = 1;
      if (!mask[r] && Math.abs(di) + Math.abs(dj) + Math.abs(dk) === 1) edge = true;
    }
    if (edge) pts.push(b.min[0] + i * COARSE, b.min[1] + j * COARSE, b.min[2] + k * COARSE);
  }
  // At most ~8000 boundary points for the symmetry search (evenly thinned).
  const m = pts.length / 3, stride = Math.max(1, Math.ceil(m / 8000));
  const boundary = new Float64Array(3 * Math.ceil(m / stride));
  for (let p = 0, o = 0; p < m; p += stride, o += 3) boundary.set(pts.slice(3 * p, 3 * p + 3), o);
  const centroid: Vec3 = [b.min[0] + (cx / bestCount) * COARSE, b.min[1] + (cy / bestCount) * COARSE, b.min[2] + (cz / bestCount) * COARSE];
  const min = b.min;
  return {
    mask, near, dims, min, count: bestCount, boundary, centroid,
    contains(p: Vec3, grid = mask) {
      const i = Math.round((p[0] - min[0]) / COARSE), j = Math.round((p[1] - min[1]) / COARSE), k = Math.round((p[2] - min[2]) / COARSE);
      return i >= 0 && j >= 0 && k >= 0 && i < gx && j < gy && k < gz && grid[i + gx * j + gxy * k] === 1;
    },
  };
}

/** The head from a mesh: the 3 mm cells its vertices and triangle centres fall in, largest 26-connected part. */
function headFromMesh(mesh: Mesh): Head {
  const pos = mesh.positions, tri = mesh.triangles;
  const min: Vec3 = [Infinity, Infinity, Infinity], max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let v = 0; v < pos.length; v += 3) for (let a = 0; a < 3; a++) { min[a] = Math.min(min[a], pos[v + a]); max[a] = Math.max(max[a], pos[v + a]); }
  for (let a = 0; a < 3; a++) min[a] -= COARSE;
  const dims = [0, 1, 2].map((a) => Math.floor((max[a] - min[a]) / COARSE) + 3) as [number, number, number];
  const [gx, gy, gz] = dims, gxy = gx * gy, n = gxy * gz;
  const cell = (x: number, y: number, z: number) => Math.round((x - min[0]) / COARSE) + gx * (Math.round((y - min[1]) / COARSE) + gy * Math.round((z - min[2]) / COARSE));
  const occupied = new Uint8Array(n);
  for (let v = 0; v < pos.length; v += 3) occupied[cell(pos[v], pos[v + 1], pos[v + 2])] = 1;
  for (let t = 0; t < tri.length; t += 3) {
    const a = 3 * tri[t], b = 3 * tri[t + 1], c = 3 * tri[t + 2];
    occupied[cell((pos[a] + pos[b] + pos[c]) / 3, (pos[a + 1] + pos[b + 1] + pos[c + 1]) / 3, (pos[a + 2] + pos[b + 2] + pos[c + 2]) / 3)] = 1;
  }
  // Largest 26-connected part (a thin shell in 3 mm cells touches diagonally).
  const label = new Int32Array(n), queue = new Int32Array(n);
  let bestLabel = 0, bestCount = 0, next = 0;
  for (let start = 0; start < n; start++) {
    if (!occupied[start] || label[start]) continue;
    next++;
    let h = 0, tl = 0, count = 0;
    queue[tl++] = start;
    label[start] = next;
    while (h < tl) {
      const q = queue[h++];
      count++;
      const i = q % gx, j = Math.floor(q / gx) % gy, k = Math.floor(q / gxy);
      for (let dk = -1; dk <= 1; dk++) for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) {
        const ii = i + di, jj = j + dj, kk = k + dk;
        if (ii < 0 || jj < 0 || kk < 0 || ii >= gx || jj >= gy || kk >= gz) continue;
        const r = ii + gx * jj + gxy * kk;
        if (occupied[r] && !label[r]) { label[r] = next; queue[tl++] = r; }
      }
    }
    if (count > bestCount) { bestCount = count; bestLabel = next; }
  }
  const mask = new Uint8Array(n), near = new Uint8Array(n);
  const pts: number[] = [];
  let cx = 0, cy = 0, cz = 0;
  for (let k = 0; k < gz; k++) for (let j = 0; j < gy; j++) for (let i = 0; i < gx; i++) {
    const q = i + gx * j + gxy * k;
    if (label[q] !== bestLabel) continue;
    mask[q] = 1;
    cx += i; cy += j; cz += k;
    pts.push(min[0] + i * COARSE, min[1] + j * COARSE, min[2] + k * COARSE);
    for (let dk = -1; dk <= 1; dk++) for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) {
      const ii = i + di, jj = j + dj, kk = k + dk;
      if (ii >= 0 && jj >= 0 && kk >= 0 && ii < gx && jj < gy && kk < gz) near[ii + gx * jj + gxy * kk] = 1;
    }
  }
  const m = pts.length / 3, stride = Math.max(1, Math.ceil(m / 8000));
  const boundary = new Float64Array(3 * Math.ceil(m / stride));
  for (let p = 0, o = 0; p < m; p += stride, o += 3) { boundary[o] = pts[3 * p]; boundary[o + 1] = pts[3 * p + 1]; boundary[o + 2] = pts[3 * p + 2]; }
  // The centroid of the shell's cells stands in for the head's centre.
  const centroid: Vec3 = [min[0] + (cx / bestCount) * COARSE, min[1] + (cy / bestCount) * COARSE, min[2] + (cz / bestCount) * COARSE];
  return {
    mask, near, dims, min, count: bestCount, boundary, centroid,
    contains(p: Vec3, grid = mask) {
      const i = Math.round((p[0] - min[0]) / COARSE), j = Math.round((p[1] - min[1]) / COARSE), k = Math.round((p[2] - min[2]) / COARSE);
      return i >= 0 && j >= 0 && k >= 0 && i < gx && j < gy && k < gz && grid[i + gx * j + gxy * k] === 1;
    },
  };
}

/** Depth map of a mesh: each triangle of the head rasterised onto the 1 mm (u, w) grid, keeping the most anterior point. */
function rasterDepth(mesh: Mesh, head: Head, O: Vec3, L: Vec3, A: Vec3, S: Vec3, ext: { wMin: number; wMax: number }): DepthMap {
  const nu = 2 * Math.round(HALF_WIDTH / RAY) + 1, u0 = -HALF_WIDTH;
  const nw = Math.max(1, Math.round((ext.wMax - ext.wMin) / RAY) + 1), w0 = ext.wMin;
  const depth = new Float64Array(nu * nw).fill(-Infinity);
  const pos = mesh.positions, tri = mesh.triangles;
  const nv = pos.length / 3;
  const U = new Float64Array(nv), V = new Float64Array(nv), W = new Float64Array(nv), keep = new Uint8Array(nv);
  for (let v = 0; v < nv; v++) {
    const x = pos[3 * v] - O[0], y = pos[3 * v + 1] - O[1], z = pos[3 * v + 2] - O[2];
    U[v] = (x * L[0] + y * L[1] + z * L[2] - u0) / RAY;
    V[v] = x * A[0] + y * A[1] + z * A[2];
    W[v] = (x * S[0] + y * S[1] + z * S[2] - w0) / RAY;
    keep[v] = head.contains([pos[3 * v], pos[3 * v + 1], pos[3 * v + 2]]) ? 1 : 0;
  }
  for (let t = 0; t < tri.length; t += 3) {
    const a = tri[t], b = tri[t + 1], c = tri[t + 2];
    if (!keep[a] && !keep[b] && !keep[c]) continue; // debris outside the head
    const ua = U[a], ub = U[b], uc = U[c], wa = W[a], wb = W[b], wc = W[c];
    const i0 = Math.max(0, Math.ceil(Math.min(ua, ub, uc))), i1 = Math.min(nu - 1, Math.floor(Math.max(ua, ub, uc)));
    const j0 = Math.max(0, Math.ceil(Math.min(wa, wb, wc))), j1 = Math.min(nw - 1, Math.floor(Math.max(wa, wb, wc)));
    if (i0 > i1 || j0 > j1) continue;
    const den = (wb - wc) * (ua - uc) + (uc - ub) * (wa - wc);
    if (Math.abs(den) < 1e-12) continue; // edge-on to the anterior direction
    for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) {
      const l1 = ((wb - wc) * (i - uc) + (uc - ub) * (j - wc)) / den;
      const l2 = ((wc - wa) * (i - uc) + (ua - uc) * (j - wc)) / den;
      const l3 = 1 - l1 - l2;
      if (l1 < -1e-9 || l2 < -1e-9 || l3 < -1e-9) continue;
      const v = l1 * V[a] + l2 * V[b] + l3 * V[c];
      if (v > depth[i + nu * j]) depth[i + nu * j] = v;
    }
  }
  for (let q = 0; q < depth.length; q++) if (depth[q] === -Infinity) depth[q] = NaN;
  const index = (u: number, w: number): number => {
    const tu = Math.round((u - u0) / RAY), tw = Math.round((w - w0) / RAY);
    return tu >= 0 && tu < nu && tw >= 0 && tw < nw ? tu + nu * tw : -1;
  };
  // A mesh carries no field of view: no tip is known to sit on its edge.
  return { nu, nw, w0, get: (u, w) => { const i = index(u, w); return i < 0 ? NaN : depth[i]; }, edge: () => false };
}

/**
 * The plane that mirrors the head's boundary onto itself best: yaw (±24°) and roll (±12°) of the
 * normal from patient +x, offset (±24 mm) from the centroid; coarse to fine (6°, 2°, 1°).
 */
function symmetryPlane(head: Head): { point: Vec3; normal: Vec3; symmetry: number } {
  // "Boundary" grid: boundary voxels dilated by one (a mirrored boundary point must land on the boundary).
  const [gx, gy, gz] = head.dims, gxy = gx * gy;
  const edge = new Uint8Array(head.mask.length);
  for (let q = 0; q < edge.length; q++) if (head.near[q] && !head.mask[q]) edge[q] = 1;
  // near \ mask is the one-voxel shell just outside; add the mask's own outer layer.
  for (let k = 0; k < gz; k++) for (let j = 0; j < gy; j++) for (let i = 0; i < gx; i++) {
    const q = i + gx * j + gxy * k;
    if (!head.mask[q]) continue;
    if (i === 0 || j === 0 || k === 0 || i === gx - 1 || j === gy - 1 || k === gz - 1 || !head.mask[q - 1] || !head.mask[q + 1] || !head.mask[q - gx] || !head.mask[q + gx] || !head.mask[q - gxy] || !head.mask[q + gxy]) edge[q] = 1;
  }
  const all = head.boundary, c = head.centroid, mn = head.min;
  // Coarse-to-fine: a thinned point set for the wide search, all points for the last step.
  const thin = (m: number): Float64Array => {
    const n = all.length / 3, stride = Math.max(1, Math.ceil(n / m)), out = new Float64Array(3 * Math.ceil(n / stride));
    for (let p = 0, o = 0; p < n; p += stride, o += 3) { out[o] = all[3 * p]; out[o + 1] = all[3 * p + 1]; out[o + 2] = all[3 * p + 2]; }
    return out;
  };
  const score = (pts: Float64Array, yaw: number, roll: number, off: number): number => {
    const np = pts.length / 3;
    const n: Vec3 = [Math.cos(yaw) * Math.cos(roll), Math.sin(yaw) * Math.cos(roll), Math.sin(roll)];
    const d0 = n[0] * c[0] + n[1] * c[1] + n[2] * c[2] + off;
    let hit = 0;
    for (let p = 0; p < np; p++) {
      const x = pts[3 * p], y = pts[3 * p + 1], z = pts[3 * p + 2];
      const t = 2 * (n[0] * x + n[1] * y + n[2] * z - d0);
      const i = Math.round((x - t * n[0] - mn[0]) / COARSE), j = Math.round((y - t * n[1] - mn[1]) / COARSE), k = Math.round((z - t * n[2] - mn[2]) / COARSE);
      if (i >= 0 && j >= 0 && k >= 0 && i < gx && j < gy && k < gz && edge[i + gx * j + gxy * k]) hit++;
    }
    return hit / np;
  };
  const deg = Math.PI / 180;
  let best = { yaw: 0, roll: 0, off: 0, s: -1 };
  const search = (pts: Float64Array, yaws: number[], rolls: number[], offs: number[]) => {
    best = { ...best, s: -1 };
    for (const yaw of yaws) for (const roll of rolls) for (const off of offs) {
      const s = score(pts, yaw * deg, roll * deg, off);
      if (s > best.s) best = { yaw, roll, off, s };
    }
  };
  const steps = (mid: number, half: number, step: number): number[] => {
    const out: number[] = [];
    for (let x = mid - half; x <= mid + half + 1e-9; x += step) out.push(x);
    return out;
  };
  search(thin(1500), steps(0, 24, 6), steps(0, 12, 6), steps(0, 24, 3));
  search(thin(4000), steps(best.yaw, 6, 2), steps(best.roll, 6, 2), steps(best.off, 3, 1.5));
  search(all, steps(best.yaw, 1, 1), steps(best.roll, 1, 1), steps(best.off, 1, 0.5));
  const normal: Vec3 = [Math.cos(best.yaw * deg) * Math.cos(best.roll * deg), Math.sin(best.yaw * deg) * Math.cos(best.roll * deg), Math.sin(best.roll * deg)];
  // The point of the plane nearest the centroid.
  const point = add(c, scale(normal, best.off));
  return { point, normal, symmetry: best.s };
}

/** The head's extent along the frame axes (from its boundary points), with a margin. */
function frameExtent(head: Head, O: Vec3, L: Vec3, A: Vec3, S: Vec3): { vMin: number; vMax: number; wMin: number; wMax: number } {
  let vMin = Infinity, vMax = -Infinity, wMin = Infinity, wMax = -Infinity;
  const pts = head.boundary;
  for (let p = 0; p < pts.length; p += 3) {
    const q: Vec3 = [pts[p] - O[0], pts[p + 1] - O[1], pts[p + 2] - O[2]];
    const v = dot(q, A), w = dot(q, S);
    if (Math.abs(dot(q, L)) > HALF_WIDTH + COARSE) continue;
    vMin = Math.min(vMin, v); vMax = Math.max(vMax, v); wMin = Math.min(wMin, w); wMax = Math.max(wMax, w);
  }
  return { vMin: vMin - 2 * COARSE, vMax: vMax + 2 * COARSE, wMin: Math.floor(wMin - COARSE), wMax: Math.ceil(wMax + COARSE) };
}

interface DepthMap {
  nu: number; nw: number; w0: number;
  /** Anterior coordinate of the skin at (u, w) in mm, NaN where a ray meets no skin. */
  get(u: number, w: number): number;
  /** Whether the ray at (u, w) met the skin where the volume's field of view begins. */
  edge(u: number, w: number): boolean;
}

function depthMap(s: Sampler, head: Head, level: number, O: Vec3, L: Vec3, A: Vec3, S: Vec3, ext: { vMin: number; vMax: number; wMin: number; wMax: number }): DepthMap {
  const nu = 2 * Math.round(HALF_WIDTH / RAY) + 1, u0 = -HALF_WIDTH;
  const nw = Math.max(1, Math.round((ext.wMax - ext.wMin) / RAY) + 1), w0 = ext.wMin;
  const depth = new Float64Array(nu * nw).fill(NaN);
  const edge = new Uint8Array(nu * nw);
  const p: Vec3 = [0, 0, 0];
  for (let tw = 0; tw < nw; tw++) {
    const w = w0 + tw * RAY;
    for (let tu = 0; tu < nu; tu++) {
      const u = u0 + tu * RAY;
      const bx = O[0] + L[0] * u + S[0] * w, by = O[1] + L[1] * u + S[1] * w, bz = O[2] + L[2] * u + S[2] * w;
      // Only samples inside the head's coarse neighbourhood are read (the rest is air or something else).
      let prev = NaN, prevKnown = false;
      for (let v = ext.vMax; v >= ext.vMin; v -= RAY) {
        p[0] = bx + A[0] * v; p[1] = by + A[1] * v; p[2] = bz + A[2] * v;
        if (!head.contains(p, head.near)) { prevKnown = false; continue; }
        const val = s.at(p[0], p[1], p[2]);
        if (val > level) {
          if (!prevKnown) prev = s.at(p[0] + A[0] * RAY, p[1] + A[1] * RAY, p[2] + A[2] * RAY);
          // The linear crossing between the previous sample and this one; at the field of view's edge, here.
          if (Number.isNaN(prev)) { depth[tu + nu * tw] = v; edge[tu + nu * tw] = 1; }
          else depth[tu + nu * tw] = v + RAY * Math.min(1, Math.max(0, (val - level) / (val - prev)));
          break;
        }
        prev = val;
        prevKnown = true;
      }
    }
  }
  const index = (u: number, w: number): number => {
    const tu = Math.round((u - u0) / RAY), tw = Math.round((w - w0) / RAY);
    return tu >= 0 && tu < nu && tw >= 0 && tw < nw ? tu + nu * tw : -1;
  };
  return {
    nu, nw, w0,
    get: (u, w) => { const i = index(u, w); return i < 0 ? NaN : depth[i]; },
    edge: (u, w) => { const i = index(u, w); return i >= 0 && edge[i] === 1; },
  };
}

// ---- small vector helpers ----
const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const scale = (a: Vec3, k: number): Vec3 => [a[0] * k, a[1] * k, a[2] * k];
const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
function normalize(a: Vec3): Vec3 {
  const n = Math.hypot(a[0], a[1], a[2]);
  if (!(n > 0)) throw new InvalidArgumentError("faceProfile: degenerate head frame (mid-sagittal normal along the superior axis)");
  return scale(a, 1 / n);
}
const clamp01 = (x: number): number => (Number.isNaN(x) ? 0 : Math.max(0, Math.min(1, x)));
const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1));
const fmtOpt = (x: number | undefined): string => (x === undefined ? "n/a" : x.toFixed(1));
