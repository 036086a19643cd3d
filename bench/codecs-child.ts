// Child process of bench/codecs.bench.ts: load one series folder with loadSeries (best of RUNS after a
// warm-up, which includes the codec's wasm initialisation), so that its peak memory (max RSS) is its own.
import * as fs from "node:fs";
import { loadSeries } from "unmask/dicom";

async function main(folder: string, runs: number, out?: string): Promise<void> {
  let volume = (await loadSeries(folder)).volume;
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    volume = (await loadSeries(folder)).volume;
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  if (out) fs.writeFileSync(out, Buffer.from(volume.data.buffer, volume.data.byteOffset, volume.data.byteLength));
  console.log(JSON.stringify({ ms: best, maxrss_mib: process.resourceUsage().maxRSS / 1024, shape: volume.shape }));
}

const [folder, runs, out] = process.argv.slice(2);
main(folder, Number(runs), out).catch((e) => {
  console.error(e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e));
  process.exit(1);
});
