import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { executeNotebook } from "../helpers/notebook";
import { pngStats } from "../helpers/images";
import { cli } from "../helpers/cli";
import { DATA, FACES_DIR, tempDir } from "../helpers/paths";
import { SHARED_EXPERIMENT_CACHE } from "../helpers/experiment";

/** Header and body rows of the HTML table whose caption contains `caption`. */
function table(html: string[], caption: string): { head: string[]; rows: string[][] } {
  const t = html.find((h) => h.includes(caption));
  assert.ok(t, `table "${caption}" shown`);
  const cells = (s: string, tag: string) => [...s.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, "g"))].map((c) => c[1].replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&amp;/g, "&").trim());
  const head = cells(t.slice(t.indexOf("<thead"), t.indexOf("</thead>")), "th");
  const body = t.slice(t.indexOf("<tbody>"));
  return { head, rows: [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => cells(m[1], "td")) };
}

/** Traces of the plotly figures shown (the JSON each figure's script carries). */
function plotlyTraces(html: string[]): { name?: string; x: number[]; y: number[]; fill?: string }[][] {
  return html.filter((h) => h.includes('data-unmask-figure="plotly"')).map((h) => {
    const m = /var fig=(\{[\s\S]*?\});var cfg=/.exec(h);
    assert.ok(m, "figure JSON");
    return JSON.parse(m[1]).data;
  });
}

test("notebook 08 executes headless: its summary table equals the CLI's summary.csv; CMC curves monotone, 1 at the gallery size, first point = rank-1", async () => {
  // The notebook uses the default cache folder; point it at the tests' shared cache.
  process.env.UNMASK_CACHE = SHARED_EXPERIMENT_CACHE;
  const nb = executeNotebook("notebooks/08-identification-experiment.ipynb");
  assert.ok(!nb.outputs.some((o) => o.kind === "error"), "no cell errors");
  const summary = table(nb.html, "Summary per recognizer (summary.csv)");
  assert.deepEqual(summary.rows.map((r) => r[0]), ["dlib", "faceres", "faceres-deep", "mobileface"], "the full panel");

  // The CLI on the same manifest gives the same table.
  const dir = tempDir();
  try {
    const out = path.join(dir, "out");
    const r = await cli(["experiment", path.join(DATA, "cohort", "manifest.csv"), "--probe", "altered", "--gallery", "reference",
      "--distractors", FACES_DIR, "--recognizer", "all", "--cache", SHARED_EXPERIMENT_CACHE, "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    const csv = fs.readFileSync(path.join(out, "summary.csv"), "utf8").trim().split("\n").map((l) => l.split(","));
    assert.deepEqual(summary.head, csv[0]);
    assert.deepEqual(summary.rows, csv.slice(1));
    for (const f of ["distances.csv", "report.html", "cmc.png", "cmc.html", "roc.png", "gallery-size.png"]) assert.ok(fs.statSync(path.join(out, f)).size > 100, f);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  // The CMC figure: one curve per recognizer.
  const col = (name: string) => summary.head.indexOf(name);
  const gallerySize = Number(summary.rows[0][col("gallery_size")]);
  assert.equal(gallerySize, 6);
  const cmc = plotlyTraces(nb.html).find((f) => f.some((t) => t.name === "dlib"));
  assert.ok(cmc, "CMC figure");
  for (const row of summary.rows) {
    const t: { name?: string; y: number[] } | undefined = cmc.find((x) => x.name === row[0]);
    assert.ok(t, `CMC of ${row[0]}`);
    assert.equal(t.y.length, gallerySize);
    for (let k = 1; k < t.y.length; k++) assert.ok(t.y[k] >= t.y[k - 1], `${row[0]} CMC monotone`);
    assert.equal(t.y[gallerySize - 1], 1, `${row[0]} CMC reaches 1 at the gallery size`);
    assert.equal(t.y[0].toFixed(4), row[col("rank1")], `${row[0]} CMC starts at rank-1`);
    // Intervals bracket the rates.
    assert.ok(Number(row[col("rank1_low")]) <= Number(row[col("rank1")]) && Number(row[col("rank1")]) <= Number(row[col("rank1_high")]));
  }

  // The paper's numbers printed beside ours, and the differences of setting stated with computed values.
  const paper = table(nb.html, "Rank-1 here and in the paper");
  assert.ok(paper.rows.some((r) => /60 %–83 %/.test(r.join(" ")) && /13,233/.test(r.join(" "))));
  assert.ok(paper.rows.some((r) => r[0].includes("oncologist") && r.includes("80 %")));
  const prose = nb.outputs.filter((o) => o.kind === "markdown").map((o) => o.data as string).join("\n");
  assert.match(prose, /Probe and gallery are both renders of the same scan/);
  assert.match(prose, /2 subjects, 10 probes, not 35 patients/);
  assert.match(prose, /4 distractor photographs, not 13,233/);
  assert.ok(table(nb.html, "Gallery-size model (not a measurement)").rows.length === 4);
  assert.ok(table(nb.html, "Distances on renders and the thresholds").rows.length === 4);

  // Figures are real pictures.
  assert.ok(nb.pngs.length >= 4, `${nb.pngs.length} PNGs`);
  for (const p of nb.pngs) {
    const s = await pngStats(p);
    assert.ok(s.std > 10 && s.foreground > 0.02, "figure not blank");
  }
});
