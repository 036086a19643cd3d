import { test } from "node:test";
import * as assert from "node:assert/strict";
import { executeNotebook } from "../helpers/notebook";
import { pngStats } from "../helpers/images";

/** Rows of the HTML table whose caption contains `caption`, as arrays of cell texts. */
function tableRows(html: string[], caption: string): string[][] {
  const t = html.find((h) => h.includes(caption));
  assert.ok(t, `table "${caption}" shown`);
  const body = t.slice(t.indexOf("<tbody>"));
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) =>
    [...m[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1].replace(/&lt;/g, "<").replace(/&amp;/g, "&")),
  );
}

test("notebook 05 executes headless: ORB and SIFT counts between photos and renders, drawn matches", async () => {
  const nb = executeNotebook("notebooks/05-keypoint-matching.ipynb");
  assert.ok(!nb.outputs.some((o) => o.kind === "error"), "no cell errors");
  const rows = tableRows(nb.html, "every pair");
  // Columns: A, B, relation, ORB kp, ORB cross-checked, ORB good, SIFT kp, SIFT good.
  const row = (a: string, b: string) => {
    const r = rows.find((x) => x[0] === a && x[1] === b);
    assert.ok(r, `row ${a} | ${b}`);
    return { orbKp: r[3], orbCross: Number(r[4]), orbGood: Number(r[5]), siftKp: r[6], siftGood: Number(r[7]) };
  };
  assert.equal(rows.length, 10);
  const control = row("collins-1", "collins-1 turned 30°, ×0.8");
  const same = row("obama-1", "obama-2");
  const cup = row("obama-1", "no-face-coffee");
  // The positive control matches massively with both methods; no other photo pair comes near.
  assert.ok(control.siftGood >= 50 && control.orbGood >= 50, `control ${control.siftGood} / ${control.orbGood}`);
  for (const r of rows.filter((x) => !x[0].startsWith("CT") && !x[1].includes("turned"))) {
    assert.ok(Number(r[7]) * 5 < control.siftGood, `${r[0]}|${r[1]} SIFT ${r[7]} far below the control`);
    assert.equal(r[3], "500 / 500", "ORB keeps 500 keypoints on photos");
    assert.ok(Number(r[4]) > 50 && Number(r[4]) <= 500, "raw cross-checked counts are large whatever the pair");
  }
  assert.ok(same.orbGood > cup.orbGood, `same person ${same.orbGood} vs coffee ${cup.orbGood} (ORB, Hamming < 40)`);
  // SIFT keypoint counts of the photos are OpenCV's (fixture-tested): obama-1 has 1486.
  assert.match(same.siftKp, /^1486 \//);
  // Renders: near-identical pictures (other threshold) match far more than a render and a photo.
  const level = row("CT −300 HU front", "CT −500 HU front");
  const photo = row("CT −300 HU front", "obama-1");
  assert.ok(level.orbGood > 5 * Math.max(1, photo.orbGood), `renders ${level.orbGood} vs render/photo ${photo.orbGood}`);
  assert.ok(level.siftGood > photo.siftGood);
  // The closing notes are computed from the same results.
  const md = nb.outputs.filter((o) => o.kind === "markdown").map((o) => o.data as string).join("\n");
  assert.match(md, /What differs from the seed/);
  assert.ok(md.includes(`${control.siftGood} SIFT / ${control.orbGood} ORB`), "closing notes quote the control counts");

  // Pictures: 5 drawn pairs of photos, the render grid, 3 drawn pairs of renders; none blank.
  assert.equal(nb.pngs.length, 9);
  const stats = await Promise.all(nb.pngs.map((p) => pngStats(p)));
  for (const s of stats) assert.ok(s.std > 10 && s.greyLevels > 30, `image not blank (std ${s.std.toFixed(1)})`);
  // Drawn matches are side by side: the control pair is 512 px + the turned copy wide.
  assert.ok(stats[0].width > 900 && stats[0].width < 1200, `drawn control width ${stats[0].width}`);
  // The render grid shows four renders with the head in them.
  assert.ok(stats[5].foreground > 0.3, `render grid foreground ${stats[5].foreground.toFixed(2)}`);
});
