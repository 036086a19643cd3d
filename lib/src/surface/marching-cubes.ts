import { withSummary } from "../core/summary";
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { InvalidArgumentError } from "../core/errors";
import type { ProgressFn } from "../core/progress";
import type { Vec3, Volume } from "../volume/types";
import { extractSlab, mergeSlabs, type SlabJob, type SlabMesh } from "./mc-core";
import type { WorkerRequest } from "./mc-worker";
import type { Mesh } from "./types";

/** Options for {@link marchingCubes} (scikit-image's names where it has them). */
export interface MarchingCubesOptions {
  /** Isovalue in the volume's units (e.g. -300 HU for skin). Values > level are "inside". */
  level: number;
  /** Sample every `step`-th voxel along each axis (scikit-image's step_size). Default 1. */
  step?: number;
  /** Voxel-index box to extract from, inclusive at both ends. Default: the whole volume. */
  roi?: { min: Vec3; max: Vec3 };
  /** Also compute per-vertex normals from the volume's gradient (outward, unit length). Default false. */
  normals?: boolean;
  /** Worker threads for {@link marchingCubes}; 1 runs on the calling thread. Default: up to 2 (cores). */
  workers?: number;
  /** Classify voxels with WebAssembly SIMD (true, the default); false forces the plain JavaScript loop (the same mesh). */
  simd?: boolean;
  onProgress?: ProgressFn;
}

interface Grid {
  data: Float32Array;
  nx: number;
  ny: number;
  nz: number;
  affine: number[];
  gradAffine: number[];
}

/** Check options and produce the grid to run on (a copy only when roi or step ask for one). */
function prepare(volume: Volume, opts: MarchingCubesOptions): Grid {
  if (!opts || typeof opts.level !== "number" || !Number.isFinite(opts.level)) {
    throw new InvalidArgumentError(`marchingCubes: level must be a finite number, got ${opts?.level}`);
  }
  const step = opts.step ?? 1;
  if (!Number.isInteger(step) || step < 1) throw new InvalidArgumentError(`marchingCubes: step must be a positive integer, got ${step}`);
  const [nx, ny, nz] = volume.shape;
  if (volume.data.length !== nx * ny * nz) {
    throw new InvalidArgumentError(`marchingCubes: volume data has ${volume.data.length} values, shape [${volume.shape.join(", ")}] needs ${nx * ny * nz}`);
  }
  const min: Vec3 = opts.roi ? [...opts.roi.min] as Vec3 : [0, 0, 0];
  const max: Vec3 = opts.roi ? [...opts.roi.max] as Vec3 : [nx - 1, ny - 1, nz - 1];
  for (let a = 0; a < 3; a++) {
    min[a] = Math.max(0, Math.floor(min[a]));
    max[a] = Math.min(volume.shape[a] - 1, Math.floor(max[a]));
    if (!(max[a] >= min[a])) {
      throw new InvalidArgumentError(`marchingCubes: empty roi on axis ${a} ([${opts.roi?.min.join(", ")}] – [${opts.roi?.max.join(", ")}])`);
    }
  }
  const m: Vec3 = [0, 1, 2].map((a) => Math.floor((max[a] - min[a]) / step) + 1) as Vec3;
  let data = volume.data;
  if (step !== 1 || m[0] !== nx || m[1] !== ny || m[2] !== nz) {
    data = new Float32Array(m[0] * m[1] * m[2]);
    let o = 0;
    for (let k = 0; k < m[2]; k++) {
      for (let j = 0; j < m[1]; j++) {
        const src = min[0] + nx * (min[1] + j * step + ny * (min[2] + k * step));
        if (step === 1) {
          data.set(volume.data.subarray(src, src + m[0]), o);
          o += m[0];
        } else {
          for (let i = 0; i < m[0]; i++) data[o++] = volume.data[src + i * step];
        }
      }
    }
  }
  const d = volume.direction, s = volume.spacing, org = volume.origin;
  // Voxel (i, j, k) of the grid is voxel min + step·(i, j, k) of the volume.
  const o0 = [0, 1, 2].map((r) => org[r] + min[0] * s[0] * d[r] + min[1] * s[1] * d[3 + r] + min[2] * s[2] * d[6 + r]);
  const affine = [...o0];
  const gradAffine: number[] = [];
  for (let a = 0; a < 3; a++) {
    for (let r = 0; r < 3; r++) affine.push(d[3 * a + r] * s[a] * step);
    for (let r = 0; r < 3; r++) gradAffine.push(d[3 * a + r] / (s[a] * step));
  }
  return { data, nx: m[0], ny: m[1], nz: m[2], affine, gradAffine };
}

