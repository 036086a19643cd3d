import { test } from "node:test";
import assert from "node:assert/strict";
import { createRenderer, writePng, type RenderResult, type Vec3, type View } from "unmask";
import { projectToImage } from "unmask/render";
import { artifact } from "../helpers/paths";
import { markerHead, MARKER_RADIUS } from "./meshes";

const { mesh, nose, leftEar, crown } = markerHead();
const W = 256;

/**
 * Where a marker ball's point nearest the camera lands in the image (as a fraction of the width)
 * and whether the renderer drew it there (the depth map holds its depth).
 */
function seen(r: RenderResult, centre: Vec3): { x: number; y: number; visible: boolean } {
  const p = centre.map((v, i) => v - MARKER_RADIUS * r.camera.direction[i]) as Vec3;
  const [x, y, d] = projectToImage(r.camera, p);
  const q = Math.floor(x) + W * Math.floor(y);
  const drawn = r.depth![q];
  return { x: x / W, y: y / W, visible: Math.abs(drawn - d) < 1.5 && r.image.data[4 * q + 3] === 255 && r.image.data[4 * q] > 0 };
}

test("each view puts the expected side of an asymmetric head towards the camera", async () => {
  const renderer = createRenderer(mesh);
  const views: View[] = ["front", "back", "left", "right", "oblique-left", "oblique-right", "top"];
  const r: Record<string, RenderResult> = {};
  for (const v of views) {
    r[v as string] = await renderer.render(v, { size: W, maps: ["depth"] });
    await writePng(artifact(`render-markers-${v as string}.png`), r[v as string].image);
  }
  const front = { nose: seen(r.front, nose), ear: seen(r.front, leftEar), crown: seen(r.front, crown) };
  assert.ok(front.nose.visible && Math.abs(front.nose.y - 0.5) < 0.1, "front: the nose faces the camera");
  assert.ok(front.ear.visible && front.ear.x > 0.8, "front: the patient's left ear on the image's right");
  assert.ok(front.crown.visible && front.crown.y < 0.2, "front: the crown at the top");

  const back = { nose: seen(r.back, nose), ear: seen(r.back, leftEar) };
  assert.ok(!back.nose.visible, "back: the nose is hidden behind the head");
  assert.ok(back.ear.visible && back.ear.x < 0.2, "back: the patient's left ear on the image's left");

  const left = { nose: seen(r.left, nose), ear: seen(r.left, leftEar) };
  assert.ok(left.ear.visible && Math.abs(left.ear.x - 0.5) < 0.1, "left profile: the left ear faces the camera");
  assert.ok(left.nose.visible && left.nose.x < 0.2, "left profile: the nose points to the image's left");

  const right = { nose: seen(r.right, nose), ear: seen(r.right, leftEar) };
  assert.ok(!right.ear.visible, "right profile: the left ear is hidden");
  assert.ok(right.nose.visible && right.nose.x > 0.8, "right profile: the nose points to the image's right");

  const ol = seen(r["oblique-left"], nose), or = seen(r["oblique-right"], nose);
  assert.ok(ol.visible && or.visible && ol.x < 0.45 && or.x > 0.55, `oblique: nose at ${ol.x.toFixed(2)} (left) and ${or.x.toFixed(2)} (right)`);
  assert.ok(seen(r["oblique-left"], leftEar).visible, "oblique-left shows the left ear");

  const top = { nose: seen(r.top, nose), crown: seen(r.top, crown), ear: seen(r.top, leftEar) };
  assert.ok(top.crown.visible && top.nose.visible && top.nose.y < 0.2, "top: crown visible, anterior at the top");
  assert.ok(top.ear.x < 0.2, "top (seen from above, anterior up): the patient's left on the image's left");
  renderer.release();
});

test("seed view equals front for identity voxel axes and mirrors back for a row-flipped scan", async () => {
  const renderer = createRenderer(mesh, { size: W });
  const front = await renderer.render("front");
  const seed = await renderer.render("seed");
  assert.deepEqual(seed.image.data, front.image.data);
  const back = await renderer.render("back");
  const seedFlipped = await renderer.render("seed", { voxelAxes: [1, 0, 0, 0, -1, 0, 0, 0, 1] });
  let diff = 0;
  for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 4; c++) {
    diff += Math.abs(seedFlipped.image.data[4 * (x + W * y) + c] - back.image.data[4 * (W - 1 - x + W * y) + c]);
  }
  assert.equal(diff, 0, "matplotlib on a left-handed voxel frame draws the mirror image of the back view");
  // The camera info describes the mirrored image: the left ear projects where it was drawn.
  const ear = projectToImage(seedFlipped.camera, leftEar.map((v, i) => v - MARKER_RADIUS * seedFlipped.camera.direction[i]) as Vec3);
  assert.ok(ear[0] / W > 0.8, `left ear at x = ${ear[0]}`);
  const q = 4 * (Math.floor(ear[0]) + W * Math.floor(ear[1]));
  assert.ok(seedFlipped.image.data[q] > 0, "drawn where projectToImage says");
  renderer.release();
});
