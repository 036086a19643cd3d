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

/**
 * One clustering pass: vertices snapped to cubic cells of side h, one vertex per occupied cell at the
 * mean of its members; triangles whose corners fall in fewer than three cells, and repeats, vanish.
 */
function cluster(mesh: Mesh, h: number, origin: [number, number, number], buildMesh: boolean): { triangles: number; mesh?: Mesh } {
  const P = mesh.positions, T = mesh.triangles;
  const nv = P.length / 3;
  const size = tableSize(nv);
  const mask = size - 1;
  // Open-addressing table from cell (ix, iy, iz) to cluster id.
  const kx = new Int32Array(size), ky = new Int32Array(size), kz = new Int32Array(size);
  const val = new Int32Array(size).fill(-1);
  const cid = new Int32Array(nv);
  let nc = 0;
  const inv = 1 / h;
  for (let v = 0; v < nv; v++) {
    const ix = Math.floor((P[3 * v] - origin[0]) * inv);
    const iy = Math.floor((P[3 * v + 1] - origin[1]) * inv);
    const iz = Math.floor((P[3 * v + 2] - origin[2]) * inv);
    let s = (Math.imul(ix, 73856093) ^ Math.imul(iy, 19349663) ^ Math.imul(iz, 83492791)) & mask;
    for (;;) {
      if (val[s] < 0) {
        kx[s] = ix; ky[s] = iy; kz[s] = iz; val[s] = nc++;
        break;
      }
      if (kx[s] === ix && ky[s] === iy && kz[s] === iz) break;
      s = (s + 1) & mask;
    }
    cid[v] = val[s];
  }
  // Surviving triangles, de-duplicated on their (unordered) cluster triple.
  const nt = T.length / 3;
  const tsize = tableSize(nt);
  const tmask = tsize - 1;
  const ta = new Int32Array(tsize).fill(-1), tb = new Int32Array(tsize), tc = new Int32Array(tsize);
  const out = buildMesh ? new Uint32Array(T.length) : null;
  let kept = 0;
  for (let t = 0; t < nt; t++) {
    const a = cid[T[3 * t]], b = cid[T[3 * t + 1]], c = cid[T[3 * t + 2]];
    if (a === b || b === c || a === c) continue;
    const lo = Math.min(a, b, c), hi = Math.max(a, b, c), mid = a + b + c - lo - hi;
    let s = (Math.imul(lo, 73856093) ^ Math.imul(mid, 19349663) ^ Math.imul(hi, 83492791)) & tmask;
    let dup = false;
    for (;;) {
      if (ta[s] < 0) {
        ta[s] = lo; tb[s] = mid; tc[s] = hi;
        break;
      }
      if (ta[s] === lo && tb[s] === mid && tc[s] === hi) {
        dup = true;
        break;
      }
      s = (s + 1) & tmask;
    }
    if (dup) continue;
    if (out) {
      out[3 * kept] = a; out[3 * kept + 1] = b; out[3 * kept + 2] = c;
    }
    kept++;
  }
  if (!out) return { triangles: kept };
  // Cluster positions (and normals) = means of their members; then drop clusters no triangle uses.
  const sum = new Float64Array(nc * 3);
  const cnt = new Float64Array(nc);
  const N = mesh.normals;
  const nsum = N ? new Float64Array(nc * 3) : null;
  for (let v = 0; v < nv; v++) {
    const c = cid[v];
    cnt[c]++;
    sum[3 * c] += P[3 * v]; sum[3 * c + 1] += P[3 * v + 1]; sum[3 * c + 2] += P[3 * v + 2];
    if (nsum && N) {
      nsum[3 * c] += N[3 * v]; nsum[3 * c + 1] += N[3 * v + 1]; nsum[3 * c + 2] += N[3 * v + 2];
    }
  }
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
    for (let d = 0; d < 3; d++) positions[3 * r + d] = sum[3 * c + d] / cnt[c];
    if (normals && nsum) {
      const x = nsum[3 * c], y = nsum[3 * c + 1], z = nsum[3 * c + 2];
      const l = Math.hypot(x, y, z) || 1;
      normals[3 * r] = x / l; normals[3 * r + 1] = y / l; normals[3 * r + 2] = z / l;
    }
  }
  const result: Mesh = { positions, triangles: tris.slice() };
  if (normals) result.normals = normals;
  return { triangles: kept, mesh: result };
}

/**
 * Reduce a mesh to at most `targetTriangles` by vertex clustering on a uniform grid, for rendering
 * under a triangle budget: linear time (a few hundred ms for millions of triangles), and every vertex
 * moves by at most the cell diagonal. The cell size is found from the area, then corrected by counting.
 * A mesh already within budget is returned unchanged (cellSize 0).
 */
export function decimate(mesh: Mesh, opts: DecimateOptions): DecimatedMesh {
  const target = opts?.targetTriangles;
  if (!Number.isFinite(target) || target < 1) throw new InvalidArgumentError(`decimate: targetTriangles must be a positive number, got ${target}`);
  const nt = mesh.triangles.length / 3;
  if (nt <= target) return { ...mesh, cellSize: 0 };
  const { min } = meshBounds(mesh);
  const origin: [number, number, number] = [min[0], min[1], min[2]];
  // A surface cut by cells of side h keeps about 2·area/h² triangles.
  let h = Math.sqrt((2 * meshArea(mesh)) / target);
  // Keep the smallest cell size that fits the budget; stop once within 25 % under it.
  let best = Infinity;
  for (let attempt = 0; attempt < 40; attempt++) {
    const count = cluster(mesh, h, origin, false).triangles;
    if (count <= target) {
      best = Math.min(best, h);
      if (count >= 0.75 * target || attempt >= 6) break;
      h *= Math.sqrt(Math.max(count, 1) / target);
      if (h >= best) break;
    } else {
      if (attempt >= 8 && best < Infinity) break;
      // Grow the cells by the square root of the excess, plus a little so it converges from above.
      h *= Math.sqrt(count / target) * 1.02;
      if (h >= best) h = best;
    }
  }
  if (best === Infinity) best = h;
  h = best;
  const result = cluster(mesh, h, origin, true).mesh as Mesh;
  return { ...result, cellSize: h };
}
