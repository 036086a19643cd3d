import { test } from "node:test";
import * as assert from "node:assert/strict";
import { loadSeries, marchingCubes, renderMesh, detectFaces, writePng } from "unmask";
import { CT_DIR, artifact } from "../helpers/paths";

test("shipped CT: -300 HU surface rendered from the front shows a face (human ≥ 0.5, box inside), the back shows none", async () => {
  const { volume } = await loadSeries(CT_DIR);
  const mesh = await marchingCubes(volume, { level: -300 });
  assert.ok(mesh.triangles.length / 3 > 400_000, "a full head surface");
  const front = await renderMesh(mesh, { view: "front", size: 512 });
  await writePng(artifact("foundation-front.png"), front.image);
  const faces = await detectFaces(front.image, { detector: "human" });
  assert.equal(faces.length, 1);
  const f = faces[0];
  assert.ok(f.score >= 0.5, `score ${f.score}`);
  const b = f.box;
  assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= 512 && b.y + b.height <= 512, `box inside the image: ${JSON.stringify(b)}`);
  // The face is in the middle third horizontally: the render is frontal, not a profile.
  const cx = b.x + b.width / 2;
  assert.ok(cx > 512 / 3 && cx < (2 * 512) / 3, `face centred (cx ${cx})`);
  const back = await renderMesh(mesh, { view: "back", size: 512 });
  assert.deepEqual(await detectFaces(back.image, { detector: "human" }), []);
});
