import { MC_TABLES } from "./tables";

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

/**
 * Table-driven marching cubes over one slab, streaming slice by slice: each crossed grid edge gets
 * exactly one vertex (shared by the up to four cubes around it), found again through per-slice edge
 * index planes, so memory is a few planes plus the mesh.
 */
export function extractSlab(job: SlabJob, onSlice?: (done: number, total: number) => void): SlabMesh {
  const { data, nx, ny, nz, k0, k1, level, affine: A, gradAffine: G, normals: wantNormals } = job;
  const { triStart, triEdges } = MC_TABLES;
  const sxy = nx * ny;
  let cls0 = new Uint8Array(sxy), cls1 = new Uint8Array(sxy);
  let xE0 = new Int32Array(sxy), xE1 = new Int32Array(sxy);
  let yE0 = new Int32Array(sxy), yE1 = new Int32Array(sxy);
  const zE = new Int32Array(sxy);

  let vCap = 1 << 14;
  let pos = new Float32Array(vCap * 3);
  let nrm = wantNormals ? new Float32Array(vCap * 3) : null;
  let nv = 0;
  let tCap = 1 << 15;
  let tri = new Uint32Array(tCap * 3);
  let nt = 0;

  const growVerts = () => {
    vCap *= 2;
    const p = new Float32Array(vCap * 3);
    p.set(pos);
    pos = p;
    if (nrm) {
      const q = new Float32Array(vCap * 3);
      q.set(nrm);
      nrm = q;
    }
  };

  // Index-space gradient at grid point (i, j, k): central differences, one-sided at the border.
  const grad = (i: number, j: number, k: number, out: Float64Array, w: number) => {
    const idx = i + nx * j + sxy * k;
    const gx = nx < 2 ? 0 : i === 0 ? data[idx + 1] - data[idx] : i === nx - 1 ? data[idx] - data[idx - 1] : 0.5 * (data[idx + 1] - data[idx - 1]);
    const gy = ny < 2 ? 0 : j === 0 ? data[idx + nx] - data[idx] : j === ny - 1 ? data[idx] - data[idx - nx] : 0.5 * (data[idx + nx] - data[idx - nx]);
    const gz = nz < 2 ? 0 : k === 0 ? data[idx + sxy] - data[idx] : k === nz - 1 ? data[idx] - data[idx - sxy] : 0.5 * (data[idx + sxy] - data[idx - sxy]);
    out[0] += w * gx;
    out[1] += w * gy;
    out[2] += w * gz;
  };
  const g = new Float64Array(3);

  // New vertex on the edge from grid point (i, j, k) one step along `axis`, values va → vb.
  const vertex = (i: number, j: number, k: number, axis: number, va: number, vb: number): number => {
    if (nv === vCap) growVerts();
    let t = (level - va) / (vb - va);
    if (!(t > EPS)) t = EPS;
    else if (t > 1 - EPS) t = 1 - EPS;
    const fi = axis === 0 ? i + t : i, fj = axis === 1 ? j + t : j, fk = axis === 2 ? k + t : k;
    const o = nv * 3;
    pos[o] = A[0] + fi * A[3] + fj * A[6] + fk * A[9];
    pos[o + 1] = A[1] + fi * A[4] + fj * A[7] + fk * A[10];
    pos[o + 2] = A[2] + fi * A[5] + fj * A[8] + fk * A[11];
    if (nrm) {
      g[0] = g[1] = g[2] = 0;
      grad(i, j, k, g, 1 - t);
      grad(axis === 0 ? i + 1 : i, axis === 1 ? j + 1 : j, axis === 2 ? k + 1 : k, g, t);
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
    return nv++;
  };

  const classify = (k: number, cls: Uint8Array) => {
    const base = k * sxy;
    for (let o = 0; o < sxy; o++) cls[o] = data[base + o] > level ? 1 : 0;
  };

  // Vertices on the x and y edges of slice k.
  const sliceEdges = (k: number, cls: Uint8Array, xE: Int32Array, yE: Int32Array) => {
    const base = k * sxy;
    for (let j = 0; j < ny; j++) {
      const row = j * nx;
      for (let i = 0; i < nx; i++) {
        const o = row + i;
        const c = cls[o];
        if (i + 1 < nx && c !== cls[o + 1]) xE[o] = vertex(i, j, k, 0, data[base + o], data[base + o + 1]);
        if (j + 1 < ny && c !== cls[o + nx]) yE[o] = vertex(i, j, k, 1, data[base + o], data[base + o + nx]);
      }
    }
  };

  // Vertices on the z edges between slices k and k + 1.
  const zEdges = (k: number) => {
    const base = k * sxy;
    for (let o = 0; o < sxy; o++) {
      if (cls0[o] !== cls1[o]) zE[o] = vertex(o % nx, (o / nx) | 0, k, 2, data[base + o], data[base + sxy + o]);
    }
  };

  const lookup = (e: number, o: number): number => {
    switch (e) {
      case 0: return xE0[o];
      case 1: return xE0[o + nx];
      case 2: return xE1[o];
      case 3: return xE1[o + nx];
      case 4: return yE0[o];
      case 5: return yE0[o + 1];
      case 6: return yE1[o];
      case 7: return yE1[o + 1];
      case 8: return zE[o];
      case 9: return zE[o + 1];
      case 10: return zE[o + nx];
      default: return zE[o + nx + 1];
    }
  };

  const cubes = () => {
    for (let j = 0; j + 1 < ny; j++) {
      const row = j * nx;
      // Configuration bits: corner c = dx + 2 dy + 4 dz. Slide along x, reusing the shared face.
      let cfg = (cls0[row] << 1) | (cls0[row + nx] << 3) | (cls1[row] << 5) | (cls1[row + nx] << 7);
      for (let i = 0; i + 1 < nx; i++) {
        const o = row + i;
        cfg = ((cfg >> 1) & 0x55) | (cls0[o + 1] << 1) | (cls0[o + nx + 1] << 3) | (cls1[o + 1] << 5) | (cls1[o + nx + 1] << 7);
        if (cfg === 0 || cfg === 255) continue;
        const s = triStart[cfg], e = triStart[cfg + 1];
        if (nt * 3 + (e - s) > tCap * 3) {
          tCap *= 2;
          const t = new Uint32Array(tCap * 3);
          t.set(tri);
          tri = t;
        }
        for (let q = s; q < e; q++) tri[nt * 3 + (q - s)] = lookup(triEdges[q], o);
        nt += (e - s) / 3;
      }
    }
  };

  let bottom = 0, top = 0;
  if (nx >= 2 && ny >= 2 && k1 > k0) {
    classify(k0, cls0);
    sliceEdges(k0, cls0, xE0, yE0);
    bottom = nv;
    for (let k = k0; k < k1; k++) {
      classify(k + 1, cls1);
      zEdges(k);
      const before = nv;
      sliceEdges(k + 1, cls1, xE1, yE1);
      top = nv - before;
      cubes();
      // Roll the planes: slice k + 1 becomes the bottom of the next layer.
      [cls0, cls1] = [cls1, cls0];
      [xE0, xE1] = [xE1, xE0];
      [yE0, yE1] = [yE1, yE0];
      onSlice?.(k + 1 - k0, k1 - k0);
    }
  }
  return {
    positions: pos.subarray(0, nv * 3),
    normals: nrm ? nrm.subarray(0, nv * 3) : null,
    triangles: tri.subarray(0, nt * 3),
    nVerts: nv,
    nTris: nt,
    bottom,
    top,
  };
}

/** Join slab meshes: each slab's bottom-slice vertices are the previous slab's top-slice ones. */
export function mergeSlabs(slabs: SlabMesh[], wantNormals: boolean): { positions: Float32Array; triangles: Uint32Array; normals?: Float32Array } {
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
