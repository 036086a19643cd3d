import { test } from "node:test";
import assert from "node:assert/strict";
import { detectFaces, loadSeries, marchingCubes, renderMesh, renderViews, writePng, type RgbaImage, type Volume } from "unmask";
import { voxelToPatient, type Direction } from "unmask/volume";
import { artifact, CT_DIR } from "../helpers/paths";

const SKIN_HU = -300;

/** The same physical object stored with the slice order reversed (k → nz−1−k, k axis negated). */
function reverseSlices(v: Volume): Volume {
  const [nx, ny, nz] = v.shape;
  const data = new Float32Array(v.data.length);
  const plane = nx * ny;
  for (let k = 0; k < nz; k++) data.set(v.data.subarray((nz - 1 - k) * plane, (nz - k) * plane), k * plane);
  const d = v.direction;
  const direction: Direction = [d[0], d[1], d[2], d[3], d[4], d[5], -d[6], -d[7], -d[8]];
  return { ...v, data, origin: voxelToPatient(v, [0, 0, nz - 1]), direction };
}

/** The same physical object stored with rows bottom-up (j → ny−1−j, j axis negated): a left-handed voxel frame. */
function flipRows(v: Volume): Volume {
  const [nx, ny, nz] = v.shape;
  const data = new Float32Array(v.data.length);
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const src = nx * (ny - 1 - j + ny * k), dst = nx * (j + ny * k);
      data.set(v.data.subarray(src, src + nx), dst);
    }
  }
  const d = v.direction;
  const direction: Direction = [d[0], d[1], d[2], -d[3], -d[4], -d[5], d[6], d[7], d[8]];
  return { ...v, data, origin: voxelToPatient(v, [0, ny - 1, 0]), direction };
}

/** Mean absolute RGB difference and the fraction of pixels differing by more than 32 in any channel. */
function compare(a: RgbaImage, b: RgbaImage): { mean: number; differing: number } {
  assert.equal(a.width, b.width);
  assert.equal(a.height, b.height);
  let sum = 0, diff = 0;
  for (let q = 0; q < a.data.length; q += 4) {
    let m = 0;
    for (let c = 0; c < 3; c++) {
      const e = Math.abs(a.data[q + c] - b.data[q + c]);
      sum += e;
      if (e > m) m = e;
    }
    if (m > 32) diff++;
  }
  return { mean: sum / ((a.data.length / 4) * 3), differing: diff / (a.data.length / 4) };
}

test("the shipped CT: the front view shows a face, the back view none", async () => {
  const { volume } = await loadSeries(CT_DIR);
  const mesh = await marchingCubes(volume, { level: SKIN_HU });
  const [front, back] = await renderViews(mesh, ["front", "back"], { size: 512 });
  await writePng(artifact("render-ct-front.png"), front.image);
  await writePng(artifact("render-ct-back.png"), back.image);
  const faces = await detectFaces(front.image, { detector: "human" });
  assert.ok(faces.length >= 1 && faces[0].score >= 0.5, `front: ${faces.map((f) => f.score.toFixed(2)).join(", ") || "no face"}`);
  // The face box sits in the middle third horizontally (the face is centred between the ears).
  const cx = faces[0].box.x + faces[0].box.width / 2;
  assert.ok(cx > 512 / 3 && cx < (2 * 512) / 3, `face centre at x = ${cx}`);
  const backFaces = await detectFaces(back.image, { detector: "human" });
  assert.equal(backFaces.length, 0, `back: ${backFaces.map((f) => f.score.toFixed(2)).join(", ")}`);
});

test("reversed slice order or flipped rows: the same front render", async () => {
  const { volume } = await loadSeries(CT_DIR);
  const reference = (await renderMesh(await marchingCubes(volume, { level: SKIN_HU }), { size: 384 })).image;
  for (const [name, v] of [["reversed-slices", reverseSlices(volume)], ["flipped-rows", flipRows(volume)]] as const) {
    const mesh = await marchingCubes(v, { level: SKIN_HU });
    const r = await renderMesh(mesh, { size: 384 });
    await writePng(artifact(`render-ct-front-${name}.png`), r.image);
    const { mean, differing } = compare(reference, r.image);
    console.log(`${name}: mean abs RGB difference ${mean.toFixed(3)}, ${(differing * 100).toFixed(3)} % of pixels differ by > 32`);
    assert.ok(mean < 1.5 && differing < 0.005, `${name}: mean |ΔRGB| ${mean.toFixed(3)}, ${(differing * 100).toFixed(2)} % of pixels differ by > 32`);
    const faces = await detectFaces(r.image, { detector: "human" });
    assert.ok(faces.length >= 1 && faces[0].score >= 0.5, `${name}: ${faces.map((f) => f.score.toFixed(2)).join(", ") || "no face"}`);
  }
  // Control: flipped rows with the geometry left unchanged (a mislabelled scan) is a different picture.
  const mislabelled = { ...flipRows(volume), direction: volume.direction, origin: volume.origin };
  const wrong = await renderMesh(await marchingCubes(mislabelled, { level: SKIN_HU }), { size: 384 });
  const control = compare(reference, wrong.image);
  assert.ok(control.mean > 5 && control.differing > 0.05, `control: mean |ΔRGB| ${control.mean.toFixed(3)}, ${(control.differing * 100).toFixed(2)} % differ`);
});
