import { test } from "node:test";
import * as assert from "node:assert/strict";
import { executeNotebook } from "../helpers/notebook";
import { pngStats } from "../helpers/images";

test("notebook 01 executes headless: series table, slices, histogram, render, face box", async () => {
  const nb = executeNotebook("notebooks/01-dicom-to-face.ipynb");
  assert.ok(!nb.outputs.some((o) => o.kind === "error"), "no cell errors");
  const html = nb.html.join("\n");
  // Series table: the CT with its size, no identity fields.
  assert.match(html, /CT head \(InVesalius Cranium example\)/);
  assert.match(html, /256 × 256 × 108/);
  // Known HU points in the table.
  assert.match(html, /<td[^>]*>18<\/td>/);
  assert.match(html, /<td[^>]*>-1011<\/td>/);
  // Plotly histogram with data.
  assert.match(html, /data-unmask-figure="plotly"/);
  assert.match(html, /Hounsfield units/);
  // Faces table names the detector and a score.
  assert.match(html, /Faces on the render[\s\S]*human/);

  assert.ok(nb.pngs.length >= 5, `expected ≥ 5 images, got ${nb.pngs.length}`);
  const stats = await Promise.all(nb.pngs.map((p) => pngStats(p)));
  for (const s of stats) assert.ok(s.std > 10 && s.greyLevels > 30, `image not blank (std ${s.std.toFixed(1)}, ${s.greyLevels} grey levels)`);
  // Slices: three panels side by side, wider than tall.
  assert.ok(stats[0].width > 2 * stats[0].height);
  // The face image (4th): the red box is drawn around skin-coloured pixels.
  const boxed = stats[3].image;
  let red = 0;
  for (let q = 0; q < boxed.data.length; q += 4) if (boxed.data[q] > 230 && boxed.data[q + 1] < 80 && boxed.data[q + 2] < 80) red++;
  assert.ok(red > 400, `face box drawn (${red} red pixels)`);
  const render = stats[2];
  assert.ok(render.foreground > 0.3, `render shows the head (${(render.foreground * 100).toFixed(0)} % foreground)`);
});
