import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { compareFaces, readImage, type RgbaImage } from "unmask";
import { distanceMatrix, encodeFace, recognizers, recognizerInfo, embeddingDistance, type Embedding } from "unmask/face";
import { FACES_DIR } from "../helpers/paths";

const load = (name: string) => readImage(path.join(FACES_DIR, name));

function dist(r: Awaited<ReturnType<typeof compareFaces>>): number {
  assert.ok("distance" in r, `expected a distance, got ${JSON.stringify(r)}`);
  return r.distance;
}

test("the panel lists at least three recognizers, each with a distance, a default threshold and its source", () => {
  assert.ok(recognizers.length >= 3);
  for (const r of recognizers) {
    assert.ok(r.tolerance > 0 && r.toleranceSource.length > 20 && r.dimensions > 0, r.name);
    assert.ok(r.distance === "euclidean" || r.distance === "cosine");
  }
  assert.equal(recognizerInfo("dlib").tolerance, 0.6);
  assert.throws(() => recognizerInfo("eigenfaces"), { code: "INVALID_ARGUMENT" });
});

test("every recognizer: obama-1 vs obama-2 (same person) is closer than obama-1 vs biden-1 and obama-2 vs biden-1", async () => {
  const [o1, o2, b1] = await Promise.all(["obama-1.jpg", "obama-2.jpg", "biden-1.jpg"].map(load));
  for (const { name } of recognizers) {
    const m = await distanceMatrix([o1, o2, b1], { recognizer: name });
    const d = m.distances;
    assert.ok(d[0][1] < d[0][2] && d[0][1] < d[1][2], `${name}: same ${d[0][1]} vs different ${d[0][2]}, ${d[1][2]}`);
    // Symmetric, zero on the diagonal: one embedding per image, reused.
    for (let i = 0; i < 3; i++) {
      assert.ok(Math.abs(d[i][i]) < 1e-6);
      for (let j = 0; j < 3; j++) assert.ok(Math.abs(d[i][j] - d[j][i]) < 1e-6);
    }
    // The default threshold separates this same-person pair from these different-person pairs.
    assert.ok(d[0][1] <= m.tolerance && d[0][2] > m.tolerance && d[1][2] > m.tolerance, `${name}: tolerance ${m.tolerance} vs ${JSON.stringify(d)}`);
  }
});

test("dlib-style recognizer: same person < 0.6 (a match), different people > 0.6 (no match), 128-d Euclidean", async () => {
  const [o1, o2, b1, c1] = await Promise.all(["obama-1.jpg", "obama-2.jpg", "biden-1.jpg", "collins-1.png"].map(load));
  const same = await compareFaces(o1, o2, { recognizer: "dlib" });
  assert.ok("match" in same && same.match && same.tolerance === 0.6 && same.distance < 0.6, JSON.stringify(same));
  for (const [a, b] of [[o1, b1], [o2, b1], [o1, c1], [b1, c1]] as [RgbaImage, RgbaImage][]) {
    const r = await compareFaces(a, b, { recognizer: "dlib" });
    assert.ok("match" in r && !r.match && r.distance > 0.6, JSON.stringify(r));
  }
  const e = await encodeFace(o1, { recognizer: "dlib" });
  assert.ok(e.face);
  assert.equal(e.embedding.vector.length, 128);
  assert.equal(e.embedding.distance, "euclidean");
  assert.equal(e.face.landmarks?.length, 68);
  // An explicit tolerance changes the decision, not the distance.
  const strict = await compareFaces(o1, o2, { recognizer: "dlib", tolerance: 0.3 });
  assert.ok("match" in strict && !strict.match && Math.abs(strict.distance - dist(same)) < 1e-6);
});

test("no face is a typed result for every recognizer: encodeFace, compareFaces (which image) and the matrix (NaN)", async () => {
  const [cup, o1] = await Promise.all(["no-face-coffee.png", "obama-1.jpg"].map(load));
  for (const { name } of recognizers) {
    const e = await encodeFace(cup, { recognizer: name });
    assert.deepEqual(e, { face: null, reason: "no-face" }, name);
    assert.deepEqual(await compareFaces(cup, o1, { recognizer: name }), { reason: "no-face", which: "a" });
    assert.deepEqual(await compareFaces(o1, cup, { recognizer: name }), { reason: "no-face", which: "b" });
    assert.deepEqual(await compareFaces(cup, cup, { recognizer: name }), { reason: "no-face", which: "both" });
    const m = await distanceMatrix([o1, cup], { recognizer: name });
    assert.equal(m.faces[1], null);
    assert.ok(Number.isNaN(m.distances[0][1]) && m.distances[0][0] === 0);
  }
});

test("embeddings are finite, not constant, and of the declared size; different recognizers do not mix", async () => {
  const o1 = await load("obama-1.jpg");
  const embs: Embedding[] = [];
  for (const info of recognizers) {
    const e = await encodeFace(o1, { recognizer: info.name });
    assert.ok(e.face, info.name);
    assert.equal(e.embedding.vector.length, info.dimensions);
    assert.ok(e.embedding.vector.every(Number.isFinite));
    const v = e.embedding.vector;
    assert.ok(Math.max(...v) - Math.min(...v) > 1e-3, `${info.name}: constant vector`);
    embs.push(e.embedding);
  }
  assert.throws(() => embeddingDistance(embs[0], embs[1]), { code: "INVALID_ARGUMENT" });
});
