import { parentPort, workerData } from "node:worker_threads";
import { createHash } from "node:crypto";
import { UnmaskError, loadSeries } from "unmask";
import type { FuzzCase } from "./fuzz";

// Runs the unmask side of the fuzz cases in a worker thread, so the test's watchdog can stop a case
// that hangs (terminate the worker) instead of waiting for it.

/** What unmask made of one case. */
export interface UnmaskOutcome {
  id: number;
  kind: "volume" | "typed-error" | "untyped-error";
  /** SHA-1 of the Float32 voxels of the damaged file's slice (volume). */
  sha1?: string;
  shape?: number[];
  first?: number;
  code?: string;
  errorPath?: string;
  message?: string;
  warnings?: string[];
  ms: number;
}

async function run(c: FuzzCase): Promise<UnmaskOutcome> {
  const t0 = performance.now();
  try {
    const r = await loadSeries(c.seriesDir ?? c.file);
    const k = r.slices.findIndex((s) => s.path === c.file);
    const [nx, ny] = r.volume.shape;
    const slice = k < 0 ? null : r.volume.data.subarray(k * nx * ny, (k + 1) * nx * ny);
    return {
      id: c.id, kind: "volume", shape: [ny, nx, r.volume.shape[2]], ms: performance.now() - t0, warnings: r.warnings,
      sha1: slice ? createHash("sha1").update(Buffer.from(slice.buffer, slice.byteOffset, slice.byteLength)).digest("hex") : undefined,
      first: slice ? slice[0] : undefined,
    };
  } catch (e) {
    if (e instanceof UnmaskError) return { id: c.id, kind: "typed-error", code: e.code, errorPath: e.path, message: e.message, ms: performance.now() - t0 };
    return { id: c.id, kind: "untyped-error", message: String((e as Error)?.stack ?? e), ms: performance.now() - t0 };
  }
}

(async () => {
  for (const c of workerData.cases as FuzzCase[]) {
    parentPort!.postMessage({ started: c.id });
    parentPort!.postMessage({ done: await run(c) });
  }
  parentPort!.postMessage({ finished: true });
})();
