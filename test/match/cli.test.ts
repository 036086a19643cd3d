import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import * as fs from "node:fs";
import { readImage } from "unmask";
import { FACES_DIR, tempDir } from "../helpers/paths";
import { cli } from "../helpers/cli";

const photo = (n: string) => path.join(FACES_DIR, n);

test("unmask match --json (orb) reports 500 keypoints each, cross-checked and good counts; -o draws them", async () => {
  const dir = tempDir();
  const out = path.join(dir, "drawn.png");
  const r = await cli(["match", photo("collins-1.png"), photo("no-face-coffee.png"), "--json", "-o", out]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.method, "orb");
  assert.equal(j.keypointsA, 500);
  assert.equal(j.keypointsB, 500);
  assert.ok(j.matches > 0 && j.goodCount <= j.matches);
  assert.equal(j.goodCount, j.best.filter((m: { distance: number }) => m.distance < 40).length);
  const drawn = await readImage(out);
  assert.equal(drawn.width, 512 + 600);
  assert.equal(drawn.height, 512);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("unmask match --method sift prints the good-match count of the ratio test", async () => {
  const r = await cli(["match", photo("collins-1.png"), photo("collins-1.png"), "--method", "sift"]);
  assert.equal(r.code, 0, r.stderr);
  const good = Number(/good matches: (\d+)/.exec(r.stdout)?.[1]);
  const kp = Number(/sift: (\d+) keypoints/.exec(r.stdout)?.[1]);
  // An image against itself: nearly every keypoint finds itself, except where two orientations share a place.
  assert.ok(kp > 1000 && good > 0.5 * kp, r.stdout);
});

test("unmask match rejects a bad method and a missing file with typed errors", async () => {
  const bad = await cli(["match", photo("obama-1.jpg"), photo("obama-2.jpg"), "--method", "surf"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /INVALID_ARGUMENT: --method/);
  const missing = await cli(["match", photo("obama-1.jpg"), "/nonexistent.png"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /NOT_FOUND/);
});
