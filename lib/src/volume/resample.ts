import { withSummary } from "../core/summary";
import { InvalidArgumentError } from "../core/errors";
import type { ProgressFn } from "../core/progress";
import type { Vec3, Volume } from "./types";

/** Options for {@link resample}. */
export interface ResampleOptions {
  /** Target voxel size in mm: one number for isotropic, or per axis. Default 1 mm (the seed). */
  spacing?: number | Vec3;
  /**
   * "linear" (trilinear), "nearest", or "cubic": a cubic B-spline through the samples (prefiltered,
   * mirror boundaries), like scipy.ndimage.zoom(order=3) that the seed used. Default "linear".
   */
  interpolation?: "linear" | "nearest" | "cubic";
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
  if (opts.interpolation === "cubic") return withSummary({ ...vol, data: cubicResample(vol, shape, target, opts.onProgress), shape, spacing: [...target] as Vec3 });
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
  return withSummary({ ...vol, data: out, shape, spacing: [...target] as Vec3 });
}

/** The cubic B-spline's pole: prefiltering with it makes the spline interpolate the samples. */
const POLE = Math.sqrt(3) - 2;

/**
 * In-place B-spline prefilter of n samples at data[start + q·stride] (Unser's recursive filter,
 * mirror boundary: …, s2, s1, s0, s1, s2, …).
 */
function prefilterLine(c: Float64Array, n: number): void {
  if (n < 2) return;
  const z = POLE;
  for (let q = 0; q < n; q++) c[q] *= 6; // (1 - z)(1 - 1/z)
  // Causal initialisation: the sum over the mirrored signal; exact (periodic, period 2n − 2) for
  // short lines, truncated where z^k is below float precision for long ones.
  const horizon = Math.ceil(Math.log(1e-9) / Math.log(Math.abs(z)));
  if (n < horizon) {
    const period = 2 * n - 2;
    let zk = 1, sum = 0;
    for (let q = 0; q < period; q++) {
      sum += zk * c[q < n ? q : period - q];
      zk *= z;
    }
    c[0] = sum / (1 - zk);
  } else {
    let zk = z, sum = c[0];
    for (let q = 1; q < horizon; q++) {
      sum += zk * c[q];
      zk *= z;
    }
    c[0] = sum;
  }
  for (let q = 1; q < n; q++) c[q] += z * c[q - 1];
  c[n - 1] = (z / (z * z - 1)) * (c[n - 1] + z * c[n - 2]);
  for (let q = n - 2; q >= 0; q--) c[q] = z * (c[q + 1] - c[q]);
}

/** Mirror an index into [0, n - 1] (…, 2, 1, 0, 1, 2, …, n - 2, n - 1, n - 2, …). */
function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

/** Per output sample: the four source indices and the cubic B-spline weights. */
function cubicTaps(m: number, n: number, ratio: number): { idx: Int32Array; w: Float64Array } {
  const idx = new Int32Array(4 * m), w = new Float64Array(4 * m);
  for (let t = 0; t < m; t++) {
    const f = Math.min(t * ratio, n - 1);
    const i = Math.floor(f), u = f - i;
    const u2 = u * u, u3 = u2 * u;
    const ws = [(1 - u) ** 3 / 6, (3 * u3 - 6 * u2 + 4) / 6, (-3 * u3 + 3 * u2 + 3 * u + 1) / 6, u3 / 6];
    for (let q = 0; q < 4; q++) {
      idx[4 * t + q] = mirror(i - 1 + q, n);
      w[4 * t + q] = ws[q];
    }
  }
  return { idx, w };
}

/** B-spline coefficients of the volume: the samples prefiltered along each axis (a new array). */
function prefiltered(vol: Volume, onProgress?: ProgressFn): Float32Array {
  const [nx, ny, nz] = vol.shape;
  const coef = new Float32Array(vol.data);
  const line = new Float64Array(Math.max(nx, ny, nz));
  // Lines are gathered into a double buffer for accuracy.
  const dims = [nx, ny, nz], strides = [1, nx, nx * ny];
  for (let a = 0; a < 3; a++) {
    const n = dims[a], st = strides[a];
    const [b, c] = [0, 1, 2].filter((x) => x !== a);
    for (let p = 0; p < dims[c]; p++) {
      for (let q = 0; q < dims[b]; q++) {
        const base = p * strides[c] + q * strides[b];
        for (let r = 0; r < n; r++) line[r] = coef[base + r * st];
        prefilterLine(line, n);
        for (let r = 0; r < n; r++) coef[base + r * st] = line[r];
      }
    }
    onProgress?.(a + 1, 6, "resample (prefilter)");
  }
  return coef;
}

