import { InvalidArgumentError } from "../core/errors";
import type { Vec3, Volume } from "../volume/types";
import { voxelToPatient } from "../volume/volume";
import { anatomicalSteps, distanceTransform, fillAxialHoles, labelComponents, seededRandom } from "./mask-geometry";

/** Options for `simulateMask` (lengths in mm, densities in Hounsfield units). */
export interface SimulateMaskOptions {
  /** Gap between the skin and the inner face of the shell where it does not touch (default 3). */
  standoffMm?: number;
  /** Shell thickness (default 2; thermoplastic sheets are 1.6–3.2 mm before stretching). */
  thicknessMm?: number;
  /** Density of the plastic before partial-volume effects (default +200 HU). */
  hu?: number;
  /** Hexagonal perforation: hole size across the flats (default 3; 0 = no holes). */
  holeMm?: number;
  /** Centre-to-centre distance of neighbouring holes (default 5). */
  pitchMm?: number;
  /**
   * Where the moulded shell touches the skin: "auto" (nose tip, brow and, when the scan reaches it,
   * chin), "none", or points in patient coordinates (LPS mm).
   */
  touch?: "auto" | "none" | Vec3[];
  /** Radius around a touch point over which the stand-off falls to zero (default 12). */
  touchRadiusMm?: number;
  /** The shell bridges skin concavities narrower than about twice this (a closing radius; default 6). */
  bridgeMm?: number;
  /** How far in front of the head's centre the shell's rear edge lies (default 0: the coronal plane through the centre). */
  edgeMm?: number;
  /** Level that separates skin from air when the head is found (default −300 HU, the seed's skin level). */
  skinLevel?: number;
  /** Add a fixation frame: a flange round the shell's rear edge (default false). */
  frame?: boolean;
  /** How far the frame reaches out from the shell (default 30) and its depth front-to-back (default 6). */
  frameWidthMm?: number;
  frameDepthMm?: number;
  /** Frame density (default the shell's). */
  frameHu?: number;
  /** Add a couch top behind the head: carbon-fibre skins on a foam core (default false). */
  couch?: boolean;
  /** Density of the couch's skins (default +300 HU) and core (default −900 HU). */
  couchHu?: number;
  couchCoreHu?: number;
  /** Standard deviation of the image noise added to the plastic (default 10 HU). */
  noiseHu?: number;
  /** Seed of the perforation's phase and the noise (default 1). */
  seed?: number;
}

/** Where a mask goes on a head: the geometry `simulateMask` derives before drawing the shell. */
export interface MaskPlan {
  /** Centroid of the head (LPS mm). */
  centre: Vec3;
  /** Touch points used (LPS mm) and what each is. */
  touchPoints: { name: string; position: Vec3 }[];
  /** Radius (mm) of the sphere the perforation pattern is laid out on. */
  patternRadiusMm: number;
  /** Open-area fraction of the perforation pattern: (hole / pitch)² for hexagonal holes on a hexagonal lattice. */
  openAreaFraction: number;
  /** The options with their defaults filled in. */
  options: Required<Omit<SimulateMaskOptions, "touch">> & { touch: "auto" | "none" | Vec3[] };
}

const DEFAULTS = {
  standoffMm: 3, thicknessMm: 2, hu: 200, holeMm: 3, pitchMm: 5, touch: "auto" as const, touchRadiusMm: 12,
  bridgeMm: 6, edgeMm: 0, skinLevel: -300, frame: false, frameWidthMm: 30, frameDepthMm: 6,
  couch: false, couchHu: 300, couchCoreHu: -900, noiseHu: 10, seed: 1,
};

function resolve(options: SimulateMaskOptions): MaskPlan["options"] {
  const o = { ...DEFAULTS, frameHu: options.hu ?? DEFAULTS.hu, ...stripUndefined(options) } as MaskPlan["options"];
  const positive = (name: keyof typeof o, allowZero = false) => {
    const v = o[name] as number;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
      throw new InvalidArgumentError(`simulateMask: ${name} must be a ${allowZero ? "non-negative" : "positive"} number of mm, got ${String(v)}`);
    }
  };
  positive("thicknessMm");
  positive("standoffMm", true);
  positive("holeMm", true);
  positive("pitchMm");
  positive("touchRadiusMm");
  positive("bridgeMm", true);
  positive("frameWidthMm");
  positive("frameDepthMm");
  positive("noiseHu", true);
  if (o.holeMm >= o.pitchMm) throw new InvalidArgumentError(`simulateMask: holeMm (${o.holeMm}) must be smaller than pitchMm (${o.pitchMm}), or the shell falls apart`);
  for (const k of ["hu", "frameHu", "couchHu", "couchCoreHu", "skinLevel", "edgeMm", "seed"] as const) {
    if (!Number.isFinite(o[k])) throw new InvalidArgumentError(`simulateMask: ${k} must be a number, got ${String(o[k])}`);
  }
  if (!(o.touch === "auto" || o.touch === "none" || (Array.isArray(o.touch) && o.touch.every((p) => Array.isArray(p) && p.length === 3 && p.every(Number.isFinite))))) {
    throw new InvalidArgumentError(`simulateMask: touch must be "auto", "none" or a list of [x, y, z] points`);
  }
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (r as Record<string, unknown>)[k] = v;
  return r;
}

