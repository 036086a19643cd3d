import { InvalidArgumentError } from "../core/errors";
import { meshArea, meshBounds } from "./measure";
import type { Mesh } from "./types";

/** Options for {@link decimate}. */
export interface DecimateOptions {
  /** Upper bound on the output's triangle count. */
  targetTriangles: number;
}

/** A decimated mesh plus the clustering cell size used (each vertex moved by at most √3 × cellSize). */
export interface DecimatedMesh extends Mesh {
  cellSize: number;
}

/** Hash table sizes are powers of two, at least twice the entries. */
function tableSize(n: number): number {
  let s = 1024;
  while (s < 2 * n) s *= 2;
  return s;
}

/** Cell grid of side h over the mesh's box: one integer key per cell (fits 2^31 cells or fails). */
interface CellGrid {
  origin: [number, number, number];
  inv: number;
  nx: number;
  nxy: number;
}

function cellGrid(bounds: { min: number[]; max: number[] }, h: number): CellGrid | null {
  const { min, max } = bounds;
  const n = [0, 1, 2].map((a) => Math.floor((max[a] - min[a]) / h) + 1);
  if (n[0] * n[1] * n[2] >= 2 ** 31) return null;
  return { origin: [min[0], min[1], min[2]], inv: 1 / h, nx: n[0], nxy: n[0] * n[1] };
}

/**
 * Cluster id of every vertex (cells numbered in first-seen order) and the number of clusters, with
 * an open-addressing table keyed on the cell's integer index (key + 1, so 0 marks an empty slot).
 */
function clusterIds(P: Float32Array, g: CellGrid): { cid: Int32Array; nc: number } {
  const nv = P.length / 3;
  const size = tableSize(nv);
  const mask = size - 1;
  const keys = new Int32Array(size), vals = new Int32Array(size);
  const cid = new Int32Array(nv);
  const { origin, inv, nx, nxy } = g;
  let nc = 0;
  for (let v = 0; v < nv; v++) {
    const key = 1 + Math.floor((P[3 * v] - origin[0]) * inv) + nx * Math.floor((P[3 * v + 1] - origin[1]) * inv) + nxy * Math.floor((P[3 * v + 2] - origin[2]) * inv);
    let s = Math.imul(key, 0x9e3779b1) >>> 0 & mask;
    for (;;) {
      const k = keys[s];
      if (k === key) break;
      if (k === 0) {
        keys[s] = key;
        vals[s] = nc++;
        break;
      }
      s = (s + 1) & mask;
    }
    cid[v] = vals[s];
  }
  return { cid, nc };
}

/**
 * One clustering pass: vertices snapped to cubic cells, one vertex per occupied cell at the mean of
 * its members; triangles whose corners fall in fewer than three cells, that turn over, or that repeat
 * an earlier one, vanish.
 */
