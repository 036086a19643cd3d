import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as crypto from "node:crypto";
import { readImage } from "unmask";
import { InvalidArgumentError } from "unmask/core";
import { toGray } from "unmask/image";
import { describeKeypoints, matchKeypoints, type GrayPixels, type Keypoint, type SiftOptions } from "unmask/match";

const sift = (g: GrayPixels, o: SiftOptions = {}) => describeKeypoints(g, { method: "sift", nfeatures: o.nfeatures, sift: o });
import { FIXTURES, ROOT } from "../helpers/paths";
import { warpSimilarity } from "./warp";

/** test/fixtures/sift-*.json, written by scripts/fixtures/make-sift-fixture.py with python3-opencv's SIFT. */
interface SiftFixture {
  source: string;
  opencv: string;
  width: number;
  height: number;
  count: number;
  graySha1: string;
  keypoints: [number, number, number, number, number, number][];
  descriptors: number[][];
}

function nearest(kps: Keypoint[], x: number, y: number): { i: number; d: number } {
  let best = Infinity;
  let bi = -1;
  for (let i = 0; i < kps.length; i++) {
    const d = Math.hypot(kps[i].x - x, kps[i].y - y);
    if (d < best) { best = d; bi = i; }
  }
  return { i: bi, d: best };
}

function angleDiff(a: number, b: number): number {
  return Math.abs(((a - b + 540) % 360) - 180);
}

for (const name of ["collins-1", "obama-1"]) {
  test(`SIFT on ${name} agrees with OpenCV's cv2.SIFT_create (committed fixture)`, async () => {
    const fx = JSON.parse(fs.readFileSync(path.join(FIXTURES, `sift-${name}.json`), "utf8")) as SiftFixture;
    const img = await readImage(path.join(ROOT, fx.source));
    assert.equal(img.width, fx.width);
    assert.equal(img.height, fx.height);
    const gray = toGray(img);
    // Same decoded pixels and grey conversion as cv2.imread + cvtColor(BGR2GRAY): the comparison is SIFT's alone.
    assert.equal(crypto.createHash("sha1").update(gray.data).digest("hex"), fx.graySha1);
    const f = sift(gray);
    assert.equal(f.descriptors.length, f.keypoints.length * 128);
    // Keypoint count within 15 % of OpenCV's (measured: equal, 1105 and 1486).
    const rel = Math.abs(f.keypoints.length - fx.count) / fx.count;
    assert.ok(rel <= 0.15, `${f.keypoints.length} keypoints vs OpenCV's ${fx.count}`);
    // OpenCV's keypoints found again within 2 px (the issue asks ≥ 70 %; measured 100 %, within 0.01 px).
    let within2 = 0;
    let sameAngle = 0;
    for (const k of fx.keypoints) {
      const { i, d } = nearest(f.keypoints, k[0], k[1]);
      if (d <= 2) {
        within2++;
        // Among our keypoints at that place (one per orientation peak), one has OpenCV's angle.
        const here = f.keypoints.filter((q) => Math.hypot(q.x - k[0], q.y - k[1]) <= 2);
        if (here.some((q) => angleDiff(q.angle, k[3]) < 2)) sameAngle++;
        void i;
      }
    }
    const frac = within2 / fx.count;
    assert.ok(frac >= 0.95, `only ${(100 * frac).toFixed(1)} % of OpenCV's keypoints within 2 px`);
    assert.ok(sameAngle / within2 >= 0.9, `orientations agree on ${sameAngle}/${within2}`);
    // Descriptors of the same keypoints (same place and angle) are identical up to rounding (norm ≈ 512; measured 0–1).
    const dists: number[] = [];
    fx.descriptors.forEach((ref, r) => {
      const k = fx.keypoints[r];
      const cand = f.keypoints
        .map((q, i) => ({ i, d: Math.hypot(q.x - k[0], q.y - k[1]) + angleDiff(q.angle, k[3]) / 10 }))
        .sort((p, q) => p.d - q.d)[0];
      let s = 0;
      for (let c = 0; c < 128; c++) s += (f.descriptors[cand.i * 128 + c] - ref[c]) ** 2;
      dists.push(Math.sqrt(s));
    });
    dists.sort((p, q) => p - q);
    assert.ok(dists[Math.floor(dists.length / 2)] <= 2, `median descriptor distance ${dists[Math.floor(dists.length / 2)]}`);
    assert.ok(dists[Math.floor(dists.length * 0.9)] <= 5, `90th percentile descriptor distance ${dists[Math.floor(dists.length * 0.9)]}`);
  });
}

