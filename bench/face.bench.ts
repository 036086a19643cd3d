/**
 * Face benchmark: ms per image for each detector and recognizer (warm, median of repeats; the
 * one-off model load reported apart), and unmask's Haar (opencv-wasm) next to OpenCV's Haar in
 * Debian's python3-opencv on the same images with the same XML and parameters, in the same run.
 * Run: npx tsc -b && node build/bench/face.bench.js [--reps N]
 */
import * as path from "node:path";
import * as fs from "node:fs";
import { execFileSync } from "node:child_process";
import {
  detectFaces, encodeFace, readImage, recognizers, writePng, loadSeries, resample, marchingCubes, renderMesh,
  HAAR_CASCADE_PATH, HAAR_DEFAULTS, type RgbaImage, type DetectorName,
} from "unmask";

const ROOT = path.resolve(__dirname, "..", "..");
const FACES = path.join(ROOT, "data-samples", "faces");
const NAMES = ["obama-1.jpg", "obama-2.jpg", "biden-1.jpg", "collins-1.png", "no-face-coffee.png"];
const RENDER_NAME = "ct-render-front.png";
const repsArg = process.argv.indexOf("--reps");
const REPS = repsArg > 0 ? Number(process.argv[repsArg + 1]) : 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number, d = 1) => x.toFixed(d);

async function timeIt(fn: () => Promise<unknown> | unknown, reps: number): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = process.hrtime.bigint();
    await fn();
    ts.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(ts);
}

/**
 * OpenCV's Haar in python3-opencv: median ms per image (grey conversion + detectMultiScale) and the
 * face count, with OpenCV's default threads and with one thread (opencv-wasm runs on one).
 */
