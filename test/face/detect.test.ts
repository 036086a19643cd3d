import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { detectFaces, readImage, type Face, type RgbaImage } from "unmask";
import { HAAR_CASCADE_PATH, haarScore } from "unmask/face";
import { FACES_DIR, HAAR_XML, tempDir } from "../helpers/paths";
import * as fs from "node:fs";
import { execFileSync } from "node:child_process";

const PORTRAITS = ["obama-1.jpg", "obama-2.jpg", "biden-1.jpg", "collins-1.png"];
const face = (name: string) => readImage(path.join(FACES_DIR, name));

function inside(f: Face, img: RgbaImage): boolean {
  const b = f.box;
  return b.x >= 0 && b.y >= 0 && b.width > 0 && b.height > 0 && b.x + b.width <= img.width && b.y + b.height <= img.height;
}

test("human finds one face on obama-1, tight box inside the image, 468 mesh landmarks inside the box", async () => {
  const img = await face("obama-1.jpg");
  const faces = await detectFaces(img, { detector: "human" });
  assert.equal(faces.length, 1);
  const [f] = faces;
  assert.equal(f.detector, "human");
  assert.ok(inside(f, img));
  assert.ok(f.score > 0.8 && f.score <= 1, `score ${f.score}`);
  assert.equal(f.landmarks?.length, 468);
  for (const [x, y] of f.landmarks ?? []) {
    assert.ok(x >= f.box.x - 1e-6 && x <= f.box.x + f.box.width + 1e-6 && y >= f.box.y - 1e-6 && y <= f.box.y + f.box.height + 1e-6);
  }
  // A portrait: the face is a sizeable part of the picture but not all of it.
  const frac = (f.box.width * f.box.height) / (img.width * img.height);
  assert.ok(frac > 0.02 && frac < 0.5, `face covers ${frac} of the image`);
});

test("human and Haar agree on where the face is in every portrait (boxes overlap)", async () => {
  for (const name of PORTRAITS) {
    const img = await face(name);
    const h = await detectFaces(img, { detector: "human" });
    const c = await detectFaces(img, { detector: "haar" });
    assert.equal(h.length, 1, `${name}: human found ${h.length}`);
    assert.equal(c.length, 1, `${name}: Haar found ${c.length}`);
    const a = h[0].box, b = c[0].box;
    const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
    const hh = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
    const iou = w > 0 && hh > 0 ? (w * hh) / (a.width * a.height + b.width * b.height - w * hh) : 0;
    assert.ok(iou > 0.4, `${name}: human/Haar IoU ${iou.toFixed(2)}`);
  }
});

test("the coffee cup has no face for either detector ([] is a normal result)", async () => {
  const img = await face("no-face-coffee.png");
  assert.deepEqual(await detectFaces(img, { detector: "human" }), []);
  assert.deepEqual(await detectFaces(img, { detector: "haar" }), []);
});

test("Haar (1.1 / 4) matches OpenCV's reference: exactly 1 face in each portrait, 0 in the coffee image", async () => {
  for (const name of PORTRAITS) {
    const faces = await detectFaces(await face(name), { detector: "haar" });
    assert.equal(faces.length, 1, name);
    assert.equal(faces[0].score, haarScore(faces[0].neighbours ?? 0, 4));
    assert.ok((faces[0].neighbours ?? 0) >= 4, `${name}: neighbours ${faces[0].neighbours}`);
  }
  // python3-opencv 4.6 with the same XML and parameters gives [342, 95, 300, 300] on obama-1.
  const [f] = await detectFaces(await face("obama-1.jpg"), { detector: "haar" });
  assert.deepEqual(f.box, { x: 342, y: 95, width: 300, height: 300 });
});

test("the shipped cascade is the repository's XML, licence header intact", () => {
  assert.ok(fs.readFileSync(HAAR_CASCADE_PATH).equals(fs.readFileSync(HAAR_XML)));
  assert.match(fs.readFileSync(HAAR_CASCADE_PATH, "utf8").slice(0, 4000), /Intel License Agreement/);
});

test("a detection is repeatable (no caching between calls) and bad input is a typed error", async () => {
  const img = await face("collins-1.png");
  const a = await detectFaces(img, { detector: "human" });
  const b = await detectFaces(img, { detector: "human" });
  assert.deepEqual(a[0].box, b[0].box);
  // A different image straight after must not return the previous image's face.
  assert.deepEqual(await detectFaces(await face("no-face-coffee.png")), []);
  await assert.rejects(detectFaces({ width: 10, height: 10, data: new Uint8ClampedArray(5) }), { code: "INVALID_ARGUMENT" });
  // @ts-expect-error an unknown detector
  await assert.rejects(detectFaces(img, { detector: "dlib" }), { code: "INVALID_ARGUMENT" });
});

test("a missing human model is an EnvironmentError naming it, not a silent detector without a model", async () => {
  // Fresh process: human keeps its models in module-level state. Only blazeface is in the folder.
  const dir = tempDir("unmask-models-");
  const src = path.join(path.dirname(require.resolve("@vladmandic/human")), "..", "models");
  for (const f of ["blazeface.json", "blazeface.bin"]) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  const script = `
    const { loadFaceModels } = require(${JSON.stringify(require.resolve("unmask/face"))});
    loadFaceModels({ humanModelDir: ${JSON.stringify(dir)} }).then(
      () => { console.log(JSON.stringify({ ok: true })); process.exit(0); },
      (e) => { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); process.exit(0); });`;
  const out = execFileSync(process.execPath, ["-e", script], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const r = JSON.parse(out.trim().split("\n").pop()!);
  fs.rmSync(dir, { recursive: true });
  assert.equal(r.name, "EnvironmentError");
  assert.equal(r.code, "ENVIRONMENT");
  assert.match(r.message, /model "facemesh" did not load/);
});
