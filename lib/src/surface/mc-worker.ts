/** Worker thread for parallel marching cubes: extracts the slabs it is sent from a shared volume. */
import { parentPort } from "node:worker_threads";
import { extractSlab, type SlabJob } from "./mc-core";

/** A slab request: the job minus its data, plus the shared buffer holding the volume. */
export interface WorkerRequest extends Omit<SlabJob, "data"> {
  id: number;
  /** The whole volume (shared) or a transferred copy of the slab's slices (then kBase is set). */
  buffer: SharedArrayBuffer | ArrayBuffer;
  byteOffset: number;
  length: number;
}

/** Run a small extraction so the hot loops are compiled before the first real slab arrives. */
function warmUp(): void {
  const n = 40;
  const data = new Float32Array(n * n * n);
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
    data[i + n * (j + n * k)] = 15 - Math.hypot(i - 19.5, j - 20.2, k - 19.7);
  }
  const affine = [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1];
  for (let r = 0; r < 6; r++) extractSlab({ data, nx: n, ny: n, nz: n, k0: 0, k1: n - 1, level: 0, affine, gradAffine: affine.slice(3), normals: r % 2 === 1 });
}

if (parentPort) {
  const port = parentPort;
  warmUp();
  port.postMessage({ ready: true });
  port.on("message", (msg: WorkerRequest) => {
    try {
      const data = new Float32Array(msg.buffer, msg.byteOffset, msg.length);
      const out = extractSlab({ ...msg, data });
      // Transfer the builder's buffers as they are (views keep their length): no copy on either side.
      const transfer: ArrayBuffer[] = [out.positions.buffer as ArrayBuffer, out.triangles.buffer as ArrayBuffer];
      if (out.normals) transfer.push(out.normals.buffer as ArrayBuffer);
      port.postMessage({ id: msg.id, mesh: out }, transfer);
    } catch (e) {
      port.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
}
