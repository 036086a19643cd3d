import { test } from "node:test";
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { executeNotebook } from "../helpers/notebook";
import { pngStats } from "../helpers/images";

/** Rows of the HTML table whose caption is `caption`, as arrays of cell text. */
function tableRows(html: string, caption: string): string[][] {
  const t = html.split("<table").find((x) => x.includes(`>${caption}</caption>`));
  assert.ok(t, `table "${caption}" in the outputs`);
  return [...t.matchAll(/<tr>(.*?)<\/tr>/g)].slice(1).map((m) => [...m[1].matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]));
}

test("notebook 03 executes headless: presets, projections, lights, seed view vs WebGL, maps, interactive viewer", async () => {
  const nb = executeNotebook("notebooks/03-rendering.ipynb");
  assert.ok(!nb.outputs.some((o) => o.kind === "error"), "no cell errors");
  const html = nb.html.join("\n");

  // Mesh at −300 HU: hundreds of thousands of triangles.
  const [mesh] = tableRows(html, "The shipped head at −300 HU");
  assert.ok(Number(mesh[3]) > 300_000, `triangles ${mesh[3]}`);

  // Camera table: every preset but "seed", front looking along +y (posterior) with superior up.
  const cams = tableRows(html, "Cameras");
  assert.deepEqual(cams.map((r) => r[0]), ["front", "oblique-left", "oblique-right", "left", "right", "top", "bottom", "back"]);
  assert.deepEqual(cams[0].slice(1, 4), ["0, 1, 0", "1, 0, 0", "0, 0, 1"]);
  assert.deepEqual(cams[7].slice(1, 2), ["0, -1, 0"]);

  // Five contact sheets, none blank, all different.
  assert.equal(nb.pngs.length, 5, `expected 5 images, got ${nb.pngs.length}`);
  const hashes = new Set(nb.pngs.map((p) => createHash("sha256").update(p).digest("hex")));
  assert.equal(hashes.size, 5, "images are distinct");
  const stats = await Promise.all(nb.pngs.map((p) => pngStats(p)));
  for (const s of stats) assert.ok(s.std > 10 && s.greyLevels > 30, `image not blank (std ${s.std.toFixed(1)}, ${s.greyLevels} grey levels)`);

  // The seed-like picture (first cell of the 4th sheet) is the seed's blue; the WebGL ones are skin-toned.
  const sheet = stats[3].image;
  let blue = 0, skin = 0;
  const third = Math.floor(sheet.width / 3);
  for (let y = 0; y < sheet.height; y++)
    for (let x = 0; x < sheet.width; x++) {
      const o = 4 * (x + sheet.width * y);
      const [r, g, b] = [sheet.data[o], sheet.data[o + 1], sheet.data[o + 2]];
      if (x < third && b > r + 40 && b > g + 40) blue++;
      if (x >= third && r > b + 30 && r > 120) skin++;
    }
  assert.ok(blue > 20_000, `seed-like blue pixels: ${blue}`);
  assert.ok(skin > 40_000, `skin pixels in the WebGL renders: ${skin}`);

  // Detectors: nothing on the seed-like picture, the face on the shaded renders (the closing text says so).
  const det = tableRows(html, "Face detectors on the three pictures");
  assert.deepEqual(det.map((r) => r[0]), ["seed view, flat (matplotlib-like)", "front, headlight (WebGL)", "front, three-point (WebGL)"]);
  assert.deepEqual(det[0].slice(1, 3), ["0", "0"], "no face on the seed-like picture");
  assert.ok(Number(det[1][2]) >= 1 && Number(det[2][2]) >= 1, "human finds the face on both shaded renders");
  assert.ok(Number(det[2][1]) >= 1, "Haar finds the face with the three-point light");
  // The computed sentence agrees with the table.
  const said = nb.outputs.find((o) => o.kind === "markdown" && /seed-like picture/.test(String(o.data)));
  assert.ok(said, "detector summary shown");
  assert.match(String(said.data), /seed-like picture\*\* is found by neither detector/);
  const haarHeadlit = Number(det[1][1]) > 0;
  assert.equal(/\*\*headlit\*\* WebGL render it is found by Haar/.test(String(said.data)), haarHeadlit);

  // The interactive viewer: self-contained three.js bundle and the decimated mesh inline.
  const viewer = nb.html.find((h) => h.includes('class="unmask-viewer"'));
  assert.ok(viewer, "viewer html output present");
  assert.match(viewer, /UnmaskViewer/);
  assert.ok(!/<script[^>]+src=/i.test(viewer), "no external script");
  const tris = Number(/data-triangles="(\d+)"/.exec(viewer)?.[1]);
  assert.ok(tris > 50_000 && tris <= 200_000, `viewer triangles ${tris}`);

  // The layered viewer: two surfaces, one see-through.
  const layered = nb.html.filter((h) => h.includes('class="unmask-viewer"'));
  assert.equal(layered.length, 2, "two viewers");
  assert.match(layered[1], /"opacity":0\.35/);
  assert.match(layered[1], /"name":"bone \(300 HU\)"/);

  // Frame time table present with a positive median.
  const [times] = tableRows(html, "Render time in this notebook");
  assert.ok(Number(times[3]) > 0);
});