/** The head, its closed and filled outline, and the signed distance to that outline. */
interface HeadGeometry {
  head: Uint8Array;
  /** Signed distance (mm) to the closed head's surface: positive outside. */
  sd: Float32Array;
  centre: Vec3;
  /** Patient-relative (left, anterior, superior) mm of voxel centre q = base + i·di + j·dj + k·dk. */
  frame: ReturnType<typeof anatomicalSteps>;
  /** Surface voxels of the closed head: their (left, anterior, superior) mm relative to the centre. */
  surface: Float32Array;
  surfaceIndex: Int32Array;
}

function checkVolume(volume: Volume, who: string): void {
  const [nx, ny, nz] = volume?.shape ?? [];
  if (!volume || !(volume.data instanceof Float32Array) || volume.data.length !== nx * ny * nz || nx < 2 || ny < 2 || nz < 2) {
    throw new InvalidArgumentError(`${who}: expected a 3D Volume (Float32Array data matching its shape, at least 2 voxels per axis)`);
  }
  if (volume.units !== "HU" && volume.modality !== "CT") {
    throw new InvalidArgumentError(`${who}: needs a CT in Hounsfield units (got modality "${volume.modality}", units "${volume.units}")`);
  }
}

function headGeometry(volume: Volume, skinLevel: number, bridgeMm: number): HeadGeometry {
  const [nx, ny, nz] = volume.shape;
  const n = nx * ny * nz;
  const v = volume.data;
  const body = new Uint8Array(n);
  for (let q = 0; q < n; q++) body[q] = v[q] > skinLevel ? 1 : 0;
  const { labels, sizes } = labelComponents(body, volume.shape, false);
  let best = 1;
  for (let l = 2; l < sizes.length; l++) if (sizes[l] > sizes[best]) best = l;
  if (sizes.length < 2) throw new InvalidArgumentError(`simulateMask: nothing above ${skinLevel} HU: no head to put a mask on`);
  const head = new Uint8Array(n);
  for (let q = 0; q < n; q++) head[q] = labels[q] === best ? 1 : 0;

  // Closing (dilate then erode by bridgeMm) so the shell spans concavities as a stretched sheet does.
  let closed = head;
  if (bridgeMm > 0) {
    const dHead = distanceTransform(head, volume.shape, volume.spacing);
    const outsideDilated = new Uint8Array(n);
    for (let q = 0; q < n; q++) outsideDilated[q] = dHead[q] > bridgeMm ? 1 : 0;
    const dOut = distanceTransform(outsideDilated, volume.shape, volume.spacing);
    closed = new Uint8Array(n);
    for (let q = 0; q < n; q++) closed[q] = head[q] || (dHead[q] <= bridgeMm && dOut[q] > bridgeMm) ? 1 : 0;
  }
  const frame = anatomicalSteps(volume);
  fillAxialHoles(closed, volume.shape, frame.superior);

  const dClosed = distanceTransform(closed, volume.shape, volume.spacing);
  // Voxel centres sit half a voxel off the surface: shift so the zero level is the boundary.
  const half = 0.5 * Math.min(...volume.spacing);
  const sd = new Float32Array(n);
  for (let q = 0; q < n; q++) sd[q] = closed[q] ? -half : dClosed[q] - half;

  let cx = 0, cy = 0, cz = 0, count = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    if (!head[i + nx * (j + ny * k)]) continue;
    cx += i; cy += j; cz += k; count++;
  }
  const centreIjk: Vec3 = [cx / count, cy / count, cz / count];
  const centre = voxelToPatient(volume, centreIjk);

  const surf: number[] = [];
  const idx: number[] = [];
  const rel = relCoords(frame, centreIjk);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const q = i + nx * (j + ny * k);
    if (!closed[q]) continue;
    const edge = (i > 0 && !closed[q - 1]) || (i < nx - 1 && !closed[q + 1]) || (j > 0 && !closed[q - nx]) || (j < ny - 1 && !closed[q + nx]) ||
      (k > 0 && !closed[q - nx * ny]) || (k < nz - 1 && !closed[q + nx * ny]);
    if (!edge) continue;
    const [l, a, s] = rel(i, j, k);
    surf.push(l, a, s);
    idx.push(q);
  }
  return { head, sd, centre, frame, surface: Float32Array.from(surf), surfaceIndex: Int32Array.from(idx) };
}

