import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { FACES_DIR } from "../helpers/paths";

test("faceRuntime shows what the face module switches process-wide: tfjs goes to wasm when a model loads, models stay loaded", () => {
  // A fresh process: the state under test is per process. The program loads tfjs itself first,
  // as a user's own code might, to show that the face module switches that shared engine.
  const script = `
    const tf = require(${JSON.stringify(require.resolve("@tensorflow/tfjs-core"))});
    require(${JSON.stringify(require.resolve("@tensorflow/tfjs-backend-cpu"))});
    const { faceRuntime } = require(${JSON.stringify(require.resolve("unmask/face"))});
    const { detectFaces, readImage } = require(${JSON.stringify(require.resolve("unmask"))});
    (async () => {
      await tf.setBackend("cpu");
      const before = await faceRuntime();
      const img = await readImage(${JSON.stringify(path.join(FACES_DIR, "obama-1.jpg"))});
      const faces = await detectFaces(img);
      const afterHuman = await faceRuntime();
      await detectFaces(img, { detector: "haar" });
      const afterHaar = await faceRuntime();
      console.log(JSON.stringify({ before, afterHuman, afterHaar, faces: faces.length, userBackend: tf.getBackend() }));
    })().catch((e) => { console.log(JSON.stringify({ error: String(e) })); });`;
  const out = execFileSync(process.execPath, ["-e", script], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const r = JSON.parse(out.trim().split("\n").pop()!);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.before, { tfjsBackend: null, human: false, faceApi: false, haar: false, recognizerModels: [] });
  assert.equal(r.faces, 1);
  assert.deepEqual(r.afterHuman, { tfjsBackend: "wasm", human: true, faceApi: false, haar: false, recognizerModels: [] });
  assert.equal(r.afterHaar.haar, true);
  // The program's own tfjs was on cpu; after the face model loaded it is on wasm (one engine per process).
  assert.equal(r.userBackend, "wasm");
});
