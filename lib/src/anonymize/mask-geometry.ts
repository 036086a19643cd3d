import type { Vec3, Volume } from "../volume/types";
export { seededRandom } from "../core/random";

/** A large finite stand-in for "no feature on this line" (Infinity would give NaN in the envelope). */
const FAR = 1e20;

/**
 * Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, separable lower envelopes
 * of parabolas) on an anisotropic grid: for every voxel, the distance in mm to the nearest voxel
 * whose `features` entry is non-zero (0 on features; FAR-ish where there is none at all).
 */
export function distanceTransform(features: Uint8Array, shape: Vec3, spacing: Vec3): Float32Array {
  const [nx, ny, nz] = shape;
  const n = nx * ny * nz;
  const d2 = new Float64Array(n);
  for (let q = 0; q < n; q++) d2[q] = features[q] ? 0 : FAR;
  const m = Math.max(nx, ny, nz);
  const f = new Float64Array(m);
  const out = new Float64Array(m);
  const v = new Int32Array(m);
  const z = new Float64Array(m + 1);
  const pass = (len: number, stride: number, w: number, starts: (emit: (s: number) => void) => void) => {
    const w2 = w * w;
    starts((s) => {
      let any = false;
      for (let q = 0; q < len; q++) {
        f[q] = d2[s + q * stride];
        if (f[q] < FAR) any = true;
      }
      if (!any) return;
      // Lower envelope over the finite samples only.
      let k = -1;
      for (let q = 0; q < len; q++) {
        if (f[q] >= FAR) continue;
        let sx = 0;
        while (k >= 0) {
          const p = v[k];
          sx = (f[q] + w2 * q * q - (f[p] + w2 * p * p)) / (2 * w2 * (q - p));
          if (sx <= z[k]) k--;
          else break;
        }
        if (k < 0) {
          k = 0;
          v[0] = q;
          z[0] = -Infinity;
        } else {
          k++;
          v[k] = q;
          z[k] = sx;
        }
        z[k + 1] = Infinity;
      }
      k = 0;
      for (let q = 0; q < len; q++) {
        while (z[k + 1] < q) k++;
        const p = v[k];
        out[q] = w2 * (q - p) * (q - p) + f[p];
      }
      for (let q = 0; q < len; q++) d2[s + q * stride] = out[q];
    });
  };
  pass(nx, 1, spacing[0], (emit) => { for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) emit(nx * (j + ny * k)); });
  pass(ny, nx, spacing[1], (emit) => { for (let k = 0; k < nz; k++) for (let i = 0; i < nx; i++) emit(i + nx * ny * k); });
  pass(nz, nx * ny, spacing[2], (emit) => { for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) emit(i + nx * j); });
  const d = new Float32Array(n);
  for (let q = 0; q < n; q++) d[q] = d2[q] >= FAR ? 1e10 : Math.sqrt(d2[q]);
  return d;
}

/**
 * Connected components of a binary grid (26-connectivity when `full`, else 6): labels 1…count per
 * voxel (0 outside), and voxels per label (index 0 unused).
 */
export function labelComponents(mask: Uint8Array, shape: Vec3, full = true): { labels: Int32Array; sizes: number[] } {
  const [nx, ny, nz] = shape;
  const n = nx * ny * nz;
  const labels = new Int32Array(n);
  const queue = new Int32Array(n);
  const sizes = [0];
  const offs: [number, number, number][] = [];
  for (let dk = -1; dk <= 1; dk++) for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) {
    const s = Math.abs(di) + Math.abs(dj) + Math.abs(dk);
    if (s === 0 || (!full && s > 1)) continue;
    offs.push([di, dj, dk]);
  }
  for (let start = 0; start < n; start++) {
    if (!mask[start] || labels[start]) continue;
    const label = sizes.length;
    let head = 0, tail = 0;
    queue[tail++] = start;
    labels[start] = label;
    while (head < tail) {
      const q = queue[head++];
      const i = q % nx, j = ((q - i) / nx) % ny, k = Math.floor(q / (nx * ny));
      for (const [di, dj, dk] of offs) {
        const a = i + di, b = j + dj, c = k + dk;
        if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
        const r = a + nx * (b + ny * c);
        if (mask[r] && !labels[r]) { labels[r] = label; queue[tail++] = r; }
      }
    }
    sizes.push(tail);
  }
  return { labels, sizes };
}

