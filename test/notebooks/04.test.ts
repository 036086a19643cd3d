import { test } from "node:test";
import * as assert from "node:assert/strict";
import { executeNotebook } from "../helpers/notebook";
import { pngStats } from "../helpers/images";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../helpers/paths";

/** Cells of the HTML table whose caption matches, as rows of text. */
function tableRows(html: string, caption: RegExp): string[][] {
  const tables = html.split("<table").slice(1).map((t) => t.slice(0, t.indexOf("</table>")));
  const t = tables.find((x) => caption.test(x));
  assert.ok(t, `table ${caption} present`);
  return t
    .split(/<tr[^>]*>/)
    .slice(1)
    .map((r) => [...r.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((m) => m[1].replace(/<[^>]+>/g, "").replace(/&amp;/g, "&").trim()))
    .filter((r) => r.length);
}

test("notebook 04 executes headless: Haar vs human on photos and renders, recognizer heat map, distance tables, face presence over render variants", async () => {
  const nb = executeNotebook("notebooks/04-face-detection-and-matching.ipynb");
  assert.ok(!nb.outputs.some((o) => o.kind === "error"), "no cell errors");
  const html = nb.html.join("\n");

  // Detections table: one face per portrait for both detectors, none on the cup, human on the shaded CT front render.
  const det = tableRows(html, /Detections \(Haar: scaleFactor 1\.1, minNeighbors 4\)/);
  const head = det[0];
  const col = (name: string) => head.indexOf(name);
  const row = (image: string) => det.find((r) => r[0] === image)!;
  for (const p of ["obama-1.jpg", "obama-2.jpg", "biden-1.jpg", "collins-1.png"]) {
    assert.equal(row(p)[col("human faces")], "1", p);
    assert.equal(row(p)[col("Haar faces")], "1", p);
  }
  assert.equal(row("no-face-coffee.png")[col("human faces")], "0");
  assert.equal(row("no-face-coffee.png")[col("Haar faces")], "0");
  assert.equal(row("CT front · three-point")[col("human faces")], "1");
  assert.ok(Number(row("CT front · three-point")[col("human score")]) > 0.8);
  assert.equal(row("CT seed · flat")[col("human faces")], "0", "no face on the seed's flat render");
  // The seed's Haar box on obama-1, as python3-opencv gives it.
  assert.equal(row("obama-1.jpg")[col("Haar box (x, y, w × h)")], "342, 95, 300 × 300");

  // The heat map: a plotly figure with three heatmap traces.
  assert.ok(/data-unmask-figure="plotly"/.test(html), "a plotly figure");
  assert.equal((html.match(/"type":"heatmap"/g) ?? []).length, 4);

  // Pairs table: the same-person photo pair matches and obama/biden does not, for every recognizer.
  const pairs = tableRows(html, /Distances per recognizer/);
  const ph = pairs[0];
  const same = pairs.find((r) => r[0] === "obama-1.jpg" && r[1] === "obama-2.jpg")!;
  const diff = pairs.find((r) => r[0] === "obama-1.jpg" && r[1] === "biden-1.jpg")!;
  for (const rec of ["dlib", "faceres", "faceres-deep", "mobileface"]) {
    const i = ph.indexOf(rec);
    assert.ok(i > 0, rec);
    assert.match(same[i], /✓ match/, `${rec} same`);
    assert.match(diff[i], /✗/, `${rec} different`);
  }
  assert.ok(Number(same[ph.indexOf("dlib")].split(" ")[0]) < 0.6);
  assert.ok(Number(diff[ph.indexOf("dlib")].split(" ")[0]) > 0.6);
  // Every score row says which condition it is.
  assert.ok(pairs.slice(1).every((r) => r[2].length > 5));
  assert.match(pairs.find((r) => r[1] === "no-face-coffee.png")!.join(" "), /no face/);

  // Seed script 5 table.
  const seed = tableRows(html, /the seed.{1,6}s compare_faces/);
  assert.match(seed.find((r) => r[1] === "obama-2.jpg")!.join(" "), /True \(same person\)/);
  assert.match(seed.find((r) => r[1] === "no-face-coffee.png")!.join(" "), /no face in no-face-coffee\.png/);

  // Face presence: the truth-set table (each detector alone and fused), computed in the notebook.
  const pres = tableRows(html, /Face presence on a truth-set subset/);
  const prh = pres[0];
  const fusedCol = prh.indexOf("fused (committed fit)"), losoCol = prh.indexOf("fused (fit on the other scan)");
  assert.ok(fusedCol > 0 && losoCol > 0 && prh.some((h) => /^human/.test(h)) && prh.some((h) => /^haar/.test(h)));
  const caseRows = pres.slice(1).filter((r) => /^(ct|mri|phantom)\//.test(r[0]));
  assert.equal(caseRows.length, 11);
  for (const r of caseRows) {
    const want = r[1] === "face" ? "yes" : "no";
    assert.match(r[fusedCol], new RegExp(`^${want} `), `${r[0]}: ${r[fusedCol]}`);
    assert.notEqual(r[losoCol], r[1] === "face" ? "no" : "yes", `${r[0]} with the other scan's fit`);
  }
  const recallRow = pres.find((r) => r[0] === "recall (positives)")!;
  const fprRow = pres.find((r) => r[0] === "false-positive rate (negatives)")!;
  assert.equal(Number(recallRow[fusedCol]), 1);
  assert.equal(Number(fprRow[fusedCol]), 0);
  // The "one detector misses" case is computed: its sentence names the case, the detector and a "yes".
  const mds = nb.outputs.filter((o) => o.kind === "markdown").map((o) => o.data as string);
  assert.ok(mds.some((m) => /^\*\*CT verdict: yes\*\*/.test(m) && /nose tip at \[-?\d+, -?\d+, -?\d+\] mm/.test(m)), "CT verdict line");
  assert.ok(mds.some((m) => /^On \*\*(ct|mri)\/[^*]+\*\*, [\w-]+ alone finds the face on \d+ of \d+ variants .*The fused verdict is \*\*yes\*\*/.test(m)), "the missed-by-one case");

  // Opening and closing text (markdown cells): what it reproduces, and what differs.
  const source = fs.readFileSync(path.join(ROOT, "notebooks", "04-face-detection-and-matching.ipynb"), "utf8");
  assert.ok(/Seed script 3/.test(source) && /Seed script 5/.test(source) && /four recognition algorithms/.test(source));
  assert.ok(/No patient photographs ship/.test(source), "the closing section says no patient photographs ship");

  // Images: the contact sheets and the landmark close-up are real pictures.
  assert.ok(nb.pngs.length >= 5, `expected ≥ 5 images (3 + two presence contact sheets), got ${nb.pngs.length}`);
  const stats = await Promise.all(nb.pngs.map((p) => pngStats(p)));
  for (const s of stats) assert.ok(s.std > 10 && s.greyLevels > 30, `image not blank (std ${s.std.toFixed(1)})`);
  // The detection sheet has both box colours (Haar orange #ff8c00, human cyan #00e5ff).
  const sheet = stats[1].image;
  let orange = 0, cyan = 0;
  for (let q = 0; q < sheet.data.length; q += 4) {
    const [r, g, b] = [sheet.data[q], sheet.data[q + 1], sheet.data[q + 2]];
    if (r > 235 && g > 120 && g < 160 && b < 30) orange++;
    if (r < 30 && g > 210 && b > 235) cyan++;
  }
  assert.ok(orange > 300 && cyan > 300, `boxes drawn (orange ${orange}, cyan ${cyan})`);
  // The presence contact sheets: wide sheets with cyan (human) boxes of the winning cluster.
  for (const s of stats.slice(-2)) {
    let c = 0;
    for (let q = 0; q < s.image.data.length; q += 4) if (s.image.data[q] < 30 && s.image.data[q + 1] > 210 && s.image.data[q + 2] > 235) c++;
    assert.ok(s.image.width >= 700 && c > 200, `presence contact sheet ${s.image.width}×${s.image.height}, ${c} cyan box pixels`);
  }
});
