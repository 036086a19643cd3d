/**
 * The face-presence truth set, derived from real scans: positives (the scan, field-of-view crops,
 * coarser resamplings, levels around the skin level) and negatives (the face cut away by a plane
 * behind the nose tip, the back half of the head, phantoms). Public as part of
 * `unmask/face/evaluation` (the tests, benchmark, fit script and notebook 04 use it). Two disjoint parameter splits: "fit" cases fit the
 * committed fusion defaults, "test" cases (the issue's own) are what the tests assert on.
 */
import type { Vec3, Volume } from "../volume/types";
import { createVolume, voxelToPatient } from "../volume/volume";
import { resample } from "../volume/resample";
import { histogram, minMax } from "../volume/stats";
import { chooseLevel } from "./presence";

/** One case of the truth set; the volume is built on demand (they are large). */
export interface TruthCase {
  /** e.g. "ct/crop-face-only". */
  name: string;
  /** Which source scan it derives from ("ct", "mri", or "phantom"). */
  scan: string;
  /** Leave-one-scan-out fold: the scan's name; phantoms alternate between the scans' folds so each fold has some. */
  fold: string;
  kind: "scan" | "crop" | "resample" | "level" | "plane-cut" | "back-half" | "phantom";
  /** Does it show a face? */
  face: boolean;
  /** Level to mesh at (undefined: the verdict's own choice). */
  level?: number;
  build(): Volume;
}

/** Parameters of each split; "test" is the list, "fit" the same kinds at other values. */
export const TRUTH_SPLITS = {
  test: { spacings: [2, 3, 4], levelSteps: [-1, 1], foreheadCut: 55, belowNoseCut: -15, faceOnlyDepth: 90, planeCuts: [40, 50], spheres: [80], cylinders: [70] },
  fit: { spacings: [2.5, 3.5], levelSteps: [-1.5, -0.5, 0.5, 1.5], foreheadCut: 65, belowNoseCut: -25, faceOnlyDepth: 110, planeCuts: [45, 60], spheres: [60, 95], cylinders: [55, 85] },
} as const;

/**
 * Nose tip estimate: the most anterior voxel (smallest LPS y) within 25 mm of the mid-sagittal
 * plane (the left–right mass centre of the voxels above the level; a head holder's side panels are
 * lateral) whose 3×3×3 neighbourhood mean is above the level (isolated noise does not count). Patient mm.
 */
export function anteriorMostPoint(volume: Volume, level: number): Vec3 {
  const [nx, ny, nz] = volume.shape;
  const d = volume.data;
  let sx = 0, n = 0;
  for (let k = 0; k < nz; k += 2) for (let j = 0; j < ny; j += 2) for (let i = 0; i < nx; i += 2) {
    if (d[i + nx * (j + ny * k)] > level) { sx += voxelToPatient(volume, [i, j, k])[0]; n++; }
  }
  const midX = sx / Math.max(n, 1);
  let best: Vec3 | null = null, bestY = Infinity;
  for (let k = 1; k < nz - 1; k++)
    for (let j = 1; j < ny - 1; j++)
      for (let i = 1; i < nx - 1; i++) {
        if (d[i + nx * (j + ny * k)] <= level) continue;
        const p = voxelToPatient(volume, [i, j, k]);
        if (p[1] >= bestY || Math.abs(p[0] - midX) > 25) continue;
        let s = 0;
        for (let c = -1; c <= 1; c++) for (let b = -1; b <= 1; b++) for (let a = -1; a <= 1; a++) s += d[i + a + nx * (j + b + ny * (k + c))];
        if (s / 27 > level) { bestY = p[1]; best = p; }
      }
  if (!best) throw new Error("anteriorMostPoint: nothing above the level");
  return best;
}

/** The sub-volume of voxels whose centres fall in an LPS box (index bounds; an open cut, like a smaller field of view). */
export function cropToBox(volume: Volume, box: { min: Vec3; max: Vec3 }): Volume {
  const [nx, ny, nz] = volume.shape;
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const p = voxelToPatient(volume, [i, j, k]);
        if (p[0] < box.min[0] || p[0] > box.max[0] || p[1] < box.min[1] || p[1] > box.max[1] || p[2] < box.min[2] || p[2] > box.max[2]) continue;
        const ijk = [i, j, k];
        for (let a = 0; a < 3; a++) { if (ijk[a] < lo[a]) lo[a] = ijk[a]; if (ijk[a] > hi[a]) hi[a] = ijk[a]; }
      }
  if (!Number.isFinite(lo[0])) throw new Error("cropToBox: the box holds no voxel");
  const shape: Vec3 = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
  const data = new Float32Array(shape[0] * shape[1] * shape[2]);
  for (let k = 0; k < shape[2]; k++)
    for (let j = 0; j < shape[1]; j++) {
      const src = lo[0] + nx * (lo[1] + j + ny * (lo[2] + k));
      data.set(volume.data.subarray(src, src + shape[0]), shape[0] * (j + shape[1] * k));
    }
  return createVolume({ shape, spacing: volume.spacing, origin: voxelToPatient(volume, [lo[0], lo[1], lo[2]]), direction: volume.direction, data, modality: volume.modality, units: volume.units });
}

/** A copy with every voxel whose centre satisfies `cut` set to the background (a closed cut, like defacing). */
export function blank(volume: Volume, cut: (p: Vec3) => boolean): Volume {
  const [nx, ny, nz] = volume.shape;
  const bg = minMax(volume.data)[0];
  const data = Float32Array.from(volume.data);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) if (cut(voxelToPatient(volume, [i, j, k]))) data[i + nx * (j + ny * k)] = bg;
  return { ...volume, data, shape: [...volume.shape] as Vec3, spacing: [...volume.spacing] as Vec3, origin: [...volume.origin] as Vec3 };
}