/** Trilinear sample of a grid at a fractional voxel index (clamped to the grid). */
export function trilinear(data: ArrayLike<number>, shape: Vec3, fi: number, fj: number, fk: number): number {
  const [nx, ny, nz] = shape;
  fi = Math.min(Math.max(fi, 0), nx - 1);
  fj = Math.min(Math.max(fj, 0), ny - 1);
  fk = Math.min(Math.max(fk, 0), nz - 1);
  const i0 = Math.min(Math.floor(fi), nx - 2 < 0 ? 0 : nx - 2), j0 = Math.min(Math.floor(fj), ny - 2 < 0 ? 0 : ny - 2), k0 = Math.min(Math.floor(fk), nz - 2 < 0 ? 0 : nz - 2);
  const i1 = Math.min(i0 + 1, nx - 1), j1 = Math.min(j0 + 1, ny - 1), k1 = Math.min(k0 + 1, nz - 1);
  const u = fi - i0, v = fj - j0, w = fk - k0;
  const at = (i: number, j: number, k: number) => data[i + nx * (j + ny * k)];
  const c00 = at(i0, j0, k0) * (1 - u) + at(i1, j0, k0) * u;
  const c10 = at(i0, j1, k0) * (1 - u) + at(i1, j1, k0) * u;
  const c01 = at(i0, j0, k1) * (1 - u) + at(i1, j0, k1) * u;
  const c11 = at(i0, j1, k1) * (1 - u) + at(i1, j1, k1) * u;
  return (c00 * (1 - v) + c10 * v) * (1 - w) + (c01 * (1 - v) + c11 * v) * w;
}

/**
 * The head's anatomical frame from the direction cosines: for each voxel axis, how many mm one
 * index step moves towards the patient's left, anterior and superior (LPS: anterior is −y).
 */
export function anatomicalSteps(volume: Pick<Volume, "spacing" | "direction">): { left: Vec3; anterior: Vec3; superior: Vec3 } {
  const d = volume.direction, s = volume.spacing;
  const axis = (a: number): Vec3 => [d[3 * a] * s[a], -d[3 * a + 1] * s[a], d[3 * a + 2] * s[a]];
  const [ai, aj, ak] = [axis(0), axis(1), axis(2)];
  return {
    left: [ai[0], aj[0], ak[0]],
    anterior: [ai[1], aj[1], ak[1]],
    superior: [ai[2], aj[2], ak[2]],
  };
}


/**
 * Fill holes in every plane across the voxel axis nearest to superior (sinuses, nasal cavity, mouth).
 * The outside is flooded from the plane's border; with `seed`, only from border voxels it accepts (a
 * field of view that cuts through the head: the cut edge is not outside).
 */
export function fillAxialHoles(mask: Uint8Array, shape: Vec3, superior: Vec3, seed?: (q: number) => boolean): void {
  const axis = [0, 1, 2].reduce((b, a) => (Math.abs(superior[a]) > Math.abs(superior[b]) ? a : b), 0);
  const [nx, ny] = shape;
  const others = [0, 1, 2].filter((a) => a !== axis);
  const [nu, nv] = [shape[others[0]], shape[others[1]]];
  const strides = [1, nx, nx * ny];
  const su = strides[others[0]], sv = strides[others[1]], sw = strides[axis];
  const outside = new Uint8Array(nu * nv);
  const queue = new Int32Array(nu * nv);
  for (let w = 0; w < shape[axis]; w++) {
    outside.fill(0);
    let tail = 0, head = 0;
    const at = (u: number, v: number) => w * sw + u * su + v * sv;
    const push = (u: number, v: number) => {
      const p = u + nu * v;
      if (outside[p] || mask[at(u, v)]) return;
      outside[p] = 1;
      queue[tail++] = p;
    };
    const border = (u: number, v: number) => { if (!seed || seed(at(u, v))) push(u, v); };
    for (let u = 0; u < nu; u++) { border(u, 0); border(u, nv - 1); }
    for (let v = 0; v < nv; v++) { border(0, v); border(nu - 1, v); }
    while (head < tail) {
      const p = queue[head++];
      const u = p % nu, v = (p - u) / nu;
      if (u > 0) push(u - 1, v);
      if (u < nu - 1) push(u + 1, v);
      if (v > 0) push(u, v - 1);
      if (v < nv - 1) push(u, v + 1);
    }
    for (let v = 0; v < nv; v++) for (let u = 0; u < nu; u++) if (!outside[u + nu * v]) mask[at(u, v)] = 1;
  }
}

