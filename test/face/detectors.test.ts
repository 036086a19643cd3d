import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { readImage, type RgbaImage } from "unmask/image";
import { loadSeries } from "unmask/dicom";
import { resample } from "unmask/volume";
import { marchingCubes } from "unmask/surface";
import { createRenderer } from "unmask/render";
import { detectFaces, detectors, skinLevel, haarScore, HAAR_ALT2_CASCADE_PATH, type DetectorName, type Face } from "unmask/face";
import { CT_DIR, FACES_DIR, MRI_DIR } from "../helpers/paths";

// The detector panel on the shipped photographs and on front/back renders of the shipped CT and MRI
// (512², three-point light, each at its skin level: −300 HU for CT, the histogram level for MRI).
// Every detector runs at its library's default threshold; nothing here is tuned on these images.
const PHOTOS = ["obama-1.jpg", "biden-1.jpg", "collins-1.png"];
const NEW: DetectorName[] = ["haar-alt2", "ssd", "tiny"];
const photos: Record<string, RgbaImage> = {};
const renders: Record<string, RgbaImage> = {};

before(async () => {
  for (const n of [...PHOTOS, "no-face-coffee.png"]) photos[n] = await readImage(path.join(FACES_DIR, n));
  for (const [name, dir] of [["ct", CT_DIR], ["mri", MRI_DIR]] as const) {
    const { volume } = await loadSeries(dir);
    const mesh = await marchingCubes(resample(volume, { spacing: 1 }), { level: skinLevel(volume).level });
    const r = createRenderer(mesh, { size: 512, voxelAxes: volume.direction });
    try {
      renders[`${name}-front`] = (await r.render("front", { light: "three-point" })).image;
      renders[`${name}-back`] = (await r.render("back", { light: "three-point" })).image;
    } finally {
      r.release();
    }
  }
});

function iou(a: Face["box"], b: Face["box"]): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? (w * h) / (a.width * a.height + b.width * b.height - w * h) : 0;
}

function wellFormed(faces: Face[], img: RgbaImage, detector: DetectorName): void {
  for (const f of faces) {
    assert.equal(f.detector, detector);
    assert.ok(f.score > 0 && f.score <= 1, `${detector}: score ${f.score}`);
    const b = f.box;
    assert.ok(b.x >= 0 && b.y >= 0 && b.width > 0 && b.height > 0 && b.x + b.width <= img.width + 1e-6 && b.y + b.height <= img.height + 1e-6, `${detector}: box inside the image`);
  }
  for (let i = 1; i < faces.length; i++) assert.ok(faces[i - 1].score >= faces[i].score, `${detector}: best first`);
}

test("the panel lists five detectors; the alt2 cascade ships with its Intel licence header", () => {
  assert.deepEqual([...detectors].sort(), ["haar", "haar-alt2", "human", "ssd", "tiny"]);
  const head = fs.readFileSync(HAAR_ALT2_CASCADE_PATH, "utf8").slice(0, 4000);
  assert.match(head, /Intel License Agreement/);
  assert.match(head, /Rainer Lienhart/);
});

test("haar-alt2, ssd and tiny each find the one face in every photograph, where human finds it", async () => {
  for (const name of PHOTOS) {
    const [h] = await detectFaces(photos[name], { detector: "human" });
    for (const detector of NEW) {
      const faces = await detectFaces(photos[name], { detector });
      wellFormed(faces, photos[name], detector);
      assert.equal(faces.length, 1, `${detector} on ${name}: ${faces.length} faces`);
      assert.ok(iou(faces[0].box, h.box) > 0.4, `${detector} on ${name}: IoU with human ${iou(faces[0].box, h.box).toFixed(2)}`);
    }
  }
});

test("no detector finds a face in the coffee photo or on the back renders of the CT and MRI", async () => {
  for (const detector of detectors) {
    assert.deepEqual(await detectFaces(photos["no-face-coffee.png"], { detector }), [], `${detector} on the coffee photo`);
    for (const key of ["ct-back", "mri-back"]) assert.deepEqual(await detectFaces(renders[key], { detector }), [], `${detector} on ${key}`);
  }
});

/** The best face sits on the lit head, centred left-right (the renders centre the head). */
function onFace(faces: Face[], img: RgbaImage, label: string): void {
  assert.ok(faces.length >= 1, `${label}: no face`);
  const b = faces[0].box;
  const cx = b.x + b.width / 2, cy = b.y + b.height / 2;
  assert.ok(Math.abs(cx - img.width / 2) < img.width * 0.15, `${label}: centre x ${cx.toFixed(0)}`);
  assert.ok(cy > img.height * 0.25 && cy < img.height * 0.85, `${label}: centre y ${cy.toFixed(0)}`);
}

test("human, haar, haar-alt2 and ssd find the face on the front renders of the CT and the MRI", async () => {
  for (const detector of ["human", "haar", "haar-alt2", "ssd"] as const) {
    for (const key of ["ct-front", "mri-front"]) {
      const faces = await detectFaces(renders[key], { detector });
      wellFormed(faces, renders[key], detector);
      onFace(faces, renders[key], `${detector} on ${key}`);
    }
  }
});

// Known miss, kept visible: at its default threshold (0.5, input 416) TinyFaceDetector finds no face
// on either front render (its best score there is < 0.25, no higher than on the back renders).
test("tiny finds the face on the front renders of the CT and the MRI", { todo: "TinyFaceDetector misses both renders at its default threshold" }, async () => {
  for (const key of ["ct-front", "mri-front"]) onFace(await detectFaces(renders[key], { detector: "tiny" }), renders[key], `tiny on ${key}`);
});

test("haar-alt2 matches OpenCV's reference boxes and neighbour counts on the portraits", async () => {
  // python3-opencv 4.6 (cv2.CascadeClassifier on lib/assets/haarcascade_frontalface_alt2.xml,
  // detectMultiScale2 on the grey image, scaleFactor 1.1, minNeighbors 4) gives these.
  const ref: Record<string, [number, number, number, number, number]> = {
    "obama-1.jpg": [353, 101, 279, 279, 37],
    "biden-1.jpg": [430, 203, 325, 325, 19],
    "collins-1.png": [177, 66, 97, 97, 36],
  };
  for (const [name, [x, y, width, height, n]] of Object.entries(ref)) {
    const [f] = await detectFaces(photos[name], { detector: "haar-alt2" });
    assert.deepEqual(f.box, { x, y, width, height }, name);
    assert.equal(f.neighbours, n, name);
  }
});

test("Haar scores: 0.5 at the cascade's acceptance limit, growing with support; bad face-api options are typed errors", async () => {
  assert.equal(haarScore(5, 4), 0.5);
  assert.ok(haarScore(20, 4) > haarScore(6, 4) && haarScore(1000, 4) < 1);
  const [f] = await detectFaces(photos["obama-1.jpg"], { detector: "haar-alt2" });
  assert.ok((f.neighbours ?? 0) > 4);
  assert.equal(f.score, haarScore(f.neighbours!, 4));
  await assert.rejects(detectFaces(photos["obama-1.jpg"], { detector: "tiny", inputSize: 100 }), { code: "INVALID_ARGUMENT" });
  await assert.rejects(detectFaces(photos["obama-1.jpg"], { detector: "ssd", minScore: 2 }), { code: "INVALID_ARGUMENT" });
});