/** (left, anterior, superior) mm of a fractional voxel index, relative to `centreIjk`. */
function relCoords(frame: ReturnType<typeof anatomicalSteps>, centreIjk: Vec3): (i: number, j: number, k: number) => Vec3 {
  const { left: L, anterior: A, superior: S } = frame;
  return (i, j, k) => {
    const di = i - centreIjk[0], dj = j - centreIjk[1], dk = k - centreIjk[2];
    return [L[0] * di + L[1] * dj + L[2] * dk, A[0] * di + A[1] * dj + A[2] * dk, S[0] * di + S[1] * dj + S[2] * dk];
  };
}

/** The most anterior surface point within a lateral band and a superior range (relative mm), or null. */
function mostAnterior(g: HeadGeometry, lateralMm: number, sMin: number, sMax: number): Vec3 | null {
  let best = -1, bestA = -Infinity;
  for (let p = 0; p < g.surfaceIndex.length; p++) {
    const l = g.surface[3 * p], a = g.surface[3 * p + 1], s = g.surface[3 * p + 2];
    if (Math.abs(l) > lateralMm || s < sMin || s > sMax) continue;
    if (a > bestA) { bestA = a; best = p; }
  }
  return best < 0 ? null : [g.surface[3 * best], g.surface[3 * best + 1], g.surface[3 * best + 2]];
}

function relToPatient(g: HeadGeometry, r: Vec3): Vec3 {
  // left = +x, anterior = −y, superior = +z in LPS.
  return [g.centre[0] + r[0], g.centre[1] - r[1], g.centre[2] + r[2]];
}

function patientToRel(g: HeadGeometry, p: Vec3): Vec3 {
  return [p[0] - g.centre[0], -(p[1] - g.centre[1]), p[2] - g.centre[2]];
}

function makePlan(volume: Volume, options: SimulateMaskOptions): { plan: MaskPlan; g: HeadGeometry; touchRel: Vec3[] } {
  checkVolume(volume, "simulateMask");
  const o = resolve(options);
  const g = headGeometry(volume, o.skinLevel, o.bridgeMm);
  const touchPoints: { name: string; position: Vec3 }[] = [];
  if (o.touch === "auto") {
    const nose = mostAnterior(g, 15, -Infinity, Infinity);
    if (nose) {
      touchPoints.push({ name: "nose", position: relToPatient(g, nose) });
      const brow = mostAnterior(g, 20, nose[2] + 40, nose[2] + 70);
      if (brow) touchPoints.push({ name: "brow", position: relToPatient(g, brow) });
      // A chin only when the scan reaches it: the band's lowest point must lie inside the volume.
      const chin = mostAnterior(g, 20, nose[2] - 90, nose[2] - 45);
      if (chin && chin[1] > nose[1] - 45) touchPoints.push({ name: "chin", position: relToPatient(g, chin) });
    }
  } else if (Array.isArray(o.touch)) {
    o.touch.forEach((p, i) => touchPoints.push({ name: `point ${i + 1}`, position: [p[0], p[1], p[2]] }));
  }
  // Pattern sphere: the median distance of the front half of the head's surface from its centre.
  const radii: number[] = [];
  for (let p = 0; p < g.surfaceIndex.length; p += 7) {
    const l = g.surface[3 * p], a = g.surface[3 * p + 1], s = g.surface[3 * p + 2];
    if (a > o.edgeMm) radii.push(Math.hypot(l, a, s));
  }
  radii.sort((x, y) => x - y);
  const patternRadiusMm = radii.length ? radii[radii.length >> 1] + o.standoffMm : 90;
  const plan: MaskPlan = {
    centre: g.centre,
    touchPoints,
    patternRadiusMm,
    openAreaFraction: (o.holeMm / o.pitchMm) ** 2,
    options: o,
  };
  return { plan, g, touchRel: touchPoints.map((t) => patientToRel(g, t.position)) };
}