/** Evaluate along x: (nx, ny, nz) → (mx, ny, nz). */
function alongX(coef: Float32Array, nx: number, rows: number, mx: number, ratio: number): Float32Array {
  const X = cubicTaps(mx, nx, ratio);
  const out = new Float32Array(mx * rows);
  for (let r = 0; r < rows; r++) {
    const src = r * nx, dst = r * mx;
    for (let i = 0; i < mx; i++) {
      const o = 4 * i;
      out[dst + i] = X.w[o] * coef[src + X.idx[o]] + X.w[o + 1] * coef[src + X.idx[o + 1]] + X.w[o + 2] * coef[src + X.idx[o + 2]] + X.w[o + 3] * coef[src + X.idx[o + 3]];
    }
  }
  return out;
}

/** Evaluate along y: (mx, ny, nz) → (mx, my, nz). */
function alongY(t1: Float32Array, mx: number, ny: number, nz: number, my: number, ratio: number): Float32Array {
  const Y = cubicTaps(my, ny, ratio);
  const out = new Float32Array(mx * my * nz);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < my; j++) {
      const o = 4 * j;
      const r0 = (k * ny + Y.idx[o]) * mx, r1 = (k * ny + Y.idx[o + 1]) * mx, r2 = (k * ny + Y.idx[o + 2]) * mx, r3 = (k * ny + Y.idx[o + 3]) * mx;
      const w0 = Y.w[o], w1 = Y.w[o + 1], w2 = Y.w[o + 2], w3 = Y.w[o + 3];
      const dst = (k * my + j) * mx;
      for (let i = 0; i < mx; i++) out[dst + i] = w0 * t1[r0 + i] + w1 * t1[r1 + i] + w2 * t1[r2 + i] + w3 * t1[r3 + i];
    }
  }
  return out;
}

/** Evaluate along z: (mx, my, nz) → (mx, my, mz). */
function alongZ(t2: Float32Array, sxy: number, nz: number, mz: number, ratio: number): Float32Array {
  const Z = cubicTaps(mz, nz, ratio);
  const out = new Float32Array(sxy * mz);
  for (let k = 0; k < mz; k++) {
    const o = 4 * k;
    const s0 = Z.idx[o] * sxy, s1 = Z.idx[o + 1] * sxy, s2 = Z.idx[o + 2] * sxy, s3 = Z.idx[o + 3] * sxy;
    const w0 = Z.w[o], w1 = Z.w[o + 1], w2 = Z.w[o + 2], w3 = Z.w[o + 3];
    const dst = k * sxy;
    for (let p = 0; p < sxy; p++) out[dst + p] = w0 * t2[s0 + p] + w1 * t2[s1 + p] + w2 * t2[s2 + p] + w3 * t2[s3 + p];
  }
  return out;
}

/**
 * Cubic B-spline resampling, separable: prefilter along each axis, then evaluate along x, y and z in
 * turn (each pass shrinks or grows one axis), so cost is linear in the voxels. Each intermediate can
 * be collected once the next pass has read it, which lowers the peak memory.
 */
function cubicResample(vol: Volume, shape: Vec3, target: Vec3, onProgress?: ProgressFn): Float32Array {
  const [nx, ny, nz] = vol.shape;
  const [mx, my, mz] = shape;
  const r = [0, 1, 2].map((a) => target[a] / vol.spacing[a]);
  // One variable, reassigned: the previous stage is unreferenced once the next one starts.
  let t = alongX(prefiltered(vol, onProgress), nx, ny * nz, mx, r[0]);
  onProgress?.(4, 6, "resample");
  t = alongY(t, mx, ny, nz, my, r[1]);
  onProgress?.(5, 6, "resample");
  t = alongZ(t, mx * my, nz, mz, r[2]);
  onProgress?.(6, 6, "resample");
  return t;
}
