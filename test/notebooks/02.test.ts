import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { executeNotebook } from "../helpers/notebook";
import { pngStats } from "../helpers/images";
import { FIXTURES } from "../helpers/paths";

const skimage = JSON.parse(fs.readFileSync(path.join(FIXTURES, "skimage-marching-cubes.json"), "utf8"));

/** The integer cells of the table row whose first cell is `first`. */
function rowNumbers(html: string, first: string): number[] {
  const rows = html.split(/<tr[^>]*>/).slice(1);
  const row = rows.find((r) => new RegExp(`^\\s*<td[^>]*>${first}</td>`).test(r));
  assert.ok(row, `table row "${first}"`);
  return [...row!.matchAll(/<td[^>]*>(-?\d+(?:\.\d+)?)<\/td>/g)].map((m) => Number(m[1]));
}

test("notebook 02 executes headless: skimage check, six-level grid, level chart, components, smoothing", async () => {
  const nb = executeNotebook("notebooks/02-surfaces-and-thresholds.ipynb");
  assert.ok(!nb.outputs.some((o) => o.kind === "error"), "no cell errors");
  const html = nb.html.join("\n");

  // The −300 HU check against scikit-image on both grids, within 1 %.
  assert.match(html, /unmask vs scikit-image on the same voxels/);
  const native = rowNumbers(html, "native 256×256×108");
  assert.ok(Math.abs(native[0] - skimage.ct_native.counts["-300"]) / skimage.ct_native.counts["-300"] < 0.01, `native ${native[0]}`);
  assert.equal(native[1], skimage.ct_native.counts["-300"]);
  const iso = rowNumbers(html, "1 mm 245×245×161");
  assert.ok(Math.abs(iso[0] - skimage.ct_1mm_cubic.counts["-300"]) / skimage.ct_1mm_cubic.counts["-300"] < 0.01, `1 mm ${iso[0]}`);

  // Per-level table: six levels, triangle counts within 1 % of skimage's on the same 1 mm grid; the
  // holder (2nd + 3rd components) is several hundred cm² at the skin levels.
  for (const level of [-800, -500, -300, -100, 100, 400]) {
    const [lvl, triangles, area, components, , plastic] = rowNumbers(html, String(level));
    assert.equal(lvl, level);
    const ref = skimage.ct_1mm_cubic.counts[String(level)];
    assert.ok(Math.abs(triangles - ref) / ref < 0.01, `level ${level}: ${triangles} vs skimage ${ref}`);
    assert.ok(area > 1000 && area < 5000, `level ${level}: area ${area} cm²`);
    assert.ok(components >= 1);
    if (level === -500 || level === -300) assert.ok(plastic > 400 && plastic < 1000, `holder area at ${level}: ${plastic}`);
  }
  // Plotly chart of count and area against the level.
  assert.match(html, /data-unmask-figure="plotly"/);
  assert.match(html, /level \(Hounsfield units\)/);
  // Smoothing keeps the volume within 2 %; decimation meets its 50,000-triangle budget.
  const dec = /decimated \(cell [\d.]+ mm\)<\/td>\s*<td[^>]*>(\d+)<\/td>/.exec(html);
  assert.ok(dec && Number(dec[1]) <= 50_000 && Number(dec[1]) > 25_000, "decimated triangle count");
  const taubin = /Taubin smoothed<\/td>(?:\s*<td[^>]*>[^<]*<\/td>){2}\s*<td[^>]*>(-?[\d.]+) %<\/td>/.exec(html);
  assert.ok(taubin && Math.abs(Number(taubin[1])) < 2, `Taubin volume change ${taubin?.[1]}`);

  // Images: the 6×2 level grid, the components, the mesh tools; none blank.
  assert.ok(nb.pngs.length >= 3, `expected ≥ 3 images, got ${nb.pngs.length}`);
  const stats = await Promise.all(nb.pngs.map((p) => pngStats(p)));
  for (const s of stats) assert.ok(s.std > 10 && s.greyLevels > 30, `image not blank (std ${s.std.toFixed(1)}, ${s.greyLevels} grey levels)`);
  // The level grid is 4 columns × 3 rows of square renders: wider than tall, and large.
  assert.ok(stats[0].width > stats[0].height && stats[0].width >= 900, `grid ${stats[0].width}×${stats[0].height}`);
});
