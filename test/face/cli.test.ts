import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import * as fs from "node:fs";
import { readImage } from "unmask";
import { FACES_DIR, tempDir } from "../helpers/paths";
import { cli } from "../helpers/cli";

const photo = (n: string) => path.join(FACES_DIR, n);

test("unmask detect --json (human) gives one face with 468 landmarks; -o writes a boxed PNG of the same size", async () => {
  const dir = tempDir();
  const out = path.join(dir, "boxed.png");
  const r = await cli(["detect", photo("obama-2.jpg"), "--json", "-o", out]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.detector, "human");
  assert.equal(j.faces.length, 1);
  assert.equal(j.faces[0].landmarks.length, 468);
  const src = await readImage(photo("obama-2.jpg"));
  const boxed = await readImage(out);
  assert.deepEqual([boxed.width, boxed.height], [src.width, src.height]);
  // The drawn box changed pixels on its outline.
  const b = j.faces[0].box;
  const i = 4 * (Math.round(b.x + b.width / 2) + boxed.width * Math.round(b.y));
  assert.notDeepEqual(Array.from(boxed.data.slice(i, i + 3)), Array.from(src.data.slice(i, i + 3)));
  fs.rmSync(dir, { recursive: true });
});

test("unmask detect: Haar on a portrait, and no face on the coffee cup is exit code 0", async () => {
  const h = await cli(["detect", photo("collins-1.png"), "--detector", "haar"]);
  assert.equal(h.code, 0, h.stderr);
  assert.match(h.stdout, /face \(haar\) score 0\.\d{3} neighbours \d+ box x=177 y=66 w=95 h=95/);
  const n = await cli(["detect", photo("no-face-coffee.png"), "--detector", "haar"]);
  assert.equal(n.code, 0);
  assert.match(n.stdout, /no face \(haar\)/);
  const bad = await cli(["detect", photo("obama-1.jpg"), "--detector", "sift"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /INVALID_ARGUMENT/);
});

test("unmask compare: same person / different people with dlib at 0.6, no face reported normally", async () => {
  const same = await cli(["compare", photo("obama-1.jpg"), photo("obama-2.jpg")]);
  assert.equal(same.code, 0, same.stderr);
  assert.match(same.stdout, /^same person: euclidean distance 0\.[0-5]\d* ≤ tolerance 0\.6 \(dlib\)/);
  const diff = await cli(["compare", photo("obama-1.jpg"), photo("biden-1.jpg"), "--json"]);
  const j = JSON.parse(diff.stdout);
  assert.equal(j.match, false);
  assert.ok(j.distance > 0.6);
  const none = await cli(["compare", photo("no-face-coffee.png"), photo("obama-1.jpg"), "--json", "--recognizer", "faceres"]);
  assert.equal(none.code, 0);
  assert.deepEqual({ reason: JSON.parse(none.stdout).reason, which: JSON.parse(none.stdout).which }, { reason: "no-face", which: "a" });
  const missing = await cli(["compare", photo("obama-1.jpg"), photo("nobody.jpg")]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /NOT_FOUND/);
});

test("unmask compare --recognizer all runs the whole panel; Haar parameters are options of --detector haar only", async () => {
  const r = await cli(["compare", photo("obama-1.jpg"), photo("obama-2.jpg"), "--recognizer", "all", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as { recognizer: string; match: boolean }[];
  assert.deepEqual(rows.map((x) => x.recognizer), ["dlib", "faceres", "faceres-deep", "mobileface"]);
  assert.ok(rows.every((x) => x.match), "the same person matches on every recognizer");
  // A looser cascade finds more candidate boxes than the seed's minNeighbors 4 on the same photo.
  const loose = await cli(["detect", photo("obama-1.jpg"), "--detector", "haar", "--min-neighbors", "1", "--json"]);
  assert.ok(JSON.parse(loose.stdout).faces.length > 1);
  const bad = await cli(["detect", photo("obama-1.jpg"), "--min-neighbors", "2"]);
  assert.equal(bad.code, 2);
});

test("unmask detect --detector haar-alt2 | ssd | tiny: each finds the one face in a portrait; Haar options go with either cascade", async () => {
  for (const detector of ["haar-alt2", "ssd", "tiny"]) {
    const r = await cli(["detect", photo("collins-1.png"), "--detector", detector, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { detector: string; faces: { detector: string; score: number }[] };
    assert.equal(j.faces.length, 1, detector);
    assert.equal(j.faces[0].detector, detector);
    assert.ok(j.faces[0].score > 0.5 && j.faces[0].score <= 1);
  }
  assert.equal((await cli(["detect", photo("collins-1.png"), "--detector", "haar-alt2", "--min-neighbors", "2"])).code, 0);
  assert.equal((await cli(["detect", photo("collins-1.png"), "--detector", "ssd", "--min-neighbors", "2"])).code, 2);
});