function opencvHaar(files: string[], reps: number, threads: "default" | 1): { ms: number[]; faces: number[]; version: string } {
  const script = `
import cv2, json, sys, time
if sys.argv[3] == "1": cv2.setNumThreads(1)
c = cv2.CascadeClassifier(sys.argv[1])
out = {"ms": [], "faces": [], "version": cv2.__version__}
for f in sys.argv[4:]:
    im = cv2.imread(f)
    ts = []
    for _ in range(int(sys.argv[2])):
        t = time.perf_counter()
        g = cv2.cvtColor(im, cv2.COLOR_BGR2GRAY)
        r = c.detectMultiScale(g, scaleFactor=${HAAR_DEFAULTS.scaleFactor}, minNeighbors=${HAAR_DEFAULTS.minNeighbors})
        ts.append((time.perf_counter() - t) * 1000)
    ts.sort()
    out["ms"].append(ts[len(ts) // 2])
    out["faces"].append(len(r))
print(json.dumps(out))
`;
  const res = execFileSync("/usr/bin/python3", ["-c", script, HAAR_CASCADE_PATH, String(reps), String(threads), ...files], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return JSON.parse(res);
}

async function main(): Promise<void> {
  const files = NAMES.map((n) => path.join(FACES, n));
  const images: RgbaImage[] = [];
  for (const f of files) images.push(await readImage(f));
  // With an X display (bench/run.sh uses xvfb-run), add a render of the shipped CT at -300 HU
  // (front, three-point light, 512²), saved as PNG so that OpenCV reads the very same pixels.
  if (process.env.DISPLAY) {
    const { volume } = await loadSeries(path.join(ROOT, "data-samples", "ct-cranium"));
    const mesh = await marchingCubes(resample(volume, { spacing: 1 }), { level: -300 });
    const { image } = await renderMesh(mesh, { view: "front", light: "three-point", size: 512, voxelAxes: volume.direction });
    const file = path.join(ROOT, ".bench", RENDER_NAME);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await writePng(file, image);
    NAMES.push(RENDER_NAME);
    files.push(file);
    images.push(await readImage(file));
  } else {
    console.log("(no X display: the CT render is left out; run under xvfb-run or bench/run.sh)");
  }
  const rows: Record<string, unknown>[] = [];
  console.log(`face benchmark: ${REPS} repeats per image (median), ${images.length} images: ${NAMES.join(", ")}`);
  console.log(`machine: ${require("node:os").cpus().length} cores, node ${process.version}\n`);

  // Detectors.
  const detectorMs: Record<string, number[]> = {};
  for (const detector of ["human", "haar"] as DetectorName[]) {
    const t0 = process.hrtime.bigint();
    await detectFaces(images[3], { detector });
    const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const ms: number[] = [];
    const counts: number[] = [];
    for (const img of images) {
      counts.push((await detectFaces(img, { detector })).length);
      ms.push(await timeIt(() => detectFaces(img, { detector }), REPS));
    }
    detectorMs[detector] = ms;
    console.log(`detector ${detector.padEnd(6)} first call (load + 1 image) ${fmt(loadMs, 0)} ms; per image: ` + NAMES.map((n, i) => `${n} ${fmt(ms[i])} ms (${counts[i]} face${counts[i] === 1 ? "" : "s"})`).join(", "));
    rows.push({ kind: "detector", name: detector, loadMs, msPerImage: Object.fromEntries(NAMES.map((n, i) => [n, ms[i]])), faces: counts });
  }

  // Haar: unmask (opencv-wasm 4.3) vs OpenCV (python3-opencv) on the same images, same run.
  const cv = opencvHaar(files, REPS, "default");
  const cv1 = opencvHaar(files, REPS, 1);
  console.log(`\nHaar cascade, scaleFactor ${HAAR_DEFAULTS.scaleFactor}, minNeighbors ${HAAR_DEFAULTS.minNeighbors} — unmask (opencv-wasm 4.3, 1 thread) vs OpenCV ${cv.version} (python3-opencv), ms per image:`);
  console.log("image                  size        unmask ms   opencv ms (default threads)  ratio   opencv ms (1 thread)  ratio   faces unmask/opencv");
  for (let i = 0; i < images.length; i++) {
    const u = detectorMs.haar[i];
    const hf = (rows[1].faces as number[])[i];
    console.log(
      `${NAMES[i].padEnd(22)} ${`${images[i].width}×${images[i].height}`.padEnd(11)} ${fmt(u).padStart(9)} ${fmt(cv.ms[i]).padStart(13)} ${fmt(u / cv.ms[i], 2).padStart(21)}× ` +
        `${fmt(cv1.ms[i]).padStart(12)} ${fmt(u / cv1.ms[i], 2).padStart(15)}×   ${hf}/${cv.faces[i]}`,
    );
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const su = sum(detectorMs.haar), sc = sum(cv.ms), sc1 = sum(cv1.ms);
  console.log(`${"all images".padEnd(34)} ${fmt(su).padStart(9)} ${fmt(sc).padStart(13)} ${fmt(su / sc, 2).padStart(21)}× ${fmt(sc1).padStart(12)} ${fmt(su / sc1, 2).padStart(15)}×   (unmask / OpenCV)`);
  rows.push({ kind: "haar-vs-opencv", unmaskMs: detectorMs.haar, opencvMs: cv.ms, opencvMs1Thread: cv1.ms, opencvVersion: cv.version, opencvFaces: cv.faces, ratio: su / sc, ratio1Thread: su / sc1 });

  // Recognizers: detection + embedding of the largest face, per image.
  console.log(`\nrecognizers (detect + align/crop + embed the largest face), median ms per image over the portraits${NAMES.includes(RENDER_NAME) ? " and the CT render" : ""}:`);
  for (const info of recognizers) {
    const t0 = process.hrtime.bigint();
    await encodeFace(images[3], { recognizer: info.name });
    const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const ms: number[] = [];
    for (const img of images.filter((_im, i) => NAMES[i] !== "no-face-coffee.png")) ms.push(await timeIt(() => encodeFace(img, { recognizer: info.name }), REPS));
    const m = median(ms);
    const noFaceMs = await timeIt(() => encodeFace(images[NAMES.indexOf("no-face-coffee.png")], { recognizer: info.name }), REPS);
    console.log(
      `  ${info.name.padEnd(13)} ${info.dimensions}-d ${info.distance.padEnd(9)} first call ${fmt(loadMs, 0).padStart(5)} ms;  ` +
        `${fmt(m).padStart(7)} ms/image = ${fmt(1000 / m, 2)} images/s  (range ${fmt(Math.min(...ms))}–${fmt(Math.max(...ms))}; no-face image ${fmt(noFaceMs)} ms)`,
    );
    rows.push({ kind: "recognizer", name: info.name, loadMs, msPerImage: ms, medianMs: m, imagesPerSecond: 1000 / m, noFaceMs });
  }
  console.log("  (no Debian peer for the recognizers: figures only; dlib-style face_recognition/dlib is not packaged here)");
  const outDir = path.join(ROOT, ".bench");
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "face.json"), JSON.stringify({ date: new Date().toISOString(), reps: REPS, images: NAMES, rows }, null, 2));
}

main().then(
  () => process.exit(0),
  (e) => { console.error(e); process.exit(1); },
);