/** A CT-like phantom (HU): a sphere or a cylinder (axis superior) of soft tissue in air. */
export function phantom(kind: "sphere" | "cylinder", radius: number): Volume {
  const sp = 2, half = Math.ceil((radius + 12) / sp), hz = kind === "cylinder" ? Math.ceil(100 / sp) : half;
  const shape: Vec3 = [2 * half + 1, 2 * half + 1, 2 * hz + 1];
  const v = createVolume({ shape, spacing: [sp, sp, sp], origin: [-half * sp, -half * sp, -hz * sp], fill: -1000, modality: "CT", units: "HU" });
  for (let k = 0; k < shape[2]; k++)
    for (let j = 0; j < shape[1]; j++)
      for (let i = 0; i < shape[0]; i++) {
        const x = (i - half) * sp, y = (j - half) * sp, z = (k - hz) * sp;
        const inside = kind === "sphere" ? Math.hypot(x, y, z) <= radius : Math.hypot(x, y) <= radius && Math.abs(z) <= 85;
        if (inside) v.data[i + shape[0] * (j + shape[1] * k)] = 40;
      }
  return v;
}

/**
 * The skin level and the level step that corresponds to ±100 HU on CT: 100 HU is about a tenth of
 * the air–soft tissue contrast (−1000 → ~30 HU), so on other data the step is a tenth of the distance
 * from the background peak to the tissue peak above the level.
 */
export function levelAndStep(volume: Volume): { level: number; step: number } {
  const level = chooseLevel(volume).value as number;
  if (volume.units === "HU") return { level, step: 100 };
  const h = histogram(volume, { bins: 256 });
  let bg = 0, tissue = 0, bgC = -1, tC = -1;
  for (let b = 0; b < 256; b++) {
    const v = (h.edges[b] + h.edges[b + 1]) / 2;
    if (v < level && h.counts[b] > bgC) { bgC = h.counts[b]; bg = v; }
    if (v > level && h.counts[b] > tC) { tC = h.counts[b]; tissue = v; }
  }
  return { level, step: ((tissue - bg) * 100) / 1030 };
}

/** The truth-set cases derived from each scan plus the phantoms, for one split. */
export function presenceTruthSet(scans: { name: string; volume: Volume }[], split: keyof typeof TRUTH_SPLITS = "test"): TruthCase[] {
  const s = TRUTH_SPLITS[split];
  const out: TruthCase[] = [];
  for (const { name, volume } of scans) {
    const { level, step } = levelAndStep(volume);
    const nose = anteriorMostPoint(volume, level);
    const pos = (kind: TruthCase["kind"], label: string, build: () => Volume, lv?: number): void => {
      out.push({ name: `${name}/${label}`, scan: name, fold: name, kind, face: true, ...(lv !== undefined ? { level: lv } : {}), build });
    };
    const neg = (kind: TruthCase["kind"], label: string, build: () => Volume): void => {
      out.push({ name: `${name}/${label}`, scan: name, fold: name, kind, face: false, build });
    };
    const BIG = 1e4;
    pos("scan", "scan", () => volume);
    for (const sp of s.spacings) pos("resample", `resample-${sp}mm`, () => resample(volume, { spacing: sp }));
    for (const k of s.levelSteps) pos("level", `level${k > 0 ? "+" : ""}${(k * step).toFixed(volume.units === "HU" ? 0 : 1)}`, () => volume, level + k * step);
    pos("crop", "crop-face-only", () => cropToBox(volume, {
      min: [nose[0] - 80, nose[1] - 20, nose[2] - 80], max: [nose[0] + 80, nose[1] + s.faceOnlyDepth, nose[2] + 70],
    }));
    pos("crop", "crop-forehead-cut", () => cropToBox(volume, { min: [-BIG, -BIG, -BIG], max: [BIG, BIG, nose[2] + s.foreheadCut] }));
    pos("crop", "crop-below-nose", () => cropToBox(volume, { min: [-BIG, -BIG, nose[2] + s.belowNoseCut], max: [BIG, BIG, BIG] }));
    for (const mm of s.planeCuts) neg("plane-cut", `plane-cut-${mm}mm`, () => blank(volume, (p) => p[1] < nose[1] + mm));
    neg("back-half", "back-half", () => {
      // The head's centre along anterior–posterior: the middle of the above-level extent.
      let minY = Infinity, maxY = -Infinity;
      const [nx, ny, nz] = volume.shape;
      for (let k = 0; k < nz; k += 2) for (let j = 0; j < ny; j += 2) for (let i = 0; i < nx; i += 2) {
        if (volume.data[i + nx * (j + ny * k)] <= level) continue;
        const y = voxelToPatient(volume, [i, j, k])[1];
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
      const mid = (minY + maxY) / 2;
      return blank(volume, (p) => p[1] < mid);
    });
  }
  const folds = scans.map((x) => x.name);
  const shapes = [...s.spheres.map((r) => ["sphere", r] as const), ...s.cylinders.map((r) => ["cylinder", r] as const)];
  shapes.forEach(([kind, r], q) => {
    out.push({ name: `phantom/${kind}-r${r}`, scan: "phantom", fold: folds[q % folds.length] ?? "phantom", kind: "phantom", face: false, build: () => phantom(kind, r) });
  });
  return out;
}
