/**
 * Face benchmark: ms per image for each detector and recognizer (warm, median of repeats; the
 * one-off model load reported apart), and unmask's Haar (opencv-wasm) next to OpenCV's Haar in
 * Debian's python3-opencv on the same images with the same XML and parameters, in the same run.
 * Run: npx tsc -b && node build/bench/face.bench.js [--reps N]
 */
import * as path from "node:path";
import * as fs from "node:fs";
import { spawn } from "node:child_process";
import * as readline from "node:readline";
import { detectFaces, readImage, writePng, loadSeries, resample, marchingCubes, renderMesh, type RgbaImage } from "unmask";
import { encodeFace, recognizers, HAAR_CASCADE_PATH, HAAR_DEFAULTS, type DetectorName } from "unmask/face";

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
 * OpenCV's Haar in python3-opencv as a persistent worker: each request ("THREADS PATH") times one
 * grey conversion + detectMultiScale inside Python (no process start, no IPC in the figure), so
 * unmask and OpenCV can be timed alternately, image by image, under the same machine load.
 */
function startOpenCv(): { time(file: string, threads: "default" | 1): Promise<{ ms: number; faces: number }>; version: string; close(): void } {
  const script = `
import cv2, json, sys, time
c = cv2.CascadeClassifier(sys.argv[1])
default_threads = cv2.getNumThreads()
cache = {}
print(json.dumps({"version": cv2.__version__}), flush=True)
for line in sys.stdin:
    threads, f = line.rstrip("\\n").split(" ", 1)
    cv2.setNumThreads(1 if threads == "1" else default_threads)
    if f not in cache: cache[f] = cv2.imread(f)
    t = time.perf_counter()
    g = cv2.cvtColor(cache[f], cv2.COLOR_BGR2GRAY)
    r = c.detectMultiScale(g, scaleFactor=${HAAR_DEFAULTS.scaleFactor}, minNeighbors=${HAAR_DEFAULTS.minNeighbors})
    ms = (time.perf_counter() - t) * 1000
    print(json.dumps({"ms": ms, "faces": len(r)}), flush=True)
`;
  const py = spawn("/usr/bin/python3", ["-c", script, HAAR_CASCADE_PATH], { stdio: ["pipe", "pipe", "ignore"] });
  const lines = readline.createInterface({ input: py.stdout });
  const waiting: ((line: string) => void)[] = [];
  const queued: string[] = [];
  lines.on("line", (l) => { const w = waiting.shift(); if (w) w(l); else queued.push(l); });
  const next = () => new Promise<string>((res) => { const q = queued.shift(); if (q !== undefined) res(q); else waiting.push(res); });
  const api = {
    version: "",
    async time(file: string, threads: "default" | 1) {
      py.stdin.write(`${threads} ${file}\n`);
      return JSON.parse(await next()) as { ms: number; faces: number };
    },
    close() { py.stdin.end(); },
  };
  const ready = next().then((l) => { api.version = JSON.parse(l).version; });
  return Object.assign(api, { ready });
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

  // Haar: unmask (opencv-wasm 4.3) vs OpenCV (python3-opencv) on the same images, same run,
  // alternating one unmask run, one OpenCV run (default threads) and one OpenCV run (1 thread).
  const cv = startOpenCv() as ReturnType<typeof startOpenCv> & { ready: Promise<void> };
  await cv.ready;
  const haarU: number[][] = [], haarC: number[][] = [], haarC1: number[][] = [], cvFaces: number[] = [];
  for (let i = 0; i < images.length; i++) {
    haarU.push([]); haarC.push([]); haarC1.push([]);
    await cv.time(files[i], "default"); // decode + warm
    for (let r = 0; r < REPS; r++) {
      const t = process.hrtime.bigint();
      await detectFaces(images[i], { detector: "haar" });
      haarU[i].push(Number(process.hrtime.bigint() - t) / 1e6);
      const c = await cv.time(files[i], "default");
      haarC[i].push(c.ms);
      cvFaces[i] = c.faces;
      haarC1[i].push((await cv.time(files[i], 1)).ms);
    }
  }
  cv.close();
  const min = (xs: number[]) => Math.min(...xs);
  console.log(`\nHaar cascade, scaleFactor ${HAAR_DEFAULTS.scaleFactor}, minNeighbors ${HAAR_DEFAULTS.minNeighbors} — unmask (opencv-wasm 4.3, 1 thread) vs OpenCV ${cv.version} (python3-opencv), ` +
    `ms per image, median (min) of ${REPS} alternating runs:`);
  console.log("image                  size          unmask ms        opencv ms, default threads  ratio     opencv ms, 1 thread  ratio    faces unmask/opencv");
  const med = (xs: number[][]) => xs.map(median), mins = (xs: number[][]) => xs.map(min);
  for (let i = 0; i < images.length; i++) {
    const hf = (rows[1].faces as number[])[i];
    const u = median(haarU[i]), c = median(haarC[i]), c1 = median(haarC1[i]);
    console.log(
      `${NAMES[i].padEnd(22)} ${`${images[i].width}×${images[i].height}`.padEnd(11)} ${`${fmt(u)} (${fmt(min(haarU[i]))})`.padStart(17)} ` +
        `${`${fmt(c)} (${fmt(min(haarC[i]))})`.padStart(26)} ${fmt(u / c, 2).padStart(7)}× ${`${fmt(c1)} (${fmt(min(haarC1[i]))})`.padStart(20)} ${fmt(u / c1, 2).padStart(6)}×   ${hf}/${cvFaces[i]}`,
    );
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const su = sum(med(haarU)), sc = sum(med(haarC)), sc1 = sum(med(haarC1));
  const mu = sum(mins(haarU)), mc = sum(mins(haarC)), mc1 = sum(mins(haarC1));
  console.log(`${"all images, medians".padEnd(34)} ${fmt(su).padStart(17)} ${fmt(sc).padStart(26)} ${fmt(su / sc, 2).padStart(7)}× ${fmt(sc1).padStart(20)} ${fmt(su / sc1, 2).padStart(6)}×   (unmask / OpenCV)`);
  console.log(`${"all images, minimums".padEnd(34)} ${fmt(mu).padStart(17)} ${fmt(mc).padStart(26)} ${fmt(mu / mc, 2).padStart(7)}× ${fmt(mc1).padStart(20)} ${fmt(mu / mc1, 2).padStart(6)}×   (unmask / OpenCV)`);
  console.log(`load average during the run: ${require("node:os").loadavg().map((x: number) => x.toFixed(2)).join(" ")} (${require("node:os").cpus().length} cores)`);
  rows.push({ kind: "haar-vs-opencv", unmaskMs: haarU, opencvMs: haarC, opencvMs1Thread: haarC1, opencvVersion: cv.version, opencvFaces: cvFaces, ratioMedian: su / sc, ratioMedian1Thread: su / sc1, ratioMin: mu / mc, ratioMin1Thread: mu / mc1 });

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
