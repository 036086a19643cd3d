import { withSummary } from "../core/summary";
import ndarray from "ndarray";
import { InvalidArgumentError } from "../core/errors";
import type { AnatomicalAxis, Direction, Vec3, Volume, VolumeUnits } from "./types";
import { deepFreeze } from "../core/freeze";

/** The identity direction: i → L, j → P, k → S (an axial scan as most scanners write it). */
export const IDENTITY_DIRECTION: Readonly<Direction> = deepFreeze([1, 0, 0, 0, 1, 0, 0, 0, 1]);

/**
 * Create a volume filled with `fill` (or wrapping `data` when given: the voxels are shared, not
 * copied). Shape, spacing, origin and direction are fresh arrays, never the caller's or a constant.
 */
export function createVolume(opts: {
  shape: Vec3;
  spacing?: Readonly<Vec3>;
  origin?: Readonly<Vec3>;
  direction?: Readonly<Direction>;
  data?: Float32Array;
  fill?: number;
  modality?: string;
  units?: VolumeUnits;
}): Volume {
  const [nx, ny, nz] = opts.shape;
  if (![nx, ny, nz].every((n) => Number.isInteger(n) && n > 0)) {
    throw new InvalidArgumentError(`createVolume: shape must be three positive integers, got [${opts.shape.join(", ")}]`);
  }
  const n = nx * ny * nz;
  let data = opts.data;
  if (data && data.length !== n) {
    throw new InvalidArgumentError(`createVolume: data has ${data.length} values, shape needs ${n}`);
  }
  if (!data) {
    data = new Float32Array(n);
    if (opts.fill) data.fill(opts.fill);
  }
  return withSummary({
    data,
    shape: [nx, ny, nz],
    spacing: [...(opts.spacing ?? [1, 1, 1])] as Vec3,
    origin: [...(opts.origin ?? [0, 0, 0])] as Vec3,
    direction: [...(opts.direction ?? IDENTITY_DIRECTION)] as Direction,
    modality: opts.modality ?? "",
    units: opts.units ?? "stored",
  });
}

/** Linear index of voxel (i, j, k). */
export function voxelIndex(vol: { shape: Vec3 }, i: number, j: number, k: number): number {
  return i + vol.shape[0] * (j + vol.shape[1] * k);
}

/** Value at voxel (i, j, k). */
export function valueAt(vol: Volume, i: number, j: number, k: number): number {
  return vol.data[voxelIndex(vol, i, j, k)];
}

/** The part of a volume that places voxels in patient space (what the voxel ↔ patient mappings read). */
export type VolumeGeometry = Pick<Volume, "spacing" | "origin" | "direction">;


/** Patient position (LPS mm) of a (possibly fractional) voxel index. */
export function voxelToPatient(vol: VolumeGeometry, ijk: Vec3): Vec3 {
  const d = vol.direction;
  const a = ijk[0] * vol.spacing[0];
  const b = ijk[1] * vol.spacing[1];
  const c = ijk[2] * vol.spacing[2];
  return [
    vol.origin[0] + a * d[0] + b * d[3] + c * d[6],
    vol.origin[1] + a * d[1] + b * d[4] + c * d[7],
    vol.origin[2] + a * d[2] + b * d[5] + c * d[8],
  ];
}

/** Fractional voxel index of a patient position (LPS mm); the direction must be orthonormal. */
export function patientToVoxel(vol: VolumeGeometry, p: Vec3): Vec3 {
  const d = vol.direction;
  const x = p[0] - vol.origin[0];
  const y = p[1] - vol.origin[1];
  const z = p[2] - vol.origin[2];
  return [
    (x * d[0] + y * d[1] + z * d[2]) / vol.spacing[0],
    (x * d[3] + y * d[4] + z * d[5]) / vol.spacing[1],
    (x * d[6] + y * d[7] + z * d[8]) / vol.spacing[2],
  ];
}

/** An ndarray view (shape [nx, ny, nz]) over the volume's storage, without copying. */
export function asNdarray(vol: Volume): ndarray.NdArray<Float32Array> {
  const [nx, ny, nz] = vol.shape;
  return ndarray(vol.data, [nx, ny, nz], [1, nx, nx * ny], 0);
}

/** The closest anatomical direction of each voxel axis, e.g. ["L", "P", "S"] for a standard axial scan. */
export function axisCodes(direction: Direction): [AnatomicalAxis, AnatomicalAxis, AnatomicalAxis] {
  const code = (v: number[]): AnatomicalAxis => {
    const a = v.map(Math.abs);
    const m = a.indexOf(Math.max(...a));
    const pos: AnatomicalAxis[] = ["L", "P", "S"];
    const neg: AnatomicalAxis[] = ["R", "A", "I"];
    return v[m] >= 0 ? pos[m] : neg[m];
  };
  return [code(direction.slice(0, 3)), code(direction.slice(3, 6)), code(direction.slice(6, 9))];
}

/** Patient-space bounding box (LPS mm) of the voxel centres. */
export function patientBounds(vol: Volume): { min: Vec3; max: Vec3 } {
  const [nx, ny, nz] = vol.shape;
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const i of [0, nx - 1]) for (const j of [0, ny - 1]) for (const k of [0, nz - 1]) {
    const p = voxelToPatient(vol, [i, j, k]);
    for (let a = 0; a < 3; a++) {
      min[a] = Math.min(min[a], p[a]);
      max[a] = Math.max(max[a], p[a]);
    }
  }
  return { min, max };
}
