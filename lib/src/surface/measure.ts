import type { Vec3 } from "../volume/types";
import type { Mesh } from "./types";

/** Total surface area of the triangles (mm² for a mesh in mm). */
export function meshArea(mesh: Mesh): number {
  const P = mesh.positions, T = mesh.triangles;
  let area = 0;
  for (let t = 0; t < T.length; t += 3) {
    const a = T[t] * 3, b = T[t + 1] * 3, c = T[t + 2] * 3;
    const ux = P[b] - P[a], uy = P[b + 1] - P[a + 1], uz = P[b + 2] - P[a + 2];
    const vx = P[c] - P[a], vy = P[c + 1] - P[a + 1], vz = P[c + 2] - P[a + 2];
    const cx = uy * vz - uz * vy, cy = uz * vx - ux * vz, cz = ux * vy - uy * vx;
    area += Math.sqrt(cx * cx + cy * cy + cz * cz);
  }
  return area / 2;
}

/**
 * Signed volume enclosed by the mesh (mm³), by the divergence theorem: positive when the triangles
 * wind counter-clockwise seen from outside. Exact for a closed surface; for an open one it depends on
 * the reference point, taken at the bounding-box centre.
 */
export function meshVolume(mesh: Mesh): number {
  const P = mesh.positions, T = mesh.triangles;
  if (T.length === 0) return 0;
  // Measure from the box centre: less cancellation than from the origin far away.
  const { min, max } = meshBounds(mesh);
  const ox = (min[0] + max[0]) / 2, oy = (min[1] + max[1]) / 2, oz = (min[2] + max[2]) / 2;
  let v6 = 0;
  for (let t = 0; t < T.length; t += 3) {
    const a = T[t] * 3, b = T[t + 1] * 3, c = T[t + 2] * 3;
    const ax = P[a] - ox, ay = P[a + 1] - oy, az = P[a + 2] - oz;
    const bx = P[b] - ox, by = P[b + 1] - oy, bz = P[b + 2] - oz;
    const cx = P[c] - ox, cy = P[c + 1] - oy, cz = P[c + 2] - oz;
    v6 += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
  }
  return v6 / 6;
}

/** Axis-aligned bounding box of the vertices (mm); min > max (±Infinity) for an empty mesh. */
export function meshBounds(mesh: Mesh): { min: Vec3; max: Vec3 } {
  const P = mesh.positions;
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  for (let o = 0; o < P.length; o += 3) {
    const x = P[o], y = P[o + 1], z = P[o + 2];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (z < z0) z0 = z;
    if (z > z1) z1 = z;
  }
  return { min: [x0, y0, z0], max: [x1, y1, z1] };
}

/** Counts a mesh's topology: boundary edges (in one triangle), non-manifold edges (in three or more). */
export function meshEdgeStats(mesh: Mesh): { edges: number; boundaryEdges: number; nonManifoldEdges: number; degenerateTriangles: number } {
  const T = mesh.triangles;
  const nv = mesh.positions.length / 3;
  // Sort undirected edges (lo * nv + hi fits a double exactly for nv < 2^26).
  const keys = new Float64Array(T.length);
  let degenerate = 0;
  for (let t = 0; t < T.length; t += 3) {
    const a = T[t], b = T[t + 1], c = T[t + 2];
    if (a === b || b === c || a === c) degenerate++;
    keys[t] = a < b ? a * nv + b : b * nv + a;
    keys[t + 1] = b < c ? b * nv + c : c * nv + b;
    keys[t + 2] = c < a ? c * nv + a : a * nv + c;
  }
  keys.sort();
  let edges = 0, boundary = 0, nonManifold = 0;
  for (let i = 0; i < keys.length;) {
    let j = i + 1;
    while (j < keys.length && keys[j] === keys[i]) j++;
    edges++;
    if (j - i === 1) boundary++;
    else if (j - i > 2) nonManifold++;
    i = j;
  }
  return { edges, boundaryEdges: boundary, nonManifoldEdges: nonManifold, degenerateTriangles: degenerate };
}
