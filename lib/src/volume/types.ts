/** A 3-vector in patient space (LPS, millimetres) or voxel index space. */
export type Vec3 = [number, number, number];

/**
 * Direction cosines as three column vectors, flattened: entries 0–2 are the i (x, fastest) axis
 * in LPS, 3–5 the j axis, 6–8 the k (slice) axis. voxel (i,j,k) → patient
 * = origin + i·sx·d[0..2] + j·sy·d[3..5] + k·sz·d[6..8].
 */
export type Direction = [number, number, number, number, number, number, number, number, number];

/** What the voxel values mean. */
export type VolumeUnits = "HU" | "MR" | "stored";

/**
 * A 3D scalar image: x fastest (index = i + nx·(j + ny·k)), geometry in patient LPS millimetres.
 * The typed array is the storage; `asNdarray` wraps it without copying.
 */
export interface Volume {
  data: Float32Array;
  /** `[nx, ny, nz]`: columns, rows, slices. */
  shape: Vec3;
  /** Voxel size in mm along i, j, k. */
  spacing: Vec3;
  /** Patient position (LPS mm) of voxel (0,0,0)'s centre. */
  origin: Vec3;
  direction: Direction;
  /** DICOM Modality (CT, MR, …) or "" when unknown. */
  modality: string;
  units: VolumeUnits;
}

/** A binary mask with the geometry of the Volume it belongs to (1 = inside). */
export interface Mask {
  data: Uint8Array;
  shape: Vec3;
  spacing: Vec3;
  origin: Vec3;
  direction: Direction;
}

/** Anatomical axis names in LPS: +x = Left, +y = Posterior, +z = Superior. */
export type AnatomicalAxis = "L" | "R" | "P" | "A" | "S" | "I";
