import { InvalidArgumentError } from "../core/errors";
import { computeNormals } from "./normals";
import type { Mesh } from "./types";

/** Options for {@link taubinSmooth}. */
export interface TaubinOptions {
  /** Shrink/inflate step pairs. Default 10. */
  iterations?: number;
  /** Positive (shrinking) factor. Default 0.5. */
  lambda?: number;
  /** Negative (inflating) factor, |mu| > lambda. Default -0.53. */
  mu?: number;
}

/**
 * Taubin λ|μ smoothing (uniform Laplacian): alternating a shrinking and an inflating step removes
 * the staircase of marching cubes without the volume loss of plain Laplacian smoothing. Returns a new
 * mesh (same triangles); normals are recomputed when the input had them.
 */
export function taubinSmooth(mesh: Mesh, opts: TaubinOptions = {}): Mesh {
  const iterations = opts.iterations ?? 10, lambda = opts.lambda ?? 0.5, mu = opts.mu ?? -0.53;
  if (!Number.isInteger(iterations) || iterations < 0) throw new InvalidArgumentError(`taubinSmooth: iterations must be a non-negative integer, got ${iterations}`);
  if (!(lambda > 0) || !(mu < 0)) throw new InvalidArgumentError(`taubinSmooth: need lambda > 0 and mu < 0, got ${lambda}, ${mu}`);
  const T = mesh.triangles;
  const nv = mesh.positions.length / 3;
  const P = new Float32Array(mesh.positions);
  const Q = new Float32Array(P.length);
  const sum = new Float64Array(P.length);
  // 1 / neighbour count (each triangle edge counted from both ends); fixed between steps.
  const inv = new Float64Array(nv);
  for (let t = 0; t < T.length; t += 3) {
    inv[T[t]] += 2; inv[T[t + 1]] += 2; inv[T[t + 2]] += 2;
  }
  for (let v = 0; v < nv; v++) inv[v] = inv[v] > 0 ? 1 / inv[v] : 0;
  // One Laplacian step from P into Q (plain function over its arguments: no captured, reassigned arrays).
  const step = (P: Float32Array, Q: Float32Array, f: number) => {
    for (let t = 0; t < T.length; t += 3) {
      const a = T[t] * 3, b = T[t + 1] * 3, c = T[t + 2] * 3;
      const ax = P[a], ay = P[a + 1], az = P[a + 2];
      const bx = P[b], by = P[b + 1], bz = P[b + 2];
      const cx = P[c], cy = P[c + 1], cz = P[c + 2];
      sum[a] += bx + cx; sum[a + 1] += by + cy; sum[a + 2] += bz + cz;
      sum[b] += ax + cx; sum[b + 1] += ay + cy; sum[b + 2] += az + cz;
      sum[c] += ax + bx; sum[c + 1] += ay + by; sum[c + 2] += az + bz;
    }
    for (let v = 0, o = 0; v < nv; v++, o += 3) {
      const w = inv[v];
      if (w === 0) {
        Q[o] = P[o]; Q[o + 1] = P[o + 1]; Q[o + 2] = P[o + 2];
        continue;
      }
      Q[o] = P[o] + f * (sum[o] * w - P[o]);
      Q[o + 1] = P[o + 1] + f * (sum[o + 1] * w - P[o + 1]);
      Q[o + 2] = P[o + 2] + f * (sum[o + 2] * w - P[o + 2]);
      // Reset while here: saves a separate pass over the sums.
      sum[o] = 0; sum[o + 1] = 0; sum[o + 2] = 0;
    }
  };
  for (let it = 0; it < iterations; it++) {
    step(P, Q, lambda);
    step(Q, P, mu);
  }
  const out: Mesh = { positions: P, triangles: mesh.triangles };
  return mesh.normals ? computeNormals(out) : out;
}
