import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { runExperiment, groupsCsv } from "unmask/experiment";
import { FACES_DIR, tempDir } from "../helpers/paths";

test("photographs as a cohort: per-covariate rates, a probe without a face is a listed miss ranked last", async () => {
  const dir = tempDir();
  try {
    const f = (n: string) => path.join(FACES_DIR, n);
    const rows = [
      { subject: "obama", condition: "gallery", path: f("obama-1.jpg"), sex: "M" },
      { subject: "biden", condition: "gallery", path: f("biden-1.jpg"), sex: "M" },
      { subject: "collins", condition: "gallery", path: f("collins-1.png"), sex: "F" },
      // Another photograph of the same man: found at rank 1 (dlib: 0.47 to obama-1, > 0.7 to the others).
      { subject: "obama", condition: "probe", path: f("obama-2.jpg"), sex: "M" },
      // The same image as the gallery's: distance 0.
      { subject: "collins", condition: "probe", path: f("collins-1.png"), sex: "F" },
      // No face at all (labelled as biden): a miss, ranked last.
      { subject: "biden", condition: "probe", path: f("no-face-coffee.png"), sex: "M" },
    ];
    const manifest = path.join(dir, "photos.json");
    fs.writeFileSync(manifest, JSON.stringify({ rows }));
    const r = await runExperiment(manifest, { probe: "probe", gallery: "gallery", recognizers: ["dlib"], cache: path.join(dir, "cache"), bootstrap: { samples: 300 } });
    const x = r.recognizers[0];
    assert.equal(r.gallerySize, 3);
    assert.deepEqual(x.outcomes.map((o) => o.rank), [1, 1, 3]);
    assert.equal(x.detected, 2);
    assert.ok(Math.abs(x.rank1.value - 2 / 3) < 1e-12);
    assert.equal(x.misses.length, 1);
    assert.equal(x.misses[0].detected, false);
    assert.equal(x.outcomes[1].genuineDistance, 0);
    const groups = Object.fromEntries(x.groups.map((g) => [`${g.covariate}=${g.value}`, g]));
    assert.deepEqual(Object.keys(groups).sort(), ["sex=F", "sex=M"]);
    assert.equal(groups["sex=M"].probes, 2);
    assert.equal(groups["sex=M"].rank1.value, 0.5);
    assert.equal(groups["sex=F"].probes, 1);
    assert.equal(groups["sex=F"].rank1.value, 1);
    assert.match(groupsCsv(r), /^dlib,sex,M,2,0\.5000,/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
