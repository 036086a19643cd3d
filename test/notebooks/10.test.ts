import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { executeNotebook } from "../helpers/notebook";

test("notebook 10 (class tour) executes: setup, series summary, all four explorers within budget, verdicts, distances", { timeout: 1_500_000 }, () => {
  const nb = executeNotebook("notebooks/10-class-tour.ipynb");
  assert.ok(!nb.outputs.some((o) => o.kind === "error"), nb.outputs.filter((o) => o.kind === "error").map((o) => o.data).join("\n"));
  const bytes = fs.statSync(nb.path).size;
  console.log(`executed tour notebook: ${(bytes / 1e6).toFixed(2)} MB`);
  assert.ok(bytes <= 25_000_000, `${bytes} bytes`);
  // Setup table: every check ok on the test machine (models shipped, WebGL under xvfb).
  const setup = nb.cells[0].outputs.find((o) => o.plain?.includes("unmask notebook setup"));
  assert.ok(setup, "setup table shown");
  assert.match(setup!.plain!, /All set: models on disk, WebGL context open/);
  assert.deepEqual(setup!.mimes!.sort(), ["text/html", "text/markdown", "text/plain"]);
  // The series prints as its summary.
  assert.match(nb.text, /LoadedSeries CT .*108 slices[\s\S]*Volume CT 256×256×108 @0\.96×0\.96×1\.50 mm, HU −1,024…/);
  // Each explorer is one output, carries its text/plain line, and stays within 5 MB.
  const kinds: [string, RegExp][] = [["unmask-slices", /^slice scroller: Volume CT/], ["unmask-threshold", /^threshold explorer: 6 levels/], ["unmask-compare", /^before\/after comparer: with mask \| mask stripped/], ["unmask-match", /^match viewer: 2 probe\(s\) × 3 gallery, recognizers dlib, faceres/]];
  for (const [cls, plain] of kinds) {
    const outs = nb.outputs.filter((o) => o.kind === "html" && String(o.data).includes(`class="unmask-explorer ${cls}`));
    assert.equal(outs.length, 1, cls);
    assert.ok(Buffer.byteLength(String(outs[0].data)) <= 5_000_000, `${cls}: ${Buffer.byteLength(String(outs[0].data))} bytes`);
    assert.match(outs[0].plain!, plain);
    assert.deepEqual(outs[0].mimes!.sort(), ["text/html", "text/plain"]);
  }
  // Numbers in the prose come from the cells: the mask was found and stripped.
  const removed = /stripMask removed ([\d,]+) voxels \((\d+) cm² of plastic\)/.exec(nb.text);
  assert.ok(removed && Number(removed[1].replace(/,/g, "")) > 1000 && Number(removed[2]) > 100, `removed: ${removed?.[0]}`);
  // The stripped render shows a face to the detector.
  const faces = /Faces found \(human detector\): with mask (\d+), stripped (\d+)/.exec(nb.text);
  assert.ok(faces && Number(faces[2]) >= 1, faces?.[0]);
  assert.match(nb.text, /Face \(human\) score 0\.\d\d at \d+,\d+ \d+×\d+ px/);
  // Distances to the right identity are finite for both recognizers.
  const dist = nb.html.find((h) => h.includes("Distance of each probe to its own identity"));
  assert.ok(dist);
  const cells = [...dist!.matchAll(/<td[^>]*>(\d+\.\d{3})<\/td>/g)].map((m) => Number(m[1]));
  assert.equal(cells.length, 4, dist);
  // The viewer bundle is in the notebook once.
  assert.equal(fs.readFileSync(nb.path, "utf8").split("data-unmask-viewer-bundle").length - 1, 1);
});