function cluster(mesh: Mesh, g: CellGrid, ids = clusterIds(mesh.positions, g)): Mesh {
  const P = mesh.positions, T = mesh.triangles, N = mesh.normals;
  const nv = P.length / 3;
  const { cid, nc } = ids;
  const cpos = new Float64Array(nc * 3);
  const cnt = new Float64Array(nc);
  const nsum = N ? new Float64Array(nc * 3) : null;
  for (let v = 0; v < nv; v++) {
    const c = cid[v];
    cnt[c]++;
    cpos[3 * c] += P[3 * v]; cpos[3 * c + 1] += P[3 * v + 1]; cpos[3 * c + 2] += P[3 * v + 2];
    if (nsum && N) {
      nsum[3 * c] += N[3 * v]; nsum[3 * c + 1] += N[3 * v + 1]; nsum[3 * c + 2] += N[3 * v + 2];
    }
  }
  for (let c = 0; c < nc; c++) {
    const w = 1 / cnt[c];
    cpos[3 * c] *= w; cpos[3 * c + 1] *= w; cpos[3 * c + 2] *= w;
  }
  // Surviving triangles: corners in three cells, not turned over by the snapping (a thin sheet such as
  // an ear collapses onto itself), and not repeating an earlier triangle's oriented cycle. Both
  // orientations of a collapsed two-sided sheet survive, so it shows a front face from either side.
  const nt = T.length / 3;
  const out = new Uint32Array(T.length);
  let kept = 0;
  // Dedup table on (first id + 1, second · 2^21 + third) of the cycle rotated to its smallest id.
  const tsize = tableSize(Math.min(nt, 4 * nc));
  const tmask = tsize - 1;
  const tk1 = new Int32Array(tsize), tk2 = new Float64Array(tsize);
  for (let t = 0; t < nt; t++) {
    const va = T[3 * t], vb = T[3 * t + 1], vc = T[3 * t + 2];
    const a = cid[va], b = cid[vb], c = cid[vc];
    if (a === b || b === c || a === c) continue;
    const ox = P[3 * vb] - P[3 * va], oy = P[3 * vb + 1] - P[3 * va + 1], oz = P[3 * vb + 2] - P[3 * va + 2];
    const px = P[3 * vc] - P[3 * va], py = P[3 * vc + 1] - P[3 * va + 1], pz = P[3 * vc + 2] - P[3 * va + 2];
    const ux = cpos[3 * b] - cpos[3 * a], uy = cpos[3 * b + 1] - cpos[3 * a + 1], uz = cpos[3 * b + 2] - cpos[3 * a + 2];
    const wx = cpos[3 * c] - cpos[3 * a], wy = cpos[3 * c + 1] - cpos[3 * a + 1], wz = cpos[3 * c + 2] - cpos[3 * a + 2];
    const dot = (oy * pz - oz * py) * (uy * wz - uz * wy) + (oz * px - ox * pz) * (uz * wx - ux * wz) + (ox * py - oy * px) * (ux * wy - uy * wx);
    if (!(dot > 0)) continue;
    let p = a, q = b, r = c;
    if (q < p && q < r) { p = b; q = c; r = a; } else if (r < p && r < q) { p = c; q = a; r = b; }
    const k1 = p + 1, k2 = q * 2097152 + r;
    let s = (Math.imul(k1, 0x9e3779b1) ^ Math.imul(q, 0x85ebca6b) ^ r) >>> 0 & tmask;
    let dup = false;
    for (;;) {
      const e = tk1[s];
      if (e === 0) {
        tk1[s] = k1; tk2[s] = k2;
        break;
      }
      if (e === k1 && tk2[s] === k2) {
        dup = true;
        break;
      }
      s = (s + 1) & tmask;
    }
    if (dup) continue;
    out[3 * kept] = a; out[3 * kept + 1] = b; out[3 * kept + 2] = c;
    kept++;
    // Keep the table at most half full (rare: only when far more triangles survive than 2 × cells).
    if (2 * kept > tsize) throw new Error("decimate: dedup table overflow");
  }
  // Renumber the clusters that triangles use.
  const remap = new Int32Array(nc).fill(-1);
  const tris = out.subarray(0, kept * 3);
  let m = 0;
  for (let q = 0; q < tris.length; q++) {
    const c = tris[q];
    if (remap[c] < 0) remap[c] = m++;
    tris[q] = remap[c];
  }
  const positions = new Float32Array(m * 3);
  const normals = nsum ? new Float32Array(m * 3) : undefined;
  for (let c = 0; c < nc; c++) {
    const r = remap[c];
    if (r < 0) continue;
    positions[3 * r] = cpos[3 * c]; positions[3 * r + 1] = cpos[3 * c + 1]; positions[3 * r + 2] = cpos[3 * c + 2];
    if (normals && nsum) {
      const x = nsum[3 * c], y = nsum[3 * c + 1], z = nsum[3 * c + 2];
      const l = Math.hypot(x, y, z) || 1;
      normals[3 * r] = x / l; normals[3 * r + 1] = y / l; normals[3 * r + 2] = z / l;
    }
  }
  const result: Mesh = { positions, triangles: tris.slice() };
  if (normals) result.normals = normals;
  return result;
}

/**
 * Reduce a mesh to at most `targetTriangles` by vertex clustering on a uniform grid, for rendering
 * under a triangle budget: linear time (a few hundred ms for millions of triangles), and every vertex
 * moves by at most the cell diagonal. The cell size comes from the area, is tuned on the cheap count
 * of occupied cells (a clustered surface has about two triangles per cell), then grown if the exact
 * result is still over budget. A mesh already within budget is returned unchanged (cellSize 0).
 */
export function decimate(mesh: Mesh, opts: DecimateOptions): DecimatedMesh {
  const target = opts?.targetTriangles;
  if (!Number.isFinite(target) || target < 1) throw new InvalidArgumentError(`decimate: targetTriangles must be a positive number, got ${target}`);
  const nt = mesh.triangles.length / 3;
  if (nt <= target) return { ...mesh, cellSize: 0 };
  const bounds = meshBounds(mesh);
  const { min, max } = bounds;
  const diag = Math.hypot(max[0] - min[0], max[1] - min[1], max[2] - min[2]);
  // A surface cut by cells of side h keeps about 2·area/h² triangles.
  let h = Math.max(Math.sqrt((2 * meshArea(mesh)) / target), diag * 1e-6);
  const aim = 0.92 * target;
  let ids: ReturnType<typeof clusterIds> | undefined;
  for (let attempt = 0; attempt < 6; attempt++) {
    const g = cellGrid(bounds, h);
    if (!g) { h *= 2; continue; }
    const c = clusterIds(mesh.positions, g);
    const est = 2 * c.nc;
    if (est <= target && est >= 0.8 * target) {
      ids = c; // reused by the first exact pass below
      break;
    }
    h *= Math.sqrt(est / aim);
  }
  for (let attempt = 0; ; attempt++) {
    const g = cellGrid(bounds, h);
    if (g) {
      const result = cluster(mesh, g, ids);
      const count = result.triangles.length / 3;
      if (count <= target || attempt >= 40) return { ...result, cellSize: h };
      h *= Math.sqrt(count / target) * 1.02;
    } else {
      h *= 2;
    }
    ids = undefined;
  }
}
