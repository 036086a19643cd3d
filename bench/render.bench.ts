// Render frame time: draw + readPixels into RGBA, warm, orthographic, front view, 512×512, no
// decimation, on skin surfaces of the shipped CT (marching cubes at -300 HU after resampling to the
// spacing that gives ~100 k, ~1 M, ~3 M triangles). Target: 1 M triangles ≤ 100 ms a frame.
// Compared in the same run with the seed's matplotlib render (Poly3DCollection, view_init(0, 270)) of
// the same mesh; above MPL_MAX triangles matplotlib draws every k-th triangle and the table says so.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createRenderer, loadSeries, marchingCubes, resample, writePng, type Mesh } from "unmask";
import { CT_DIR, SCRATCH, fmt, printTable, ratio, runPython } from "./common";

const TARGETS = [100_000, 1_000_000, 3_000_000];
const FRAMES = 12;
/** matplotlib needs ~40 µs a triangle: above this it draws a subsample (every k-th triangle). */
const MPL_MAX = Number(process.env.MPL_MAX ?? 1_100_000);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Warm frame times (ms) of one mesh: the draw + readback part, the whole render() call, and the
 * process CPU time a frame (all threads: node's + llvmpipe's rasterizer threads), which other
 * processes competing for the 2 cores do not inflate.
 */
async function frames(mesh: Mesh, cullBackFaces: boolean): Promise<{ first: number; draw: number[]; call: number[]; cpu: number[] }> {
  const t0 = performance.now();
  const r = createRenderer(mesh, { decimate: false, cullBackFaces, size: 512 });
  await r.render("front");
  const first = performance.now() - t0;
  for (let w = 0; w < 2; w++) await r.render("front");
  const draw: number[] = [], call: number[] = [], cpu: number[] = [];
  for (let f = 0; f < FRAMES; f++) {
    const c0 = process.cpuUsage();
    const t = performance.now();
    const res = await r.render("front");
    call.push(performance.now() - t);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    draw.push(res.ms);
  }
  r.release();
  return { first, draw, call, cpu };
}

async function main() {
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const { volume } = await loadSeries(CT_DIR);
  // Triangle count scales as 1/h² with the grid spacing h: calibrate on 1 mm.
  const n1 = (await marchingCubes(resample(volume, { spacing: 1 }), { level: -300 })).triangles.length / 3;
  const rows: (string | number)[][] = [];
  const mplRows: (string | number)[][] = [];
  for (const target of TARGETS) {
    const h = Math.sqrt(n1 / target);
    const mesh = await marchingCubes(resample(volume, { spacing: h }), { level: -300 });
    const tris = mesh.triangles.length / 3;
    const cull = await frames(mesh, true);
    const both = await frames(mesh, false);
    const d = median(cull.draw);
    rows.push([
      `${fmt(tris)} (${h.toFixed(3)} mm grid)`, d, 1000 / d, Math.min(...cull.draw), 1000 / Math.min(...cull.draw), median(cull.cpu), median(cull.call),
      median(both.draw), 1000 / median(both.draw), cull.first,
    ]);
    const base = path.join(SCRATCH, `render-${target}`);
    fs.writeFileSync(`${base}.f32`, mesh.positions);
    fs.writeFileSync(`${base}.u32`, mesh.triangles);
    const r = createRenderer(mesh, { decimate: false });
    await writePng(`${base}-webgl.png`, (await r.render("front")).image);
    r.release();
    const mpl = runPython("matplotlib_render.py", [base, `${base}-matplotlib.png`, "--max-triangles", String(MPL_MAX)], 900_000);
    fs.rmSync(`${base}.f32`);
    fs.rmSync(`${base}.u32`);
    if (mpl.error || mpl.absent) {
      mplRows.push([fmt(tris), "n/a", String(mpl.error ?? mpl.absent), "", ""]);
      continue;
    }
    const ms = (mpl.seconds as number) * 1000;
    const drawn = mpl.rendered_triangles as number;
    const k = Math.ceil(tris / drawn);
    const note = drawn < tris ? `${fmt(drawn)} (every ${k}${k === 2 ? "nd" : k === 3 ? "rd" : "th"} triangle: lower bound)` : `${fmt(drawn)} (all)`;
    mplRows.push([fmt(tris), d, ms, note, ratio(d, ms)]);
  }
  printTable(
    `WebGL frame at 512×512 (three 0.162 + headless-gl/llvmpipe), front, orthographic, no decimation; median of ${FRAMES} warm frames`,
    ["triangles", "ms (draw+read)", "frames/s", "best ms", "best frames/s", "CPU ms/frame", "ms whole call", "ms both sides", "frames/s both", "first frame ms"],
    rows,
  );
  printTable(
    "Same mesh, the seed's matplotlib render (Poly3DCollection alpha 0.7, view_init(0, 270), savefig 512×512), same run",
    ["triangles", "WebGL ms", "matplotlib ms", "matplotlib drew", "WebGL vs matplotlib"],
    mplRows,
  );
  const oneM = rows[1];
  const [med1, best1] = [oneM[1] as number, oneM[3] as number];
  console.log(`\ntarget: 1 M triangles ≤ 100 ms a frame → median ${fmt(med1)} ms (${med1 <= 100 ? "met" : "NOT met"}), best ${fmt(best1)} ms (${best1 <= 100 ? "met" : "NOT met"}); load average now ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} on ${os.cpus().length} cores`);
  console.log(`"CPU ms/frame" sums node's and llvmpipe's threads (not inflated by other processes; wall can be lower: llvmpipe rasterizes on 2 threads); "ms whole call" adds framing the camera on the vertices; "both sides" draws back faces too (cullBackFaces: false). Images: ${SCRATCH}/render-*-{webgl,matplotlib}.png`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
