import { InvalidArgumentError } from "../core/errors";
import type { ProgressFn } from "../core/progress";
import type { Vec3, Volume } from "./types";

/** Options for {@link resample}. */
export interface ResampleOptions {
  /** Target voxel size in mm: one number for isotropic, or per axis. Default 1 mm (the seed). */
  spacing?: number | Vec3;
  /** "linear" (trilinear) or "nearest". Default "linear". */
  interpolation?: "linear" | "nearest";
  onProgress?: ProgressFn;
}

/**
 * Resample to a new voxel size over the same physical extent (first to last voxel centre), keeping
 * origin and direction. The seed zoomed to round(shape × spacing) samples; this keeps exact spacing.
 */
export function resample(vol: Volume, opts: ResampleOptions = {}): Volume {
  const target: Vec3 = typeof opts.spacing === "number" || opts.spacing === undefined
    ? [opts.spacing ?? 1, opts.spacing ?? 1, opts.spacing ?? 1]
    : opts.spacing;
  if (!target.every((s) => s > 0 && Number.isFinite(s))) {
    throw new InvalidArgumentError(`resample: spacing must be positive, got [${target.join(", ")}]`);
  }
  const [nx, ny, nz] = vol.shape;
  const shape = [0, 1, 2].map((a) =>
    Math.max(1, Math.floor(((vol.shape[a] - 1) * vol.spacing[a]) / target[a] + 1e-6) + 1),
  ) as Vec3;
  const [mx, my, mz] = shape;
  const out = new Float32Array(mx * my * mz);
  const src = vol.data;
  const nearest = opts.interpolation === "nearest";
  const sxy = nx * ny;
  // Precompute per-axis source coordinates and weights: trilinear is separable.
  const axis = (m: number, a: number) => {
    const i0 = new Int32Array(m);
    const i1 = new Int32Array(m);
    const w = new Float32Array(m);
    const n = vol.shape[a];
    for (let t = 0; t < m; t++) {
      const f = Math.min((t * target[a]) / vol.spacing[a], n - 1);
      const lo = nearest ? Math.round(f) : Math.floor(f);
      i0[t] = lo;
      i1[t] = Math.min(lo + 1, n - 1);
      w[t] = nearest ? 0 : f - lo;
    }
    return { i0, i1, w };
  };
  const X = axis(mx, 0), Y = axis(my, 1), Z = axis(mz, 2);
  let o = 0;
  for (let k = 0; k < mz; k++) {
    const z0 = Z.i0[k] * sxy, z1 = Z.i1[k] * sxy, wz = Z.w[k];
    for (let j = 0; j < my; j++) {
      const y0 = Y.i0[j] * nx, y1 = Y.i1[j] * nx, wy = Y.w[j];
      const r00 = z0 + y0, r01 = z0 + y1, r10 = z1 + y0, r11 = z1 + y1;
      for (let i = 0; i < mx; i++, o++) {
        const x0 = X.i0[i], x1 = X.i1[i], wx = X.w[i];
        const c00 = src[r00 + x0] + (src[r00 + x1] - src[r00 + x0]) * wx;
        const c01 = src[r01 + x0] + (src[r01 + x1] - src[r01 + x0]) * wx;
        const c10 = src[r10 + x0] + (src[r10 + x1] - src[r10 + x0]) * wx;
        const c11 = src[r11 + x0] + (src[r11 + x1] - src[r11 + x0]) * wx;
        const c0 = c00 + (c01 - c00) * wy;
        const c1 = c10 + (c11 - c10) * wy;
        out[o] = c0 + (c1 - c0) * wz;
      }
    }
    opts.onProgress?.(k + 1, mz, "resample");
  }
  return { ...vol, data: out, shape, spacing: [...target] as Vec3 };
}
