// Child process of bench/surface.bench.ts: one marching-cubes mode on a raw float32 volume, so that
// its peak memory (max RSS) is its own. Imports only the surface module (not all of "unmask", whose
// start-up footprint would hide the extraction's peak under the process's early maximum).
import * as fs from "node:fs";
import { Worker } from "node:worker_threads";
import { marchingCubes, marchingCubesSync, warmUpSurfaceWorkers } from "unmask/surface";
import { createVolume, type Vec3 } from "unmask/volume";

async function main(raw: string, shape: Vec3, spacing: Vec3, mode: string, level: number, runs: number): Promise<void> {
  const n = shape[0] * shape[1] * shape[2];
  const data = new Float32Array(n);
  const fd = fs.openSync(raw, "r");
  fs.readSync(fd, new Uint8Array(data.buffer), 0, data.byteLength, 0);
  fs.closeSync(fd);
  const vol = createVolume({ shape, spacing, data });
  const opts = { level, normals: mode.endsWith("+normals") };
  const sync = mode.replace("memory-", "").startsWith("sync");
  const run = sync ? async () => marchingCubesSync(vol, opts) : () => marchingCubes(vol, { ...opts, workers: 2 });
  const time = async () => {
    const t0 = process.hrtime.bigint();
    const m = await run();
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, m };
  };
  if (mode.startsWith("memory")) {
    // One call, nothing else: its peak is the extraction's own (for parallel, worker start-up included).
    // A sampling thread polls the process's RSS every 0.2 ms (the kernel's max RSS alone can sit on an
    // earlier, unrelated peak); the peak is the larger of the two increases over their baselines.
    const sampler = new Worker(
      `const { parentPort } = require("node:worker_threads");
       let max = 0, on = true;
       parentPort.on("message", (m) => { if (m === "stop") { on = false; parentPort.postMessage(max); } });
       (function poll() { if (!on) return; max = Math.max(max, process.memoryUsage.rss()); setTimeout(poll, 0.2); })();`,
      { eval: true },
    );
    await new Promise((r) => setTimeout(r, 50));
    (globalThis as { gc?: () => void }).gc?.();
    const rss0 = process.memoryUsage.rss();
    const max0 = process.resourceUsage().maxRSS * 1024;
    if (!sync) await warmUpSurfaceWorkers(2);
    const { ms, m } = await time();
    await new Promise((r) => setTimeout(r, 5));
    const sampled = await new Promise<number>((r) => {
      sampler.once("message", r);
      sampler.postMessage("stop");
    });
    await sampler.terminate();
    const peakBytes = Math.max(sampled - rss0, process.resourceUsage().maxRSS * 1024 - max0);
    console.log(JSON.stringify({ ms, firstMs: ms, triangles: m.triangles.length / 3, vertices: m.positions.length / 3, peakBytes, volumeBytes: data.byteLength }));
    return;
  }
  const first = await time();
  await time(); // warm-up (workers ready)
  let best = Infinity;
  let last = first.m;
  for (let r = 0; r < runs; r++) {
    const { ms, m } = await time();
    best = Math.min(best, ms);
    last = m;
  }
  console.log(JSON.stringify({ ms: best, firstMs: first.ms, triangles: last.triangles.length / 3, vertices: last.positions.length / 3, peakBytes: NaN, volumeBytes: data.byteLength }));
}

const [raw, shape, spacing, mode, level, runs] = process.argv.slice(2);
main(raw, shape.split(",").map(Number) as Vec3, spacing.split(",").map(Number) as Vec3, mode, Number(level), Number(runs)).then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