/** Where `simulateMask` would put the shell (centre, touch points, pattern), without drawing it. */
export function planMask(volume: Volume, options: SimulateMaskOptions = {}): MaskPlan {
  return makePlan(volume, options).plan;
}

/**
 * Put a thermoplastic immobilization mask on a head CT: a perforated shell over the face and the
 * front of the head at a stand-off from the skin, touching it at the nose, brow and chin, drawn
 * with partial-volume averaging over each voxel. Returns a new Volume; the input is not changed.
 */
export function simulateMask(volume: Volume, options: SimulateMaskOptions = {}): Volume {
  const { plan, g, touchRel } = makePlan(volume, options);
  const o = plan.options;
  const [nx, ny, nz] = volume.shape;
  const src = volume.data;
  const out = new Float32Array(src);
  const rand = seededRandom(o.seed);
  const p = o.pitchMm, h = o.holeMm;
  const offX = rand() * p, offY = rand() * p;
  const rowH = (p * Math.sqrt(3)) / 2;
  const R = plan.patternRadiusMm;
  const hasHoles = h > 0;

  // Hexagonal hole of flat-to-flat h centred on the nearest point of a triangular lattice of pitch p.
  const inHole = (l: number, a: number, s: number): boolean => {
    const r = Math.hypot(l, a, s);
    if (r === 0) return false;
    const cosA = a / r;
    const q = Math.hypot(l, s);
    // Lambert azimuthal equal-area projection about the anterior pole: preserves the open-area fraction.
    const rho = R * Math.sqrt(Math.max(0, 2 * (1 - cosA)));
    const X = (q > 0 ? (rho * l) / q : 0) - offX;
    const Y = (q > 0 ? (rho * s) / q : 0) - offY;
    const b = Math.floor(Y / rowH);
    const aIdx = Math.floor(X / p - b / 2);
    let best = Infinity;
    for (let db = 0; db <= 1; db++) for (let da = 0; da <= 1; da++) {
      const bb = b + db, aa = aIdx + da;
      const cx = (aa + bb / 2) * p, cy = bb * rowH;
      const ux = X - cx, uy = Y - cy;
      const hex = Math.max(Math.abs(ux), Math.abs(ux / 2 + (uy * Math.sqrt(3)) / 2), Math.abs(-ux / 2 + (uy * Math.sqrt(3)) / 2));
      if (hex < best) best = hex;
    }
    return best <= h / 2;
  };
  const standoffAt = (l: number, a: number, s: number): number => {
    let u = Infinity;
    for (const t of touchRel) u = Math.min(u, Math.hypot(l - t[0], a - t[1], s - t[2]) / o.touchRadiusMm);
    if (u >= 1) return o.standoffMm;
    return o.standoffMm * u * u * (3 - 2 * u);
  };

  // Couch: below (behind) everything denser than −800 HU, with a 2 mm gap; 12 mm thick, 2 mm skins.
  let couchFront = -Infinity;
  if (o.couch) {
    let minA = Infinity;
    const relC = relCoords(g.frame, patientToVoxelApprox(volume, g.centre));
    for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
      if (src[i + nx * (j + ny * k)] > -800) minA = Math.min(minA, relC(i, j, k)[1]);
    }
    couchFront = minA - 2;
  }
  const couchBack = couchFront - 12;

  const centreIjk = patientToVoxelApprox(volume, g.centre);
  const rel = relCoords(g.frame, centreIjk);
  const subs = volume.spacing.map((s) => Math.max(1, Math.ceil(s / 0.35))) as Vec3;
  const diag = 0.5 * Math.hypot(...volume.spacing);
  const shellReach = o.standoffMm + o.thicknessMm + diag;
  const frameReach = o.standoffMm + o.frameWidthMm + diag;
  const noise = () => {
    // Box–Muller from the seeded stream.
    const u1 = Math.max(rand(), 1e-12), u2 = rand();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
  // Sub-voxel sample offsets, in index units and in (left, anterior, superior) mm.
  const nSub = subs[0] * subs[1] * subs[2];
  const oi = new Float64Array(nSub), oj = new Float64Array(nSub), ok = new Float64Array(nSub);
  const oL = new Float64Array(nSub), oA = new Float64Array(nSub), oS = new Float64Array(nSub);
  {
    let m = 0;
    const { left: L, anterior: A, superior: S } = g.frame;
    for (let c = 0; c < subs[2]; c++) for (let b = 0; b < subs[1]; b++) for (let a = 0; a < subs[0]; a++, m++) {
      oi[m] = (a + 0.5) / subs[0] - 0.5; oj[m] = (b + 0.5) / subs[1] - 0.5; ok[m] = (c + 0.5) / subs[2] - 0.5;
      oL[m] = L[0] * oi[m] + L[1] * oj[m] + L[2] * ok[m];
      oA[m] = A[0] * oi[m] + A[1] * oj[m] + A[2] * ok[m];
      oS[m] = S[0] * oi[m] + S[1] * oj[m] + S[2] * ok[m];
    }
  }
  const sd = g.sd;
  const sx = 1, sy = nx, sz = nx * ny;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const q = i + nx * (j + ny * k);
    const sdc = sd[q];
    const [lc, ac, scc] = rel(i, j, k);
    const inShellBand = sdc > -diag && sdc < shellReach && ac > o.edgeMm - diag;
    const inFrameBand = o.frame && sdc > -diag && sdc < frameReach && ac > o.edgeMm - o.frameDepthMm - diag && ac < o.edgeMm + diag;
    const nearCouch = o.couch && ac < couchFront + diag && ac > couchBack - diag && Math.abs(lc) < 250;
    if (!inShellBand && !inFrameBand && !nearCouch) continue;
    // The distance field is close to linear within a voxel: its central-difference gradient (per index step).
    const gi = i > 0 && i < nx - 1 ? (sd[q + sx] - sd[q - sx]) / 2 : 0;
    const gj = j > 0 && j < ny - 1 ? (sd[q + sy] - sd[q - sy]) / 2 : 0;
    const gk = k > 0 && k < nz - 1 ? (sd[q + sz] - sd[q - sz]) / 2 : 0;
    // Stand-off: constant unless a touch point is within reach of this voxel.
    let nearTouch = false;
    for (const t of touchRel) if (Math.hypot(lc - t[0], ac - t[1], scc - t[2]) < o.touchRadiusMm + diag) nearTouch = true;
    let shell = 0, frame = 0, couchSkin = 0, couchCore = 0;
    for (let m = 0; m < nSub; m++) {
      const l = lc + oL[m], an = ac + oA[m], s = scc + oS[m];
      if (inShellBand || inFrameBand) {
        const d = sdc + gi * oi[m] + gj * oj[m] + gk * ok[m];
        if (d >= 0) {
          const s0 = nearTouch ? standoffAt(l, an, s) : o.standoffMm;
          if (an >= o.edgeMm) {
            if (d >= s0 && d <= s0 + o.thicknessMm && !(hasHoles && inHole(l, an, s))) { shell++; continue; }
          } else if (o.frame && an >= o.edgeMm - o.frameDepthMm && d >= s0 && d <= s0 + o.frameWidthMm) { frame++; continue; }
        }
      }
      if (nearCouch && an <= couchFront && an >= couchBack && Math.abs(l) < 250) {
        if (an > couchFront - 2 || an < couchBack + 2) couchSkin++;
        else couchCore++;
      }
    }
    if (shell + frame + couchSkin + couchCore === 0) continue;
    const fs = shell / nSub, ff = frame / nSub, fc = couchSkin / nSub, fo = couchCore / nSub;
    const occ = fs + ff + fc + fo;
    const base = src[q];
    out[q] = fs * o.hu + ff * o.frameHu + fc * o.couchHu + fo * o.couchCoreHu + (1 - occ) * base + (o.noiseHu > 0 ? occ * o.noiseHu * noise() : 0);
  }
  return { ...volume, data: out, shape: [...volume.shape] as Vec3, spacing: [...volume.spacing] as Vec3, origin: [...volume.origin] as Vec3, direction: [...volume.direction] as Volume["direction"] };
}

/** Fractional voxel index of a patient point (orthonormal direction cosines). */
function patientToVoxelApprox(volume: Volume, p: Vec3): Vec3 {
  const d = volume.direction;
  const x = p[0] - volume.origin[0], y = p[1] - volume.origin[1], z = p[2] - volume.origin[2];
  return [
    (x * d[0] + y * d[1] + z * d[2]) / volume.spacing[0],
    (x * d[3] + y * d[4] + z * d[5]) / volume.spacing[1],
    (x * d[6] + y * d[7] + z * d[8]) / volume.spacing[2],
  ];
}

export { checkVolume as checkCtVolume };
