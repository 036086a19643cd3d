// Audit benchmark: one large CT (the shipped CT resampled to 512×512×300) audited end to end, and
// series per minute with 1 and 2 local worker processes and with 2 queue workers on one host.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { loadSeries } from "unmask/dicom";
import { resample } from "unmask/volume";
import { writeNifti } from "unmask/nifti";
import { runAudit, enqueueAudit } from "unmask/audit";
import { CT_DIR, MRI_DIR, ROOT, SCRATCH } from "./common";

const CLI = path.join(ROOT, "lib", "bin", "unmask.js");

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(SCRATCH, "audit-"));
  try {
    console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
    // 1. A 512×512×300 CT: the shipped CT on a finer grid over the same extent (written as NIfTI).
    const ct = (await loadSeries(CT_DIR)).volume;
    const ext = ct.shape.map((n, a) => (n - 1) * ct.spacing[a]); // first to last voxel centre
    const big = resample(ct, { spacing: [ext[0] / 511, ext[1] / 511, ext[2] / 299] as [number, number, number], interpolation: "linear" });
    const bigFile = path.join(dir, "ct-512.nii");
    writeNifti(bigFile, big);
    const time = async (paths: string[], opts: { workers: number }) => {
      const out = path.join(dir, `r-${Math.random().toString(36).slice(2)}`);
      const t0 = performance.now();
      const report = await runAudit(paths, { outDir: out, workers: opts.workers });
      return { ms: performance.now() - t0, report };
    };
    await time([CT_DIR], { workers: 0 }); // warm-up: models, WebGL
    const bigRun = await time([bigFile], { workers: 0 });
    const nativeRun = await time([CT_DIR], { workers: 0 });
    console.log(`\nOne series, in this process (warm): ${big.shape.join("×")} CT (${(big.data.length / 1e6).toFixed(1)} M voxels)`);
    console.log(`  512×512×300 CT: ${(bigRun.ms / 1000).toFixed(2)} s (verdict ${bigRun.report.items[0].verdict}); target ≤ 5 s: ${bigRun.ms <= 5000 ? "PASS" : "MISS"}`);
    console.log(`  shipped CT 256×256×108, same run: ${(nativeRun.ms / 1000).toFixed(2)} s → the 9.5× larger volume takes ${(bigRun.ms / nativeRun.ms).toFixed(1)}× as long`);

    // 2. Throughput: 8 series (4 copies each of the shipped CT and MRI, separate roots).
    const roots: string[] = [];
    for (let c = 0; c < 4; c++) {
      for (const [name, src] of [["ct", CT_DIR], ["mri", MRI_DIR]]) {
        const d = path.join(dir, `copy${c}`, name);
        fs.cpSync(src, d, { recursive: true });
        roots.push(d);
      }
    }
    const rate = (ms: number) => (roots.length / (ms / 60000));
    const one = await time(roots, { workers: 1 });
    const two = await time(roots, { workers: 2 });
    // Queue: redis-server on loopback, two `unmask worker` processes.
    const port = await freePort();
    const redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 500));
    const url = `redis://127.0.0.1:${port}`;
    const workers: ChildProcess[] = [0, 1].map(() => spawn(process.execPath, [CLI, "worker", "--queue", url], { stdio: "ignore" }));
    await new Promise((r) => setTimeout(r, 3000)); // let the workers start (their first job still pays for the models)
    const tq = performance.now();
    await enqueueAudit(roots, { queue: url, outDir: path.join(dir, "rq"), pollMs: 100 });
    const queueMs = performance.now() - tq;
    for (const w of workers) w.kill("SIGTERM");
    redis.kill("SIGTERM");
    console.log(`\nThroughput on ${roots.length} series (4 × shipped CT, 4 × shipped MRI), ${os.cpus().length} cores`);
    console.log("mode                     s      series/min  vs 1 local worker");
    console.log(`1 local worker process   ${(one.ms / 1000).toFixed(1).padEnd(6)} ${rate(one.ms).toFixed(1).padEnd(11)} 1.00×`);
    console.log(`2 local worker processes ${(two.ms / 1000).toFixed(1).padEnd(6)} ${rate(two.ms).toFixed(1).padEnd(11)} ${(one.ms / two.ms).toFixed(2)}×`);
    console.log(`2 queue workers (BullMQ) ${(queueMs / 1000).toFixed(1).padEnd(6)} ${rate(queueMs).toFixed(1).padEnd(11)} ${(one.ms / queueMs).toFixed(2)}×`);
    console.log("(each local run starts its worker processes, which load the models and WebGL: included in its time)");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
