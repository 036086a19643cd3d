#!/usr/bin/env node
// Warm timings of the face detector panel, ms per 512² render (median of 5 after 2 warm-up runs),
// and of faceProfile on the shipped CT and MRI. Run after `npx tsc -b`, under a display:
//   xvfb-run -a node scripts/time-detectors.js
// A one-off measurement for the issue note, not a benchmark (bench/ holds those).
const path = require("node:path");
const root = path.resolve(__dirname, "..");
const dist = (d) => require(path.join(root, "lib", "dist", d, "index.js"));
const u = { ...dist("dicom"), ...dist("volume"), ...dist("surface"), ...dist("render"), ...dist("face") };

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn, runs = 5, warm = 2) {
  for (let i = 0; i < warm; i++) await fn();
  const ms = [];
  for (let i = 0; i < runs; i++) { const t = process.hrtime.bigint(); await fn(); ms.push(Number(process.hrtime.bigint() - t) / 1e6); }
  return median(ms);
}

(async () => {
  const { volume } = await u.loadSeries(path.join(root, "data-samples", "ct-cranium"));
  const mesh = await u.marchingCubes(u.resample(volume, { spacing: 1 }), { level: -300 });
  const r = u.createRenderer(mesh, { size: 512, voxelAxes: volume.direction });
  const image = (await r.render("front", { light: "three-point" })).image;
  r.release();
  const rows = [];
  for (const detector of u.detectors) rows.push([`detectFaces ${detector} (CT front render, 512²)`, await time(() => u.detectFaces(image, { detector }))]);
  const { volume: mri } = await u.loadSeries(path.join(root, "data-samples", "mri-t1-head"));
  rows.push(["faceProfile CT (256×256×108, 0.96×0.96×1.5 mm)", await time(() => u.faceProfile(volume), 3, 1)]);
  rows.push(["faceProfile MRI (104×150×133, 1.6 mm)", await time(() => u.faceProfile(mri), 3, 1)]);
  rows.push(["skinLevel MRI (Otsu)", await time(() => u.skinLevel(mri), 3, 1)]);
  const os = require("node:os");
  console.log(`${os.cpus().length} × ${os.cpus()[0].model}, load average ${os.loadavg()[0].toFixed(1)}`);
  for (const [name, ms] of rows) console.log(`${name.padEnd(52)} ${ms.toFixed(0).padStart(6)} ms`);
})();
