import { type Mesh, type Vec3, type Volume } from "unmask";
import { createVolume, type Direction } from "unmask/volume";

/**
 * A volume sampling f(patient position) on a grid: value at voxel (i, j, k) is f(x, y, z) with
 * (x, y, z) = origin + direction · (spacing ⊙ (i, j, k)), the library's own voxel → patient mapping.
 */
export function sampleField(shape: Vec3, f: (x: number, y: number, z: number) => number, geometry: { spacing?: Vec3; origin?: Vec3; direction?: Direction } = {}): Volume {
  const spacing = geometry.spacing ?? [1, 1, 1];
  const origin = geometry.origin ?? [0, 0, 0];
  const d = geometry.direction ?? [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const [nx, ny, nz] = shape;
  const data = new Float32Array(nx * ny * nz);
  let o = 0;
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const a = i * spacing[0], b = j * spacing[1], c = k * spacing[2];
    data[o++] = f(origin[0] + a * d[0] + b * d[3] + c * d[6], origin[1] + a * d[1] + b * d[4] + c * d[7], origin[2] + a * d[2] + b * d[5] + c * d[8]);
  }
  return createVolume({ shape, spacing, origin, direction: d, data });
}

/** Bright ball of radius r around c: value = r − distance (so the level-0 surface is the sphere). */
export function ball(c: Vec3, r: number) {
  return (x: number, y: number, z: number) => r - Math.hypot(x - c[0], y - c[1], z - c[2]);
}

/** Ellipsoid with semi-axes (a, b, c) about centre m: value = 1 − ‖((x−mx)/a, …)‖, scaled to mm near the surface. */
export function ellipsoid(m: Vec3, axes: Vec3) {
  const s = Math.min(...axes);
  return (x: number, y: number, z: number) => s * (1 - Math.hypot((x - m[0]) / axes[0], (y - m[1]) / axes[1], (z - m[2]) / axes[2]));
}

/** Surface area of an ellipsoid by numerical integration of |r_u × r_v| (midpoint rule, converged to ~1e-7). */
export function ellipsoidArea(a: number, b: number, c: number): number {
  const nu = 2000, nv = 1000;
  let sum = 0;
  for (let p = 0; p < nv; p++) {
    const v = ((p + 0.5) / nv) * Math.PI;
    const sv = Math.sin(v), cv = Math.cos(v);
    for (let q = 0; q < nu; q++) {
      const u = ((q + 0.5) / nu) * 2 * Math.PI;
      const su = Math.sin(u), cu = Math.cos(u);
      // r = (a cos u sin v, b sin u sin v, c cos v)
      const nx = b * c * cu * sv * sv, ny = a * c * su * sv * sv, nz = a * b * sv * cv;
      sum += Math.hypot(nx, ny, nz);
    }
  }
  return sum * ((2 * Math.PI) / nu) * (Math.PI / nv);
}

/** Areas of every triangle. */
export function triangleAreas(mesh: Mesh): Float64Array {
  const P = mesh.positions, T = mesh.triangles;
  const out = new Float64Array(T.length / 3);
  for (let t = 0; t < out.length; t++) {
    const a = 3 * T[3 * t], b = 3 * T[3 * t + 1], c = 3 * T[3 * t + 2];
    const ux = P[b] - P[a], uy = P[b + 1] - P[a + 1], uz = P[b + 2] - P[a + 2];
    const vx = P[c] - P[a], vy = P[c + 1] - P[a + 1], vz = P[c + 2] - P[a + 2];
    out[t] = 0.5 * Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx);
  }
  return out;
}

/** Mean of the vertex positions. */
export function centroid(mesh: Mesh): Vec3 {
  const P = mesh.positions;
  const c: Vec3 = [0, 0, 0];
  for (let o = 0; o < P.length; o += 3) for (let d = 0; d < 3; d++) c[d] += P[o + d];
  return c.map((x) => (x * 3) / P.length) as Vec3;
}

/** Relative difference |a − b| / |b|. */
export const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** Smallest value of a (possibly huge) array. */
export function minOf(a: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] < m) m = a[i];
  return m;
}
