/**
 * Defacing benchmark: the shipped CT resampled to 512×512×300 (as issue 14 asks), each method of
 * `deface` without verification, and the verification (fused face verdict at three levels) timed
 * apart; next to a NumPy plane cut (bench/python/quickshear_time.py) on the same volume in the same run.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadSeries } from "unmask/dicom";
import { resample } from "unmask/volume";
import { deface, verifyDefacing, type DefaceMethod } from "unmask/anonymize";
import { CT_DIR, SCRATCH, runPython } from "./common";

async function main(): Promise<void> {
  console.log(`deface benchmark: ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  const ct = (await loadSeries(CT_DIR)).volume;
  const ext = ct.shape.map((n, a) => (n - 1) * ct.spacing[a]);
  const big = resample(ct, { spacing: [ext[0] / 511, ext[1] / 511, ext[2] / 299] });
  console.log(`volume: ${big.shape.join("×")} (${(big.data.length / 1e6).toFixed(1)} M voxels)`);
  const times: Record<string, number> = {};
  let qs: ReturnType<typeof deface> | undefined;
  for (const method of ["quickshear", "deface", "blur", "skullstrip"] as DefaceMethod[]) {
    const t = performance.now();
    const r = deface(big, { method });
    times[method] = performance.now() - t;
    if (method === "quickshear") qs = r;
    console.log(`${method.padEnd(11)} ${(times[method] / 1000).toFixed(2)} s, ${r.report.voxelsChanged.toLocaleString("en-US")} voxels changed; target ≤ 5 s: ${times[method] <= 5000 ? "PASS" : "MISS"}`);
  }
  // The NumPy comparison cuts the volume with a plane of the same orientation through the same region.
  const raw = path.join(SCRATCH, "deface-512.f32");
  fs.writeFileSync(raw, Buffer.from(big.data.buffer, big.data.byteOffset, big.data.byteLength));
  const n = [0, -1, 0];
  const d = -((big.shape[1] * big.spacing[1]) * 0.3);
  const py = runPython("quickshear_time.py", [raw, ...big.shape.map(String), ...big.spacing.map(String), ...n.map(String), String(d), "3"]) as { ms?: number; numpy?: string; error?: string };
  if (py.error) console.log(`NumPy comparison unavailable: ${py.error}`);
  else console.log(`NumPy ${py.numpy} plane cut (given plane, voxel work only): ${(py.ms! / 1000).toFixed(2)} s → unmask quickshear (brain mask + hull + cut) takes ${(times.quickshear / py.ms!).toFixed(1)}× its time`);
  fs.rmSync(raw, { force: true });
  const t = performance.now();
  const v = await verifyDefacing(big, qs!.volume, qs!.report.level);
  console.log(`verification (verdict before + 3 levels after): ${((performance.now() - t) / 1000).toFixed(1)} s; before ${v.before.present}, after ${v.after.map((a) => a.present).join("/")}`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
