import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { runExperiment, summaryCsv, distancesCsv, readManifest, FacePipeline, STAGES, type ExperimentResult, type StageCounts } from "unmask/experiment";
import { DATA, FACES_DIR, tempDir } from "../helpers/paths";

// The shipped cohort (two subjects × 12 rows) with two recognizers, to stay fast; the full panel runs in notebook 08.
const COHORT = path.join(DATA, "cohort", "manifest.csv");
const OPTS = { probe: "altered", gallery: "reference", distractors: FACES_DIR, recognizers: ["dlib", "faceres"] as ("dlib" | "faceres")[], bootstrap: { samples: 500 } };
const cache = tempDir("unmask-cohort-cache-");

function misses(c: StageCounts): Record<string, number> {
  return Object.fromEntries(STAGES.map((s) => [s, c[s].misses]));
}

let first: ExperimentResult;

test("the runner on the shipped cohort: every probe accounted for, CMC monotone and reaching 1, renders matched by rank", async () => {
  first = await runExperiment(COHORT, { ...OPTS, cache });
  const m = readManifest(COHORT);
  const probes = m.rows.filter((r) => r.condition === "altered").length;
  assert.equal(first.probes.length, probes);
  // Gallery: the two subjects and the four portraits; the coffee cup has no face and leaves with a warning.
  assert.equal(first.gallerySize, 6);
  assert.ok(first.warnings.some((w) => /no-face-coffee\.png: no face found/.test(w)));
  for (const r of first.recognizers) {
    assert.equal(r.probes, probes);
    assert.equal(r.outcomes.length, probes, "no probe dropped");
    assert.equal(r.cmc.length, 6);
    for (let k = 1; k < r.cmc.length; k++) assert.ok(r.cmc[k] >= r.cmc[k - 1]);
    assert.equal(r.cmc[5], 1);
    assert.equal(r.cmc[0], r.rank1.value);
    assert.ok(r.rank1.low <= r.rank1.value && r.rank1.value <= r.rank1.high);
    assert.equal(r.misses.length, r.outcomes.filter((o) => o.rank > 1).length);
    // Same scan under another condition is nearer than the photographs for most probes (rank-based, no threshold).
    assert.ok(r.rank1.value >= 0.5, `${r.recognizer} rank-1 ${r.rank1.value}`);
    // Renders are not photos: the photo threshold accepts impostor render pairs (the other subject's scan).
    assert.ok(r.atTolerance.fmr > 0, `${r.recognizer}: photo threshold accepts some impostor pairs on renders`);
  }
  // The cold run computed every distinct stage once: 4 volumes (2 scans × native/2 mm), 6 surfaces, 12 renders.
  assert.deepEqual({ load: first.counts.load.misses, surface: first.counts.surface.misses, render: first.counts.render.misses }, { load: 4, surface: 6, render: 12 });
});

test("a second run takes every stage from the cache and gives identical tables", async () => {
  const again = await runExperiment(COHORT, { ...OPTS, cache });
  assert.equal(summaryCsv(again), summaryCsv(first));
  assert.equal(distancesCsv(again), distancesCsv(first));
  assert.deepEqual(misses(again.counts), { load: 0, surface: 0, render: 0, detect: 0, align: 0, encode: 0 });
  assert.ok(again.counts.detect.hits > 0 && again.counts.encode.hits > 0);
});

test("recomputing one probe's render, detection and encodings from its cached surface gives the same tables (deterministic stages)", async () => {
  // Remove the cache entries downstream of one probe's surface (CT, front, headlight) and run again.
  const p = new FacePipeline({ cache });
  const probe = readManifest(COHORT).rows.find((r) => r.condition === "altered" && r.light === "headlight" && r.subject === "ct-cranium")!;
  const o = { level: probe.level, variants: [{ view: probe.view ?? "front", light: probe.light! }] };
  for (const recognizer of OPTS.recognizers) {
    const k = p.keys({ path: probe.path }, { ...o, recognizer });
    for (const [stage, ext] of [["render", "bin"], ["detect", "json"], ["align", "bin"], ["encode", "json"]] as const) {
      fs.rmSync(path.join(cache, stage, `${k[stage]}.${ext}`), { force: true });
    }
  }
  const again = await runExperiment(COHORT, { ...OPTS, pipeline: p });
  assert.equal(summaryCsv(again), summaryCsv(first));
  assert.equal(distancesCsv(again), distancesCsv(first));
  assert.deepEqual(misses(again.counts), { load: 0, surface: 0, render: 1, detect: 1, align: 1, encode: 2 });
});

test("one changed option recomputes only the stages that depend on it", async () => {
  const dir = tempDir();
  try {
    // The same cohort with one probe's light changed (absolute paths: keys hash contents, not names).
    const m = readManifest(COHORT);
    const rows = m.rows.map((r) => ({ subject: r.subject, condition: r.condition, path: r.path, level: r.level, view: r.view, light: r.light, spacing: r.spacing, interpolation: r.interpolation }));
    const changed = rows.findIndex((r) => r.condition === "altered" && r.light === "headlight" && r.subject === "ct-cranium");
    rows[changed].light = "flat";
    const file = path.join(dir, "changed.json");
    fs.writeFileSync(file, JSON.stringify({ rows }));
    const r = await runExperiment(file, { ...OPTS, cache });
    // One new render → its detection, its alignment and one encoding per recognizer ("no face" is a cached result too).
    assert.deepEqual(misses(r.counts), { load: 0, surface: 0, render: 1, detect: 1, align: 1, encode: 2 });
    // The seed's flat, unshaded look shows no face: a miss, listed, not dropped.
    const flat = r.probes.find((p) => /light flat/.test(p.setting))!;
    assert.equal(flat.detected, false);
    for (const x of r.recognizers) assert.ok(x.misses.some((o) => o.probe === flat.label && o.rank === r.gallerySize));
    // Another recognizer: only the encode stage runs.
    const r2 = await runExperiment(COHORT, { ...OPTS, recognizers: ["mobileface"], cache });
    assert.deepEqual(misses(r2.counts), { load: 0, surface: 0, render: 0, detect: 0, align: 0, encode: r2.probes.length + 6 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(cache, { recursive: true, force: true });
  }
});
