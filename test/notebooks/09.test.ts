import { test } from "node:test";
import * as assert from "node:assert/strict";
import { executeNotebook, htmlTableRows } from "../helpers/notebook";
import { pngStats } from "../helpers/images";


test("notebook 09 executes headless: masked CT, renders, verdicts, recognition table, stripping, sweep", async () => {
  const nb = executeNotebook("notebooks/09-immobilization-mask.ipynb");
  assert.ok(!nb.outputs.some((o) => o.kind === "error"), "no cell errors");

  const verdict = htmlTableRows(nb.html, "Fused face verdict per scan");
  const v = (scan: string) => verdict.find((r) => r[0] === scan)![1];
  assert.equal(htmlTableRows(nb.html, "Faces found on the front renders").length, 4);
  assert.equal(v("unmasked"), "yes");
  assert.equal(v("stripped"), "yes");
  // Faces are recognised through the mask (the paper's point): the verdict on the masked CT is not "no"
  // (its second look at despeckled renders; test/anonymize/mask.test.ts).
  assert.match(v("masked"), /^(yes|uncertain)$/);

  const rec = htmlTableRows(nb.html, "Recognition table");
  assert.equal(rec.length, 5, "header + masked/stripped × two levels");
  for (const name of ["dlib", "faceres", "faceres-deep", "mobileface"]) assert.ok(rec[0].includes(name), name);
  // Stripped vs unmasked at the seed's level: the same surface again, so every recognizer matches.
  const strippedRow = rec.find((r) => r[0] === "stripped vs unmasked" && r[1] === "-300 HU")!;
  for (const cell of strippedRow.slice(2)) assert.match(cell, /✓ match/);

  const removed = htmlTableRows(nb.html, "Removed (simulated")[1];
  assert.ok(Number(removed[0]) > 10000, `removed voxels ${removed[0]}`);
  assert.ok(Math.abs(Number(removed[4]) - 2) < 0.5, `thickness ${removed[4]}`);
  assert.ok(htmlTableRows(nb.html, "Left in place").some((r) => r[0] === "posterior support"), "the head holder is left and listed");

  const sweep = htmlTableRows(nb.html, "Sweep results");
  assert.equal(sweep.length, 13);
  assert.ok(/data-unmask-figure="plotly"/.test(nb.html.join("\n")), "sweep plot");

  assert.ok(nb.pngs.length >= 2, `images: ${nb.pngs.length}`);
  for (const p of nb.pngs) {
    const s = await pngStats(p);
    assert.ok(s.std > 10 && s.greyLevels > 30, "image not blank");
  }
});
