import { classifySlice } from "./classify";
import { AMBIGUOUS_FACES, FACES, MC_TABLES, ambiguousTriangles } from "./tables";

/** The four corners of each cube face in cyclic order, flattened. */
const FACE_CORNERS = Int8Array.from(FACES.flatMap((f) => f.c));

/** One slab's job: the cubes between slices k0 and k1 (k0 < k1) of a contiguous x-fastest grid. */
export interface SlabJob {
  data: Float32Array;
  nx: number;
  ny: number;
  nz: number;
  k0: number;
  k1: number;
  level: number;
  /** Voxel → patient: origin (3) then the i, j, k columns of direction × spacing (3 each). */
  affine: number[];
  /** Index-space gradient → patient gradient: the i, j, k columns of direction / spacing (3 each). */
  gradAffine: number[];
  normals: boolean;
  /** Classify voxels with WebAssembly SIMD when available (default true; false forces plain JS). */
  wasm?: boolean;
  /** Slice index of data[0] when `data` holds only some slices (k0 − 1 … k1 + 1 at most). Default 0. */
  kBase?: number;
}

/** One slab's mesh. Vertices on slice k0's x/y edges come first (`bottom` of them), slice k1's last (`top`). */
export interface SlabMesh {
  positions: Float32Array;
  normals: Float32Array | null;
  triangles: Uint32Array;
  nVerts: number;
  nTris: number;
  bottom: number;
  top: number;
}

/** Keep vertices strictly inside their edge so no two coincide and no triangle has zero area. */
const EPS = 1e-3;

/** Growable vertex and triangle storage plus the vertex maker (position, optional gradient normal). */
class SlabBuilder {
  pos: Float32Array;
  nrm: Float32Array | null;
  nv = 0;
  tri: Uint32Array;
  /** Number of triangle indices written (3 per triangle). */
  ti = 0;
  private readonly g = new Float64Array(3);
  private readonly A: Float64Array;
  private readonly data: Float32Array;
  private readonly level: number;

  constructor(private readonly job: SlabJob, vCap: number, tCap: number) {
    this.A = Float64Array.from(job.affine);
    this.data = job.data;
    this.level = job.level;
    this.pos = new Float32Array(vCap * 3);
    this.nrm = job.normals ? new Float32Array(vCap * 3) : null;
    this.tri = new Uint32Array(tCap * 3);
  }

  private growVerts(): void {
    const p = new Float32Array(this.pos.length * 2);
    p.set(this.pos);
    this.pos = p;
    if (this.nrm) {
      const q = new Float32Array(this.nrm.length * 2);
      q.set(this.nrm);
      this.nrm = q;
    }
  }

  /** Make sure `n` more triangle indices fit. */
  reserveTris(n: number): void {
    if (this.ti + n <= this.tri.length) return;
    const t = new Uint32Array(Math.max(this.tri.length * 2, this.ti + n));
    t.set(this.tri);
    this.tri = t;
  }

  // Index-space gradient at grid point (i, j, k), weighted into g: central differences, one-sided at the border.
  private grad(i: number, j: number, k: number, w: number): void {
    const { data, nx, ny, nz } = this.job;
    const sxy = nx * ny;
    const idx = i + nx * j + sxy * (k - (this.job.kBase ?? 0));
    const g = this.g;
    g[0] += w * (nx < 2 ? 0 : i === 0 ? data[idx + 1] - data[idx] : i === nx - 1 ? data[idx] - data[idx - 1] : 0.5 * (data[idx + 1] - data[idx - 1]));
    g[1] += w * (ny < 2 ? 0 : j === 0 ? data[idx + nx] - data[idx] : j === ny - 1 ? data[idx] - data[idx - nx] : 0.5 * (data[idx + nx] - data[idx - nx]));
    g[2] += w * (nz < 2 ? 0 : k === 0 ? data[idx + sxy] - data[idx] : k === nz - 1 ? data[idx] - data[idx - sxy] : 0.5 * (data[idx + sxy] - data[idx - sxy]));
  }

