import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { readImage, writePng, type RgbaImage } from "unmask";
import { InvalidArgumentError } from "unmask/core";
import { toGray } from "unmask/image";
import { describeKeypoints, drawMatches, matchKeypoints } from "unmask/match";
import { FACES_DIR, artifact } from "../helpers/paths";
import { warpSimilarity } from "./warp";

const load = (f: string) => readImage(path.join(FACES_DIR, f));

test("ORB (opencv-wasm): 500 keypoints, 32-byte descriptors, cross-checked matches sorted and one-to-one", async () => {
  const a = describeKeypoints(toGray(await load("obama-1.jpg")));
  const b = describeKeypoints(toGray(await load("obama-2.jpg")));
  assert.equal(a.keypoints.length, 500);
  assert.equal(a.descriptors.length, 500 * 32);
  const m = matchKeypoints(a, b).matches;
  assert.ok(m.length > 0);
  for (let i = 1; i < m.length; i++) assert.ok(m[i].distance >= m[i - 1].distance);
  assert.equal(new Set(m.map((x) => x.queryIdx)).size, m.length);
  assert.equal(new Set(m.map((x) => x.trainIdx)).size, m.length);
  // Cross-check means mutual nearest: no other b descriptor is closer to a's than the match.
  const ham = (p: ArrayLike<number>, i: number, q: ArrayLike<number>, j: number) => {
    let d = 0;
    for (let k = 0; k < 32; k++) { let x = p[i * 32 + k] ^ q[j * 32 + k]; while (x) { d += x & 1; x >>= 1; } }
    return d;
  };
  for (const x of m.slice(0, 20)) {
    assert.equal(ham(a.descriptors, x.queryIdx, b.descriptors, x.trainIdx), x.distance);
    for (let j = 0; j < b.keypoints.length; j++) assert.ok(ham(a.descriptors, x.queryIdx, b.descriptors, j) >= x.distance);
  }
});

test("ORB: a rotated, scaled copy matches itself at the right places; unrelated photos barely match", async () => {
  const img = await load("collins-1.png");
  const { image: warped, map } = warpSimilarity(img, { degrees: 30, scale: 0.8 });
  const self = matchKeypoints(img, warped, { method: "orb" });
  const good = self.matches.filter((m) => m.distance < 40);
  assert.equal(self.goodCount, good.length);
  assert.ok(good.length >= 50, `${good.length} good matches with its own copy`);
  const right = good.filter((m) => {
    const p = self.keypointsA[m.queryIdx];
    const q = self.keypointsB[m.trainIdx];
    const [x, y] = map(p.x, p.y);
    return Math.hypot(x - q.x, y - q.y) < 4;
  }).length;
  assert.ok(right / good.length >= 0.9, `${right}/${good.length} in place`);
  const other = matchKeypoints(img, await load("no-face-coffee.png"), { method: "orb" });
  // Raw cross-check counts are similar for anything (every descriptor has a mutual nearest); the distance cut separates.
  assert.ok(other.matches.length > 50, `${other.matches.length} raw cross-checked matches with a coffee cup`);
  assert.ok(self.goodCount >= 10 * Math.max(1, other.goodCount), `self ${self.goodCount} vs coffee ${other.goodCount}`);
});

test("ORB good counts: obama-1 vs obama-2 above obama-1 vs a coffee cup (measured 6 vs 1: texture, weakly)", async () => {
  const o1 = await load("obama-1.jpg");
  const same = matchKeypoints(o1, await load("obama-2.jpg"), { method: "orb" });
  const cup = matchKeypoints(o1, await load("no-face-coffee.png"), { method: "orb" });
  assert.ok(same.goodCount > cup.goodCount, `${same.goodCount} vs ${cup.goodCount}`);
});

test("drawMatches puts both images side by side and draws the best matches", async () => {
  const a = await load("collins-1.png");
  const { image: b } = warpSimilarity(a, { degrees: 30, scale: 0.8 });
  const r = matchKeypoints(a, b, { method: "orb" });
  const drawn = drawMatches(a, b, r);
  assert.equal(drawn.width, a.width + b.width);
  assert.equal(drawn.height, Math.max(a.height, b.height));
  await writePng(artifact("match-orb-collins-rotated.png"), drawn);
  const px = (img: RgbaImage, x: number, y: number) => Array.from(img.data.subarray(4 * (y * img.width + x), 4 * (y * img.width + x) + 3));
  // A pixel far from any drawn match is untouched: the corners of a and b.
  assert.deepEqual(px(drawn, 0, 0), px(a, 0, 0));
  // Midpoints of the 10 drawn lines carry line colour, not the images underneath.
  let changed = 0;
  for (const m of r.matches.slice(0, 10)) {
    const p = r.keypointsA[m.queryIdx];
    const q = r.keypointsB[m.trainIdx];
    const mx = Math.round((p.x + q.x + a.width) / 2);
    const my = Math.round((p.y + q.y) / 2);
    const under = mx < a.width ? px(a, mx, my) : my < b.height ? px(b, mx - a.width, my) : [0, 0, 0];
    const d = px(drawn, mx, my).reduce((s, v, i) => s + Math.abs(v - under[i]), 0);
    if (d > 60) changed++;
  }
  assert.ok(changed >= 8, `${changed}/10 line midpoints coloured`);
  assert.throws(() => matchKeypoints(a, b, { method: "surf" as never }), InvalidArgumentError);
});
