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
  let P = new Float32Array(mesh.positions);
  let Q = new Float32Array(P.length);
  const sum = new Float64Array(P.length);
  // Neighbour counts (each triangle edge counted from both ends) do not change between steps.
  const count = new Float64Array(nv);
  for (let t = 0; t < T.length; t += 3) {
    count[T[t]] += 2; count[T[t + 1]] += 2; count[T[t + 2]] += 2;
  }
  const step = (f: number) => {
    sum.fill(0);
    for (let t = 0; t < T.length; t += 3) {
      const a = T[t] * 3, b = T[t + 1] * 3, c = T[t + 2] * 3;
      for (let d = 0; d < 3; d++) {
        const pa = P[a + d], pb = P[b + d], pc = P[c + d];
        sum[a + d] += pb + pc;
        sum[b + d] += pa + pc;
        sum[c + d] += pa + pb;
      }
    }
    for (let v = 0; v < nv; v++) {
      const n = count[v];
      for (let d = 0; d < 3; d++) {
        const o = 3 * v + d;
        Q[o] = n > 0 ? P[o] + f * (sum[o] / n - P[o]) : P[o];
      }
    }
    [P, Q] = [Q, P];
  };
  for (let it = 0; it < iterations; it++) {
    step(lambda);
    step(mu);
  }
  const out: Mesh = { positions: P, triangles: mesh.triangles };
  return mesh.normals ? computeNormals(out) : out;
}