function job(grid: Grid, opts: MarchingCubesOptions, k0: number, k1: number): SlabJob {
  return { ...grid, k0, k1, level: opts.level, normals: !!opts.normals, wasm: opts.simd !== false };
}

/**
 * Final mesh. The tables wind triangles outward in voxel-index space; when voxel → patient mapping
 * mirrors space (negative determinant, e.g. slices stacked against the slice normal) swap two
 * corners so normals still point outward in patient space.
 */
function toMesh(merged: ReturnType<typeof mergeSlabs>, grid: Grid): Mesh {
  const A = grid.affine;
  const det = A[3] * (A[7] * A[11] - A[10] * A[8]) - A[6] * (A[4] * A[11] - A[10] * A[5]) + A[9] * (A[4] * A[8] - A[7] * A[5]);
  if (det < 0) {
    const T = merged.triangles;
    for (let t = 0; t < T.length; t += 3) {
      const b = T[t + 1];
      T[t + 1] = T[t + 2];
      T[t + 2] = b;
    }
  }
  return withSummary(merged);
}

/**
 * Isosurface of a volume at `level` on the calling thread: an indexed mesh in patient mm (LPS),
 * one vertex per crossed grid edge, triangles wound so normals point to lower values.
 */
export function marchingCubesSync(volume: Volume, opts: MarchingCubesOptions): Mesh {
  const grid = prepare(volume, opts);
  const report = opts.onProgress ? (done: number, total: number) => opts.onProgress!(done, total, "marching cubes") : undefined;
  const slab = extractSlab(job(grid, opts, 0, Math.max(0, grid.nz - 1)), report);
  return toMesh(mergeSlabs([slab], !!opts.normals), grid);
}

// ---- worker pool: started on first use, kept for later calls, never keeping the process alive idle.

interface PoolWorker {
  worker: Worker;
  busy: number;
  /** Set once the worker has started and compiled its loops (see mc-worker.ts). */
  ready: boolean;
}
const pool: PoolWorker[] = [];
let nextId = 1;
const pending = new Map<number, { resolve: (m: SlabMesh) => void; reject: (e: Error) => void; pw: PoolWorker }>();

/** Start workers up to n (without waiting for them); returns the pool. */
function ensureWorkers(n: number): PoolWorker[] {
  while (pool.length < n) {
    const worker = new Worker(path.join(__dirname, "mc-worker.js"));
    const pw: PoolWorker = { worker, busy: 0, ready: false };
    worker.unref();
    worker.on("message", (msg: { id?: number; ready?: boolean; mesh?: SlabMesh; error?: string }) => {
      if (msg.ready) {
        pw.ready = true;
        // An unref() made before the thread came online does not cover its message port: repeat it.
        if (pw.busy === 0) worker.unref();
        return;
      }
      const p = msg.id === undefined ? undefined : pending.get(msg.id);
      if (!p || msg.id === undefined) return;
      pending.delete(msg.id);
      if (--pw.busy === 0) worker.unref();
      if (msg.error || !msg.mesh) p.reject(new Error(`marching cubes worker: ${msg.error}`));
      else p.resolve(msg.mesh);
    });
    // A worker that fails or exits must fail its jobs, never leave a caller waiting forever.
    const retire = (e: Error) => {
      for (const [id, p] of pending) {
        if (p.pw === pw) {
          pending.delete(id);
          p.reject(e);
        }
      }
      const at = pool.indexOf(pw);
      if (at >= 0) pool.splice(at, 1);
    };
    worker.on("error", (e) => retire(e instanceof Error ? e : new Error(String(e))));
    worker.on("exit", (code) => retire(new Error(`marching cubes worker exited (code ${code})`)));
    pool.push(pw);
  }
  return pool.slice(0, n);
}

