import type { Mesh } from "./types";

/** The mesh with area-weighted unit vertex normals (outward for counter-clockwise winding). */
export function computeNormals(mesh: Mesh): Mesh {
  const P = mesh.positions, T = mesh.triangles;
  const N = new Float32Array(P.length);
  for (let t = 0; t < T.length; t += 3) {
    const a = T[t] * 3, b = T[t + 1] * 3, c = T[t + 2] * 3;
    const ux = P[b] - P[a], uy = P[b + 1] - P[a + 1], uz = P[b + 2] - P[a + 2];
    const vx = P[c] - P[a], vy = P[c + 1] - P[a + 1], vz = P[c + 2] - P[a + 2];
    // The cross product's length is twice the area: summing it weights by area.
    const cx = uy * vz - uz * vy, cy = uz * vx - ux * vz, cz = ux * vy - uy * vx;
    N[a] += cx; N[a + 1] += cy; N[a + 2] += cz;
    N[b] += cx; N[b + 1] += cy; N[b + 2] += cz;
    N[c] += cx; N[c + 1] += cy; N[c + 2] += cz;
  }
  for (let o = 0; o < N.length; o += 3) {
    const l = Math.sqrt(N[o] * N[o] + N[o + 1] * N[o + 1] + N[o + 2] * N[o + 2]);
    if (l > 0) {
      N[o] /= l; N[o + 1] /= l; N[o + 2] /= l;
    }
  }
  return { positions: mesh.positions, triangles: mesh.triangles, normals: N };
}
