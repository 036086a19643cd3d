import { InvalidArgumentError } from "../core/errors";
import type { Volume } from "./types";

/** A 2D plane cut from a volume: `data[u + width·v]`, with the pixel size in mm along u and v. */
export interface VolumeSlice {
  data: Float32Array;
  width: number;
  height: number;
  pixelSpacing: [number, number];
  /** Which voxel axis was held fixed (0 = i, 1 = j, 2 = k) and at which index. */
  axis: 0 | 1 | 2;
  index: number;
}

/** The plane of voxels with voxel axis `axis` fixed at `index` (default: the middle). */
export function extractSlice(vol: Volume, axis: 0 | 1 | 2, index?: number): VolumeSlice {
  const [nx, ny] = vol.shape;
  const at = index ?? Math.floor(vol.shape[axis] / 2);
  if (!Number.isInteger(at) || at < 0 || at >= vol.shape[axis]) {
    throw new InvalidArgumentError(`extractSlice: index ${at} outside 0…${vol.shape[axis] - 1} on axis ${axis}`);
  }
  const [uAxis, vAxis] = axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
  const width = vol.shape[uAxis], height = vol.shape[vAxis];
  const data = new Float32Array(width * height);
  const stride = [1, nx, nx * ny];
  const base = at * stride[axis];
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      data[u + width * v] = vol.data[base + u * stride[uAxis] + v * stride[vAxis]];
    }
  }
  return { data, width, height, pixelSpacing: [vol.spacing[uAxis], vol.spacing[vAxis]], axis, index: at };
}
