// The foundation chain on the shipped CT — load → resample → surface → render → detect — timed step by
// step next to the seed's Python pipeline (pydicom, scipy cubic zoom, skimage, matplotlib, OpenCV Haar)
// on the same folder in the same run.
import * as path from "node:path";
import { loadSeries, resample, marchingCubes, renderMesh, detectFaces, writePng } from "unmask";
import { CT_DIR, SCRATCH, fmt, printTable, ratio, runPython, timeIt } from "./common";

async function main() {
  const load = await timeIt(() => loadSeries(CT_DIR), 3);
  const vol = load.result.volume;
  const res = await timeIt(() => resample(vol, { spacing: 1, interpolation: "cubic" }), 2);
  const iso = res.result;
  const surf = await timeIt(() => marchingCubes(iso, { level: -300 }), 3);
  const mesh = surf.result;
  const first = Date.now();
  await renderMesh(mesh, { view: "front", size: 512 });
  const firstFrame = Date.now() - first;
  const render = await timeIt(() => renderMesh(mesh, { view: "front", size: 512 }), 5);
  await writePng(path.join(SCRATCH, "pipeline-front.png"), render.result.image);
  const human = await timeIt(() => detectFaces(render.result.image, { detector: "human" }), 5);
  const haar = await timeIt(() => detectFaces(render.result.image, { detector: "haar" }), 5);
  const tris = mesh.triangles.length / 3;

  console.log(`unmask on ${CT_DIR}: ${vol.shape.join("×")} → 1 mm ${iso.shape.join("×")}, ${fmt(tris)} triangles; first frame ${firstFrame} ms (context + upload)`);
  const seed = runPython("seed_pipeline.py", [CT_DIR, path.join(SCRATCH, "seed-render.png")]);
  const s = (seed.seconds ?? {}) as Record<string, number>;
  const py = (k: string) => (s[k] !== undefined ? s[k] * 1000 : NaN);
  if (seed.absent || seed.error) console.log(`seed pipeline (python): ${seed.absent ? "absent modules: " + (seed.absent as string[]).join(", ") : seed.error}`);
  const rows: (string | number)[][] = [
    ["load DICOM → HU", load.ms, py("load"), ratio(load.ms, py("load"))],
    ["resample to 1 mm (cubic)", res.ms, py("resample"), ratio(res.ms, py("resample"))],
    ["isosurface -300 HU", surf.ms, py("surface"), ratio(surf.ms, py("surface"))],
    ["render 512² (WebGL vs matplotlib)", render.ms, py("render"), ratio(render.ms, py("render"))],
    ["detect: human (unmask) / Haar (seed)", human.ms, py("detect"), ratio(human.ms, py("detect"))],
    ["detect: Haar (unmask, opencv-wasm)", haar.ms, py("detect"), ratio(haar.ms, py("detect"))],
  ];
  const ours = load.ms + res.ms + surf.ms + render.ms + human.ms;
  const theirs = ["load", "resample", "surface", "render", "detect"].reduce((a, k) => a + py(k), 0);
  rows.push(["total (with human)", ours, theirs, ratio(ours, theirs)]);
  printTable("Foundation pipeline on the shipped CT (ms, best of runs; seed = Python, same folder, same run)", ["step", "unmask ms", "seed ms", "unmask vs seed"], rows);
  console.log(`faces: human ${human.result.length} (score ${human.result[0]?.score.toFixed(2) ?? "-"}), Haar on unmask's render ${haar.result.length}, Haar on the seed's matplotlib render ${seed.faces ?? "n/a"}; triangles unmask ${fmt(tris)} vs skimage ${seed.triangles ?? "n/a"}`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