  /**
   * New vertex on the grid edge from (i, j, k) one step along `axis` (0, 1, 2), whose end values are
   * data[ia] and data[ia + stride]; returns its index.
   */
  vertex(i: number, j: number, k: number, axis: number, ia: number, stride: number): number {
    const data = this.data, A = this.A;
    if (this.nv * 3 === this.pos.length) this.growVerts();
    const va = data[ia];
    let t = (this.level - va) / (data[ia + stride] - va);
    if (!(t > EPS)) t = EPS;
    else if (t > 1 - EPS) t = 1 - EPS;
    const fi = axis === 0 ? i + t : i, fj = axis === 1 ? j + t : j, fk = axis === 2 ? k + t : k;
    const o = this.nv * 3;
    const pos = this.pos;
    pos[o] = A[0] + fi * A[3] + fj * A[6] + fk * A[9];
    pos[o + 1] = A[1] + fi * A[4] + fj * A[7] + fk * A[10];
    pos[o + 2] = A[2] + fi * A[5] + fj * A[8] + fk * A[11];
    // Normals in their own method, so this hot one stays small enough to inline.
    if (this.nrm) this.normal(this.nrm, o, i, j, k, axis, ia, stride, t);
    return this.nv++;
  }

  /** Unit outward normal at a new vertex: minus the interpolated gradient, in patient axes. */
  private normal(nrm: Float32Array, o: number, i: number, j: number, k: number, axis: number, ia: number, stride: number, t: number): void {
    const data = this.data;
    const g = this.g, G = this.job.gradAffine;
    const { nx, ny, nz } = this.job;
    const sxy = nx * ny;
    const ib = ia + stride;
    const i1 = axis === 0 ? i + 1 : i, j1 = axis === 1 ? j + 1 : j, k1 = axis === 2 ? k + 1 : k;
    if (i > 0 && i1 < nx - 1 && j > 0 && j1 < ny - 1 && k > 0 && k1 < nz - 1) {
      // Interior: central differences at both ends, interpolated (the common case, inlined).
      const u = 0.5 * (1 - t), w = 0.5 * t;
      g[0] = u * (data[ia + 1] - data[ia - 1]) + w * (data[ib + 1] - data[ib - 1]);
      g[1] = u * (data[ia + nx] - data[ia - nx]) + w * (data[ib + nx] - data[ib - nx]);
      g[2] = u * (data[ia + sxy] - data[ia - sxy]) + w * (data[ib + sxy] - data[ib - sxy]);
    } else {
      g[0] = g[1] = g[2] = 0;
      this.grad(i, j, k, 1 - t);
      this.grad(i1, j1, k1, t);
    }
    // Outward = towards lower values = minus the gradient.
    const px = -(g[0] * G[0] + g[1] * G[3] + g[2] * G[6]);
    const py = -(g[0] * G[1] + g[1] * G[4] + g[2] * G[7]);
    const pz = -(g[0] * G[2] + g[1] * G[5] + g[2] * G[8]);
    const len = Math.sqrt(px * px + py * py + pz * pz);
    const s = len > 0 ? 1 / len : 0;
    nrm[o] = px * s;
    nrm[o + 1] = py * s;
    nrm[o + 2] = pz * s;
  }
}

// The edge index planes are scratch: only entries written in the current layer are ever read, so one
// array per thread is reused across calls instead of allocating (and zeroing) a megabyte each time.
let planes = new Int32Array(0);
function scratchPlanes(n: number): Int32Array {
  if (planes.length < n) planes = new Int32Array(n);
  return planes;
}

/** Bit index (0–31) of the lowest set bit of a non-zero int. */
function lowBit(m: number): number {
  return 31 - Math.clz32(m & -m);
}

/** Data offset of each cube corner from corner 0, for a grid row length nx and slice size sxy. */
function cornerOffset(c: number, nx: number, sxy: number): number {
  return (c & 1) + ((c >> 1) & 1) * nx + ((c >> 2) & 1) * sxy;
}

/**
 * Ambiguous faces of a cube: join the two inside corners when the bilinear interpolant's saddle is
 * inside (asymptotic decider: inside pair's product > outside pair's product, values less level).
 * Depends on the face's four values only, so both cubes on the face decide alike.
 */
