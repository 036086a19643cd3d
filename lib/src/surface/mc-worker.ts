/** Worker thread for parallel marching cubes: extracts the slabs it is sent from a shared volume. */
import { parentPort } from "node:worker_threads";
import { extractSlab, type SlabJob } from "./mc-core";

/** A slab request: the job minus its data, plus the shared buffer holding the volume. */
export interface WorkerRequest extends Omit<SlabJob, "data"> {
  id: number;
  buffer: SharedArrayBuffer;
  byteOffset: number;
  length: number;
}

if (parentPort) {
  const port = parentPort;
  port.on("message", (msg: WorkerRequest) => {
    try {
      const data = new Float32Array(msg.buffer, msg.byteOffset, msg.length);
      const out = extractSlab({ ...msg, data });
      // Copy to exact-size buffers so the transfer moves only what is used.
      const positions = out.positions.slice();
      const triangles = out.triangles.slice();
      const normals = out.normals ? out.normals.slice() : null;
      const transfer: ArrayBuffer[] = [positions.buffer, triangles.buffer];
      if (normals) transfer.push(normals.buffer);
      port.postMessage({ id: msg.id, mesh: { ...out, positions, triangles, normals } }, transfer);
    } catch (e) {
      port.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
}
