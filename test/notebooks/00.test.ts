import { test } from "node:test";
import * as assert from "node:assert/strict";
import { executeNotebook } from "../helpers/notebook";
import { pngStats } from "../helpers/images";

/** Cells of the first HTML table whose text contains `title`, as rows of cell texts. */
function tableRows(html: string[], title: string): string[][] {
  const t = html.find((h) => h.includes(title));
  assert.ok(t, `table "${title}" present`);
  return [...t.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1].replace(/<[^>]+>/g, "").trim()));
}

test("notebook 00 (library tour) executes: analytic sphere, typed errors, mesh files, projection, panels", async () => {
  const nb = executeNotebook("notebooks/00-library-tour.ipynb");
  assert.ok(!nb.outputs.some((o) => o.kind === "error"));
  // Marching cubes on the phantom: area and volume within 1 % of 4πr² and 4/3πr³.
  const sphere = tableRows(nb.html, "Marching cubes on the phantom");
  for (const row of sphere.filter((r) => /area|volume/.test(r[0]))) {
    const [mesh, formula] = [Number(row[1]), Number(row[2])];
    assert.ok(Math.abs(mesh - formula) / formula < 0.01, `${row[0]}: ${mesh} vs ${formula}`);
  }
  // Every broken input gave its typed error.
  const errors = tableRows(nb.html, "Broken input").map((r) => r[2]);
  for (const code of ["NOT_FOUND", "NOT_DICOM", "TRUNCATED_DICOM", "MISSING_SLICE", "MULTIPLE_SERIES", "NO_DICOM", "INVALID_ARGUMENT", "IMAGE_DECODE"]) {
    assert.ok(errors.includes(code), `error ${code} shown`);
  }
  // Three mesh formats decode to the same triangle count.
  const formats = tableRows(nb.html, "in three formats").slice(1);
  assert.equal(formats.length, 3);
  for (const r of formats) assert.equal(r[4], r[5]);
  // The kd-forest agreement and matches are reported.
  assert.match(nb.html.join(""), /kd-forest finds the exact nearest neighbour for \d+ % of queries/);
  assert.ok(nb.html.filter((h) => h.includes('data-unmask-figure="plotly"')).length >= 2, "heat map and line plot");
  assert.match(nb.text, /Wrote \d+ files to `out\/tour\/`/);
  // Images: slices, the three views with the nose-tip marker, the crops.
  assert.equal(nb.pngs.length, 3);
  const [slices, views, crops] = await Promise.all(nb.pngs.map((p) => pngStats(p)));
  for (const s of [slices, views, crops]) assert.ok(s.std > 20, "not blank");
  let green = 0;
  const v = views.image;
  for (let q = 0; q < v.data.length; q += 4) if (v.data[q + 1] > 200 && v.data[q] < 120 && v.data[q + 2] < 120) green++;
  assert.ok(green > 100, `nose-tip marker drawn (${green} green pixels)`);
});