function joinMask(cfg: number, faces: number, data: Float32Array, ia0: number, level: number, nx: number, sxy: number): number {
  let join = 0;
  for (let f = 0; f < 6; f++) {
    if (((faces >> f) & 1) === 0) continue;
    const c0 = FACE_CORNERS[4 * f], c1 = FACE_CORNERS[4 * f + 1], c2 = FACE_CORNERS[4 * f + 2], c3 = FACE_CORNERS[4 * f + 3];
    const p02 = (data[ia0 + cornerOffset(c0, nx, sxy)] - level) * (data[ia0 + cornerOffset(c2, nx, sxy)] - level);
    const p13 = (data[ia0 + cornerOffset(c1, nx, sxy)] - level) * (data[ia0 + cornerOffset(c3, nx, sxy)] - level);
    const inside02 = ((cfg >> c0) & 1) === 1;
    if (inside02 ? p02 > p13 : p13 > p02) join |= 1 << f;
  }
  return join;
}

/**
 * Triangles of the cubes in rows j0 … j1 − 1 of one layer (bit planes bits0 below, bits1 above),
 * written from tri[ti]; returns the new ti. A plain function of its arguments so the hot loop works
 * on locals; the caller guarantees room for 30 indices a cube.
 */
function cubeRows(
  bits0: Int32Array, bits1: Int32Array, W: number, nx: number, j0: number, j1: number, validX: Int32Array,
  E: Int32Array, off: Int32Array, eb: Int32Array, tri: Uint32Array, ti: number,
  data: Float32Array, level: number, layerBase: number, sxy: number,
): number {
  const { triStart, triEdges } = MC_TABLES;
  const ambiguous = AMBIGUOUS_FACES;
  for (let j = j0; j < j1; j++) {
    const rA = j * W, rB = rA + W;
    for (let w = 0; w < W; w++) {
      // Rows of the cube layer: A (j, k), B (j + 1, k), C (j, k + 1), D (j + 1, k + 1).
      const a = bits0[rA + w], b = bits0[rB + w], c = bits1[rA + w], d = bits1[rB + w];
      const last = w + 1 >= W;
      const an = last ? 0 : bits0[rA + w + 1], bn = last ? 0 : bits0[rB + w + 1];
      const cn = last ? 0 : bits1[rA + w + 1], dn = last ? 0 : bits1[rB + w + 1];
      // Bit i of the shifted words is voxel i + 1.
      const as = (a >>> 1) | (an << 31), bs = (b >>> 1) | (bn << 31);
      const cs = (c >>> 1) | (cn << 31), ds = (d >>> 1) | (dn << 31);
      // A cube is trivial when its 8 corners agree: both x columns uniform and equal.
      const nonUniform = (a ^ b) | (a ^ c) | (a ^ d);
      const nonUniformNext = (as ^ bs) | (as ^ cs) | (as ^ ds);
      let m = (nonUniform | nonUniformNext | (a ^ as)) & validX[w];
      while (m !== 0) {
        const bit = 31 - Math.clz32(m & -m);
        m &= m - 1;
        const cfg = ((a >>> bit) & 1) | (((as >>> bit) & 1) << 1) | (((b >>> bit) & 1) << 2) | (((bs >>> bit) & 1) << 3)
          | (((c >>> bit) & 1) << 4) | (((cs >>> bit) & 1) << 5) | (((d >>> bit) & 1) << 6) | (((ds >>> bit) & 1) << 7);
        const o = j * nx + 32 * w + bit;
        const faces = ambiguous[cfg];
        const join = faces === 0 ? 0 : joinMask(cfg, faces, data, layerBase + o, level, nx, sxy);
        if (join === 0) {
          const e = triStart[cfg + 1];
          for (let q = triStart[cfg]; q < e; q++) tri[ti++] = E[off[q] + o];
        } else {
          const edges = ambiguousTriangles(cfg, join);
          for (let q = 0; q < edges.length; q++) tri[ti++] = E[eb[edges[q]] + o];
        }
      }
    }
  }
  return ti;
}

/**
 * Table-driven marching cubes over one slab, streaming slice by slice. Each slice is first reduced to
 * one bit per voxel (value > level), 32 voxels a word; crossed edges and non-trivial cubes are then
 * found 32 at a time with bit operations, so the work outside the surface is one compare per voxel.
 * Each crossed grid edge gets exactly one vertex, shared by the cubes around it through per-slice
 * edge index planes: memory is a few planes plus the mesh.
 */
