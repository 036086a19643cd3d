import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { detectFaces, readImage, type RgbaImage } from "unmask";
import { fitSimilarity, warpToRgb, alignFace, fivePointsFromMesh, ARCFACE_TEMPLATE } from "unmask/face";
import { FACES_DIR } from "../helpers/paths";

test("fitSimilarity recovers a known rotation + scale + shift exactly", () => {
  const th = 0.3, sc = 1.7, tx = 12.5, ty = -4;
  const a = sc * Math.cos(th), b = sc * Math.sin(th);
  const src: [number, number][] = [[0, 0], [10, 0], [3, 7], [-5, 2], [8, -6]];
  const dst = src.map(([x, y]) => [a * x - b * y + tx, b * x + a * y + ty] as [number, number]);
  const m = fitSimilarity(src, dst);
  for (const [k, v] of Object.entries({ a, b, tx, ty })) assert.ok(Math.abs(m[k as keyof typeof m] - v) < 1e-9, k);
  assert.throws(() => fitSimilarity([[1, 1], [1, 1]], [[0, 0], [1, 1]]), { code: "INVALID_ARGUMENT" });
});

test("warpToRgb: a pure shift moves a bright pixel by exactly the shift", () => {
  const img: RgbaImage = { width: 20, height: 20, data: new Uint8ClampedArray(20 * 20 * 4) };
  const q = 4 * (7 + 20 * 5);
  img.data.set([200, 100, 50, 255], q); // pixel (7, 5)
  const out = warpToRgb(img, { a: 1, b: 0, tx: -3, ty: 2 }, 16); // source (7,5) → output (4,7)
  const o = 3 * (4 + 16 * 7);
  assert.deepEqual(Array.from(out.slice(o, o + 3)), [200, 100, 50]);
  assert.equal(out.reduce((s, v) => s + v, 0), 350);
});

test("alignFace puts obama-1's eyes, nose and mouth on ArcFace's template (eyes within 4 px, rms under 8 px of 112)", async () => {
  const img = await readImage(path.join(FACES_DIR, "obama-1.jpg"));
  const [face] = await detectFaces(img, { detector: "human" });
  const five = fivePointsFromMesh(face.landmarks!);
  const m = fitSimilarity(five, ARCFACE_TEMPLATE);
  const residuals = five.map(([x, y], i) => Math.hypot(m.a * x - m.b * y + m.tx - ARCFACE_TEMPLATE[i][0], m.b * x + m.a * y + m.ty - ARCFACE_TEMPLATE[i][1]));
  // A least-squares fit: a broad smile moves the mouth corners off the template, the eyes stay on it.
  assert.ok(residuals[0] < 4 && residuals[1] < 4, `eyes ${residuals.slice(0, 2).map((r) => r.toFixed(1))}`);
  const rms = Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / residuals.length);
  assert.ok(rms < 8, `rms residual ${rms.toFixed(2)} px`);
  // Eyes level (a frontal portrait): the rotation is small. The crop is a real picture, skin in the middle.
  assert.ok(Math.abs(Math.atan2(m.b, m.a)) < 0.15);
  const crop = alignFace(img, face.landmarks!);
  assert.equal(crop.length, 112 * 112 * 3);
  const c = 3 * (56 + 112 * 60);
  assert.ok(crop[c] > 60 && crop[c] > crop[c + 2], "centre pixel is skin-toned (red > blue)");
});
