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
    [...m[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1].replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'")),
  );
}

test("notebook 06 executes headless: seed vs hu conversion, skin surfaces with faces, written series reloaded, de-identification report", async () => {
  const nb = executeNotebook("notebooks/06-ct-to-mri-like.ipynb");
  assert.ok(!nb.outputs.some((o) => o.kind === "error"), "no cell errors");
  const md = nb.outputs.filter((o) => o.kind === "markdown").map((o) => o.data as string).join("\n");

  // Conversion: the seed changes nothing on an HU + 1024 scanner; hu zeroes most of the volume.
  const conv = tableRows(nb.html, "Conversion of the CT");
  assert.equal(conv[0][1], "0");
  const huChanged = Number(conv[1][1]);
  assert.ok(huChanged > 0.5 * 256 * 256 * 108 && huChanged < 256 * 256 * 108, `hu changed ${huChanged}`);
  assert.match(md, /changes \*\*0\*\* voxels/);
  assert.ok(md.includes(`${huChanged} voxels`), "prose quotes the computed hu count");
  assert.match(md, /Mode `seed` is the one that reproduces the seed/);

  // Surfaces: the CT at the seed's level; the converted series at skinLevel's intensity-data level and at
  // the histogram's midway level; the face is found on the CT and at the midway level.
  const surf = tableRows(nb.html, "Skin surfaces and the face detector");
  assert.equal(surf.length, 3);
  assert.equal(surf[0][1], "-300");
  assert.match(surf[1][2], /^skinLevel: no Hounsfield units .*Otsu/);
  const level = Number(surf[2][1]);
  assert.ok(level > 0 && level < 100, `midway level ${level}`);
  assert.match(surf[2][2], /midway between background peak 0 HU and tissue peak \d+ HU/);
  assert.ok(Number(surf[0][5]) >= 1 && Number(surf[2][5]) >= 1, `faces ${surf[0][5]} / ${surf[2][5]}`);
  // The prose says what the intensity-data level gave, from the same result.
  const otsuFaces = Number(surf[1][5]);
  assert.ok(otsuFaces === 0 ? md.includes("finds no face on it") : md.includes(`still reports ${otsuFaces} "face(s)"`), "prose matches the Otsu-level detection");
  assert.ok(md.includes(`level \`skinLevel\` picks for intensity data, **${surf[1][1]}**`), "prose names the level");

  // Written series reload voxel for voxel, as DERIVED CT series with new UIDs.
  const written = tableRows(nb.html, "Written series, loaded back");
  assert.equal(written.length, 2);
  for (const r of written) {
    assert.equal(r[1], "108");
    assert.equal(r[2], "0");
    assert.equal(r[3], "CT");
    assert.match(r[4], /^DERIVED\\SECONDARY/);
    assert.equal(r[8], "yes");
  }
  assert.equal(written[1][6], "0 / 1");

  // De-identification table of IM0001: identity fields emptied, UIDs replaced, profile attributes added.
  const deid = tableRows(nb.html, "De-identification of IM0001.dcm");
  const find = (name: string) => deid.find((r) => r[1] === name);
  assert.equal(find("Patient's Name")?.[3], "Z");
  assert.equal(find("Study Instance UID")?.[3], "U");
  assert.match(find("Study Instance UID")![4], /^2\.25\.\d+$/);
  assert.equal(find("Institution Name")?.[2], "X/Z/D");
  assert.ok(deid.some((r) => r[0] === "(0012,0062)" && r[4] === "YES"));
  assert.match(md, /7077888 of 7077888 voxels unchanged/);

  // Pictures: two slice panels, the surface grid; none blank.
  assert.ok(nb.pngs.length >= 3, `${nb.pngs.length} images`);
  for (const p of nb.pngs) {
    const s = await pngStats(p);
    assert.ok(s.std > 10 && s.greyLevels > 30, `image not blank (std ${s.std.toFixed(1)})`);
  }
});