export function extractSlab(job: SlabJob, onSlice?: (done: number, total: number) => void): SlabMesh {
  const { data, nx, ny, k0, k1, level } = job;
  const kBase = job.kBase ?? 0;
  const { triStart, triEdges } = MC_TABLES;
  const sxy = nx * ny;
  const W = (nx + 31) >>> 5;
  // Valid bits per word: voxels i < nx (validV) and x edges / cubes i < nx - 1 (validX).
  const validV = new Int32Array(W), validX = new Int32Array(W);
  for (let w = 0; w < W; w++) {
    for (let b = 0; b < 32; b++) {
      const i = 32 * w + b;
      if (i < nx) validV[w] |= 1 << b;
      if (i < nx - 1) validX[w] |= 1 << b;
    }
  }
  let bitsA = new Int32Array(ny * W), bitsB = new Int32Array(ny * W);
  // Vertex index of each crossed edge, in five planes of one array: x and y edges of the two slices
  // of the current layer, and the z edges between them. Rolling swaps plane offsets, not arrays.
  const E = scratchPlanes(5 * sxy);
  let x0 = 0, x1 = sxy, y0 = 2 * sxy, y1 = 3 * sxy;
  const z0 = 4 * sxy;
  const edgeBase = new Int32Array(12);
  // Start near the expected size of a head surface (grows by doubling when needed).
  const guess = Math.max(1024, Math.ceil((sxy * (k1 - k0)) / 28));
  const B = new SlabBuilder(job, guess, 2 * guess);

  const classify = (k: number, bits: Int32Array) => classifySlice(data, (k - kBase) * sxy, nx, ny, level, bits, job.wasm !== false);

  // Vertices on the x and y edges of slice k, row by row, ascending x.
  const sliceEdges = (k: number, bits: Int32Array, xb: number, yb: number) => {
    for (let j = 0; j < ny; j++) {
      const r = j * W;
      const row = j * nx;
      const base = (k - kBase) * sxy + row;
      for (let w = 0; w < W; w++) {
        const a = bits[r + w];
        const next = w + 1 < W ? bits[r + w + 1] : 0;
        let m = (a ^ ((a >>> 1) | (next << 31))) & validX[w];
        while (m !== 0) {
          const i = 32 * w + lowBit(m);
          m &= m - 1;
          E[xb + row + i] = B.vertex(i, j, k, 0, base + i, 1);
        }
      }
      if (j + 1 < ny) {
        for (let w = 0; w < W; w++) {
          let m = (bits[r + w] ^ bits[r + W + w]) & validV[w];
          while (m !== 0) {
            const i = 32 * w + lowBit(m);
            m &= m - 1;
            E[yb + row + i] = B.vertex(i, j, k, 1, base + i, nx);
          }
        }
      }
    }
  };

  // Vertices on the z edges between slices k and k + 1.
  const zEdges = (k: number) => {
    const bits0 = bitsA, bits1 = bitsB;
    for (let j = 0; j < ny; j++) {
      const r = j * W;
      for (let w = 0; w < W; w++) {
        let m = (bits0[r + w] ^ bits1[r + w]) & validV[w];
        while (m !== 0) {
          const i = 32 * w + lowBit(m);
          m &= m - 1;
          E[z0 + j * nx + i] = B.vertex(i, j, k, 2, (k - kBase) * sxy + j * nx + i, sxy);
        }
      }
    }
  };

  const triOffset = new Int32Array(triEdges.length);
  const cubes = (k: number) => {
    const eb = edgeBase;
    eb[0] = x0; eb[1] = x0 + nx; eb[2] = x1; eb[3] = x1 + nx;
    eb[4] = y0; eb[5] = y0 + 1; eb[6] = y1; eb[7] = y1 + 1;
    eb[8] = z0; eb[9] = z0 + 1; eb[10] = z0 + nx; eb[11] = z0 + nx + 1;
    // The table's edges as offsets into E for this layer (one load per index instead of two).
    for (let q = 0; q < triEdges.length; q++) triOffset[q] = eb[triEdges[q]];
    // Rows in batches that surely fit the triangle buffer (at most 30 indices a cube).
    for (let j0 = 0; j0 + 1 < ny; ) {
      let room = Math.floor((B.tri.length - B.ti) / (30 * nx));
      if (room < 1) {
        B.reserveTris(30 * nx * 8);
        room = Math.floor((B.tri.length - B.ti) / (30 * nx));
      }
      const j1 = Math.min(ny - 1, j0 + room);
      B.ti = cubeRows(bitsA, bitsB, W, nx, j0, j1, validX, E, triOffset, eb, B.tri, B.ti, data, level, (k - kBase) * sxy, sxy);
      j0 = j1;
    }
  };

  let bottom = 0, top = 0;
  if (nx >= 2 && ny >= 2 && k1 > k0) {
    classify(k0, bitsA);
    sliceEdges(k0, bitsA, x0, y0);
    bottom = B.nv;
    for (let k = k0; k < k1; k++) {
      classify(k + 1, bitsB);
      zEdges(k);
      const before = B.nv;
      sliceEdges(k + 1, bitsB, x1, y1);
      top = B.nv - before;
      cubes(k);
      // Roll the planes: slice k + 1 becomes the bottom of the next layer.
      [bitsA, bitsB] = [bitsB, bitsA];
      [x0, x1] = [x1, x0];
      [y0, y1] = [y1, y0];
      onSlice?.(k + 1 - k0, k1 - k0);
    }
  }
  const nv = B.nv;
  return {
    positions: B.pos.subarray(0, nv * 3),
    normals: B.nrm ? B.nrm.subarray(0, nv * 3) : null,
    triangles: B.tri.subarray(0, B.ti),
    nVerts: nv,
    nTris: B.ti / 3,
    bottom,
    top,
  };
}

