import { test, before } from "node:test";
import assert from "node:assert/strict";
import { loadSeries, resample, marchingCubes, createRenderer, detectFaces, compareFaces, readImage, type RgbaImage, type Face } from "unmask";
import { encodeFace } from "unmask/face";
import { CT_DIR, FACES_DIR } from "../helpers/paths";
import * as path from "node:path";

// Renders of the shipped CT at -300 HU (the seed's level), 512², orthographic (needs an X display: test/run.sh).
const views: Record<string, RgbaImage> = {};

before(async () => {
  const { volume } = await loadSeries(CT_DIR);
  const mesh = await marchingCubes(resample(volume, { spacing: 1 }), { level: -300 });
  const r = createRenderer(mesh, { size: 512, voxelAxes: volume.direction });
  try {
    views.front = (await r.render("front", { light: "three-point" })).image;
    views.frontHeadlight = (await r.render("front", { light: "headlight" })).image;
    views.obliqueLeft = (await r.render("oblique-left", { light: "three-point" })).image;
    views.back = (await r.render("back", { light: "three-point" })).image;
    views.seed = (await r.render("seed", { light: "flat" })).image;
  } finally {
    r.release();
  }
});

/** Mean brightness inside a box: a face box on a render lies on the lit skin, not the black background. */
function meanInside(img: RgbaImage, f: Face): number {
  let s = 0, n = 0;
  const b = f.box;
  for (let y = Math.floor(b.y); y < Math.min(img.height, b.y + b.height); y += 2)
    for (let x = Math.floor(b.x); x < Math.min(img.width, b.x + b.width); x += 2) {
      const q = 4 * (x + img.width * y);
      s += (img.data[q] + img.data[q + 1] + img.data[q + 2]) / 3;
      n++;
    }
  return s / n;
}

test("human finds the face on the CT's front renders (either light), in the upper-middle of the image", async () => {
  for (const key of ["front", "frontHeadlight"]) {
    const faces = await detectFaces(views[key], { detector: "human" });
    assert.equal(faces.length, 1, key);
    const f = faces[0];
    assert.ok(f.score > 0.8, `${key}: score ${f.score}`);
    const cx = f.box.x + f.box.width / 2;
    assert.ok(Math.abs(cx - 256) < 60, `${key}: face centred left-right (centre x ${cx})`);
    assert.ok(meanInside(views[key], f) > 60, `${key}: box on the lit skin`);
  }
});

test("Haar finds exactly one face on the three-point-lit CT front render; neither detector finds one from the back or on the seed's flat render", async () => {
  const haar = await detectFaces(views.front, { detector: "haar" });
  assert.equal(haar.length, 1);
  const human = await detectFaces(views.front, { detector: "human" });
  // The two boxes overlap (Haar's square sits on human's mesh box).
  const a = haar[0].box, b = human[0].box;
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  assert.ok(w > 0 && h > 0 && (w * h) / (a.width * a.height) > 0.5, "Haar box mostly inside human's");
  for (const key of ["back", "seed"]) {
    assert.deepEqual(await detectFaces(views[key], { detector: "human" }), [], `human on ${key}`);
    assert.deepEqual(await detectFaces(views[key], { detector: "haar" }), [], `Haar on ${key}`);
  }
});

test("every recognizer: two views of the same CT are closer than the CT render and a photograph", async () => {
  const photo = await readImage(path.join(FACES_DIR, "obama-1.jpg"));
  for (const recognizer of ["dlib", "faceres", "faceres-deep", "mobileface"] as const) {
    const same = await compareFaces(views.front, views.obliqueLeft, { recognizer });
    const diff = await compareFaces(views.front, photo, { recognizer });
    assert.ok("distance" in same && "distance" in diff, `${recognizer}: faces found on the renders`);
    assert.ok(same.distance < diff.distance, `${recognizer}: same CT ${same.distance} vs CT/photo ${diff.distance}`);
    assert.ok(same.match && !diff.match, recognizer);
  }
  // The back of the head is a typed no-face for the recognizers too.
  assert.deepEqual(await encodeFace(views.back, { recognizer: "faceres" }), { face: null, reason: "no-face" });
});

test("models are loaded once and leak no tensors across repeated detections and encodings", async () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tf = require("@tensorflow/tfjs-core") as typeof import("@tensorflow/tfjs-core");
  const run = async () => {
    await detectFaces(views.front, { detector: "human" });
    await detectFaces(views.back, { detector: "human" });
    for (const recognizer of ["dlib", "faceres", "faceres-deep", "mobileface"] as const) {
      await encodeFace(views.front, { recognizer });
      await encodeFace(views.back, { recognizer });
    }
  };
  await run();
  const before = tf.memory().numTensors;
  await run();
  await run();
  assert.equal(tf.memory().numTensors, before);
  assert.equal(tf.getBackend(), "wasm");
});