test("SIFT: a copy rotated 30° and scaled 0.8 still matches itself, at the right places", async () => {
  const img = await readImage(path.join(ROOT, "data-samples/faces/collins-1.png"));
  const { image: warped, map } = warpSimilarity(img, { degrees: 30, scale: 0.8 });
  const a = sift(toGray(img));
  const b = sift(toGray(warped));
  const good = matchKeypoints(a, b, { ratio: 0.7 }).matches;
  assert.ok(good.length >= 50, `${good.length} good matches`);
  // Analytic truth: the similarity maps each matched keypoint onto its partner.
  const right = good.filter((m) => {
    const p = a.keypoints[m.queryIdx];
    const q = b.keypoints[m.trainIdx];
    const [x, y] = map(p.x, p.y);
    return Math.hypot(x - q.x, y - q.y) < 3;
  }).length;
  assert.ok(right / good.length >= 0.9, `${right}/${good.length} matches land where the transform puts them`);
  // Orientation is covariant: keypoint angles differ by the rotation (OpenCV angles turn clockwise).
  const turned = good.filter((m) => angleDiff(b.keypoints[m.trainIdx].angle - a.keypoints[m.queryIdx].angle, -30) < 10).length;
  assert.ok(turned / good.length >= 0.8, `${turned}/${good.length} orientations turned by the rotation`);
  // Scale is covariant: keypoint sizes shrink by 0.8.
  const ratios = good.map((m) => b.keypoints[m.trainIdx].size / a.keypoints[m.queryIdx].size).sort((p, q) => p - q);
  const med = ratios[Math.floor(ratios.length / 2)];
  assert.ok(Math.abs(med - 0.8) < 0.05, `median size ratio ${med.toFixed(3)}`);
});

test("SIFT on a flat image finds nothing and on bad input throws InvalidArgumentError", () => {
  const flat = { width: 64, height: 48, data: new Uint8Array(64 * 48).fill(128) };
  const f = sift(flat);
  assert.equal(f.keypoints.length, 0);
  assert.equal(f.descriptors.length, 0);
  assert.deepEqual(matchKeypoints(f, f).matches, []);
  assert.throws(() => sift({ width: 10, height: 10, data: new Uint8Array(5) }), InvalidArgumentError);
  assert.throws(() => sift(flat, { sigma: 0 }), InvalidArgumentError);
});

test("SIFT nfeatures keeps the strongest keypoints", async () => {
  const img = await readImage(path.join(ROOT, "data-samples/faces/collins-1.png"));
  const all = sift(toGray(img));
  const best = sift(toGray(img), { nfeatures: 100 });
  assert.equal(best.keypoints.length, 100);
  const minBest = Math.min(...best.keypoints.map((k) => k.response));
  const stronger = all.keypoints.filter((k) => k.response > minBest).length;
  assert.ok(stronger <= 100, `${stronger} keypoints stronger than the weakest kept`);
});

test("SIFT: the WebAssembly SIMD blur and the plain JavaScript blur give the same keypoints", async () => {
  const gray = toGray(await readImage(path.join(ROOT, "data-samples/faces/collins-1.png")));
  const simd = sift(gray);
  const js = sift(gray, { simd: false });
  assert.ok(Math.abs(simd.keypoints.length - js.keypoints.length) <= 2, `${simd.keypoints.length} vs ${js.keypoints.length}`);
  const same = js.keypoints.filter((k) => nearest(simd.keypoints, k.x, k.y).d < 0.01).length;
  assert.ok(same / js.keypoints.length >= 0.99, `${same}/${js.keypoints.length}`);
});