/** Join slab meshes: each slab's bottom-slice vertices are the previous slab's top-slice ones. */
export function mergeSlabs(slabs: SlabMesh[], wantNormals: boolean): { positions: Float32Array; triangles: Uint32Array; normals?: Float32Array } {
  if (slabs.length === 1) {
    // One slab: keep the builder's arrays as they are when at most a quarter of their buffer is spare
    // (views, no copy: consumers use byteOffset/byteLength); otherwise trim with a copy.
    const s = slabs[0];
    const fit = <T extends Float32Array | Uint32Array>(a: T): T => (a.byteLength >= 0.75 * a.buffer.byteLength ? a : (a.slice() as T));
    const one = { positions: fit(s.positions), triangles: fit(s.triangles) };
    return wantNormals && s.normals ? { ...one, normals: fit(s.normals) } : one;
  }
  let nv = 0, nt = 0;
  slabs.forEach((s, n) => {
    nv += s.nVerts - (n > 0 ? s.bottom : 0);
    nt += s.nTris;
  });
  const positions = new Float32Array(nv * 3);
  const normals = wantNormals ? new Float32Array(nv * 3) : undefined;
  const triangles = new Uint32Array(nt * 3);
  let vBase = 0, tBase = 0, prevTopStart = 0;
  for (let n = 0; n < slabs.length; n++) {
    const s = slabs[n];
    const skip = n > 0 ? s.bottom : 0;
    if (n > 0 && s.bottom !== slabs[n - 1].top) {
      throw new Error(`marching cubes: slab ${n} starts with ${s.bottom} vertices, slab ${n - 1} ends with ${slabs[n - 1].top}`);
    }
    positions.set(s.positions.subarray(skip * 3), vBase * 3);
    if (normals && s.normals) normals.set(s.normals.subarray(skip * 3), vBase * 3);
    const shift = vBase - skip;
    const t = s.triangles;
    const out = triangles.subarray(tBase * 3, (tBase + s.nTris) * 3);
    if (skip === 0) {
      for (let q = 0; q < t.length; q++) out[q] = t[q] + shift;
    } else {
      for (let q = 0; q < t.length; q++) {
        const v = t[q];
        out[q] = v < skip ? prevTopStart + v : v + shift;
      }
    }
    prevTopStart = vBase + (s.nVerts - skip) - s.top;
    vBase += s.nVerts - skip;
    tBase += s.nTris;
  }
  return normals ? { positions, triangles, normals } : { positions, triangles };
}