function runOnWorker(pw: PoolWorker, j: SlabJob): Promise<SlabMesh> {
  const id = nextId++;
  const { data, ...rest } = j;
  let req: WorkerRequest;
  const transfer: ArrayBuffer[] = [];
  if (data.buffer instanceof SharedArrayBuffer) {
    req = { ...rest, id, buffer: data.buffer, byteOffset: data.byteOffset, length: data.length };
  } else {
    // Not shared: send a copy of just this slab's slices (plus one each side for gradient normals),
    // so the extra memory is the slabs in flight, not a second volume.
    const sxy = j.nx * j.ny;
    const lo = Math.max(0, j.k0 - 1), hi = Math.min(j.nz - 1, j.k1 + 1);
    const part = data.slice(lo * sxy, (hi + 1) * sxy);
    transfer.push(part.buffer);
    req = { ...rest, id, kBase: lo, buffer: part.buffer, byteOffset: 0, length: part.length };
  }
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject, pw });
    if (pw.busy++ === 0) pw.worker.ref();
    pw.worker.postMessage(req, transfer);
  });
}

/** A copy of the volume whose voxels live in a SharedArrayBuffer, so parallel calls need not copy it. */
export function shareVolume(volume: Volume): Volume {
  if (volume.data.buffer instanceof SharedArrayBuffer) return volume;
  const data = new Float32Array(new SharedArrayBuffer(volume.data.byteLength));
  data.set(volume.data);
  return { ...volume, data };
}

/** Start the marching-cubes worker threads now and resolve once they are ready (optional: calls start them anyway). */
export async function warmUpSurfaceWorkers(workers?: number): Promise<void> {
  const n = Math.max(0, (workers ?? defaultThreads()) - 1);
  const ws = ensureWorkers(n);
  while (!ws.every((w) => w.ready) && ws.every((w) => pool.includes(w))) await new Promise((r) => setTimeout(r, 5));
}

function defaultThreads(): number {
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.min(2, cores);
}

/**
 * Isosurface of a volume at `level` (see {@link marchingCubesSync}, same result), split into z slabs
 * shared between the calling thread and worker threads. Voxels in a SharedArrayBuffer (see
 * {@link shareVolume}) are read in place; otherwise each worker gets a copy of its slab only. Workers
 * start on the first call and join once ready, so the first call costs no more than the sync one.
 */
export async function marchingCubes(volume: Volume, opts: MarchingCubesOptions): Promise<Mesh> {
  const threads = Math.max(1, Math.floor(opts.workers ?? defaultThreads()));
  const grid = prepare(volume, opts);
  const layers = grid.nz - 1;
  const report = opts.onProgress ? (done: number, total: number) => opts.onProgress!(done, total, "marching cubes") : undefined;
  // Below ~1 M voxels the worker round trip costs more than it saves.
  const small = layers < 16 || grid.nx * grid.ny * grid.nz < 1_000_000;
  const ready = threads > 1 && !small ? ensureWorkers(threads - 1).filter((w) => w.ready) : [];
  if (ready.length === 0) {
    return toMesh(mergeSlabs([extractSlab(job(grid, opts, 0, Math.max(0, layers)), report)], !!opts.normals), grid);
  }
  // Slabs dealt round-robin (thread t takes slabs t, t + T, …) so a surface that is denser at some
  // heights still spreads evenly. Every worker slab is posted up front: a worker then runs through its
  // queue without waiting for the calling thread, which is busy with its own slabs meanwhile.
  const T = ready.length + 1;
  const nSlabs = Math.min(layers, T * 4);
  const bounds: number[] = [];
  for (let s = 0; s <= nSlabs; s++) bounds.push(Math.round((s * layers) / nSlabs));
  const results: SlabMesh[] = new Array(nSlabs);
  let done = 0;
  const finished = () => report?.(++done, nSlabs);
  const pendingSlabs: Promise<void>[] = [];
  for (let s = 0; s < nSlabs; s++) {
    const t = s % T;
    if (t === 0) continue;
    pendingSlabs.push(runOnWorker(ready[t - 1], job(grid, opts, bounds[s], bounds[s + 1])).then((m) => {
      results[s] = m;
      finished();
    }));
  }
  for (let s = 0; s < nSlabs; s += T) {
    results[s] = extractSlab(job(grid, opts, bounds[s], bounds[s + 1]));
    finished();
  }
  await Promise.all(pendingSlabs);
  return toMesh(mergeSlabs(results, !!opts.normals), grid);
}
