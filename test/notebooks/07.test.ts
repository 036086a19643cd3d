import { test } from "node:test";
import * as assert from "node:assert/strict";
import { executeNotebook, htmlTableRows } from "../helpers/notebook";
import { pngStats } from "../helpers/images";


/** The table as objects keyed by its header. */
function records(html: string[], caption: string): Record<string, string>[] {
  const [header, ...rows] = htmlTableRows(html, caption);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

const SCANS = ["CT", "MRI"];
const METHODS = ["deface", "quickshear", "blur", "skullstrip"];
const RECOGNIZERS = ["dlib", "faceres", "faceres-deep", "mobileface"];

/** Every scan × method appears exactly once among the rows. */
function assertEveryScanAndMethod(rows: Record<string, string>[], what: string): void {
  for (const scan of SCANS) for (const method of METHODS) {
    assert.equal(rows.filter((r) => r.scan === scan && r.method === method).length, 1, `${what}: one row for ${scan} · ${method}`);
  }
}

test("notebook 07 executes headless: four defacing methods on CT and MRI, renders, slices, verdicts, recognizers, time, costs", async () => {
  const nb = executeNotebook("notebooks/07-anonymization.ipynb");
  assert.ok(!nb.outputs.some((o) => o.kind === "error"), "no cell errors");

  const defaced = records(nb.html, "Defacing per scan and method");
  assert.equal(defaced.length, 8, "2 scans × 4 methods");
  assertEveryScanAndMethod(defaced, "defacing table");
  for (const r of defaced) {
    assert.ok(Number(r["voxels changed"]) > 0, `${r.scan} · ${r.method}: voxels changed ${r["voxels changed"]}`);
    assert.ok(Number(r["time (s)"]) > 0, `${r.scan} · ${r.method}: time`);
  }
  const region = records(nb.html, "The face region found by the facial profile");
  assert.deepEqual(region.map((r) => r.scan), SCANS);
  for (const r of region) assert.match(r["nose tip (mm)"], /^-?\d+, -?\d+, -?\d+$/, `${r.scan}: a nose tip was located`);

  const verdicts = records(nb.html, "Face verdicts before and after defacing");
  assert.equal(verdicts.length, 8);
  assertEveryScanAndMethod(verdicts, "verdict table");
  for (const r of verdicts) {
    // The paired positive control: the original has a face on both scans.
    assert.equal(r.before, "yes", `${r.scan} · ${r.method}: verdict before`);
    // The verdicts after are still being worked on: only their form is checked.
    assert.match(r["after (skin level)"], /^(yes|no|uncertain)$/, `${r.scan} · ${r.method}: verdict after`);
    assert.match(r["after at the three levels"], /^(yes|no|uncertain)( \/ (yes|no|uncertain)){2}$/, `${r.scan} · ${r.method}: three levels`);
    for (const c of ["face removed", "re-identified", "verified"]) assert.match(r[c], /^(yes|no)$/, `${r.scan} · ${r.method}: ${c}`);
    assert.ok(r["reason after (skin level)"].length > 0, "a reason");
  }

  const control = records(nb.html, "Positive control: the recognizers on the original renders");
  assert.equal(control.length, 8, "2 scans × 4 recognizers");
  for (const name of RECOGNIZERS) assert.equal(control.filter((r) => r.recognizer === name).length, 2, `control rows for ${name}`);

  const rec = records(nb.html, "Recognizers: distance of the defaced render");
  assert.equal(rec.length, 32, "2 scans × 4 methods × 4 recognizers");
  for (const name of RECOGNIZERS) {
    const rows = rec.filter((r) => r.recognizer === name);
    assertEveryScanAndMethod(rows, `recognizer ${name}`);
    for (const r of rows) {
      assert.ok(r.distance === "no face" || Number.isFinite(Number(r.distance)), `${name}: distance ${r.distance}`);
      assert.ok(Number(r.threshold) > 0, `${name}: threshold ${r.threshold}`);
      assert.match(r.match, /^(yes|no)$/);
      // The gallery: the scan's own original, the other scan's and four photographs.
      assert.match(r.rank, /^(—|[1-6] of 6)$/, `${name}: rank ${r.rank}`);
    }
  }

  const times = records(nb.html, "Time per scan and method");
  assert.equal(times.length, 10, "4 methods + a total per scan");
  for (const r of times) assert.ok(Number(r["total (s)"]) > 0, `time ${r.scan} · ${r.method}`);

  const costs = records(nb.html, "What each method changes");
  assert.equal(costs.length, 8);
  assertEveryScanAndMethod(costs, "cost table");
  for (const r of costs) assert.equal(r["brain voxels changed"], "0", `${r.scan} · ${r.method} leaves the brain mask`);
  const skullstrip = costs.filter((r) => r.method === "skullstrip");
  for (const r of skullstrip) assert.ok(Number(r["of the tissue outside the brain (%)"]) > 99, `${r.scan}: skullstrip removes the tissue outside the brain`);

  const md = nb.outputs.filter((o) => o.kind === "markdown").map((o) => o.data as string).join("\n");
  assert.match(md, /What each method costs the data/);
  for (const m of METHODS) assert.ok(md.includes(`**\`${m}\`**`), `cost paragraph on ${m}`);
  assert.ok(!/NaN|undefined|Infinity/.test(md), "computed numbers in the prose");

  // Front renders (one sheet per scan) and slices (one sheet per scan).
  assert.equal(nb.pngs.length, 4, `images: ${nb.pngs.length}`);
  for (const p of nb.pngs) {
    const s = await pngStats(p);
    assert.ok(s.std > 10 && s.greyLevels > 30, "image not blank");
  }
});
