import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { readManifest, runExperiment, ManifestError } from "unmask/experiment";
import { DATA, tempDir } from "../helpers/paths";
import { cli } from "../helpers/cli";

const COHORT = path.join(DATA, "cohort", "manifest.csv");

test("the shipped cohort manifest parses: two subjects, declared conditions, paths resolved relative to it", () => {
  const m = readManifest(COHORT);
  assert.deepEqual([...new Set(m.rows.map((r) => r.subject))], ["ct-cranium", "mri-t1-head"]);
  assert.deepEqual(Object.keys(m.conditions), ["reference", "altered"]);
  assert.equal(m.rows[0].path, path.join(DATA, "ct-cranium"));
  assert.equal(m.rows.find((r) => r.view === "oblique-left")?.level, -300);
  assert.ok(m.rows.some((r) => r.spacing === 2 && r.interpolation === "linear"));
});

function writeManifest(dir: string, name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

test("a missing file or an unknown condition fails with a message naming the row", async () => {
  const dir = tempDir();
  try {
    const ct = path.relative(dir, path.join(DATA, "ct-cranium"));
    const missing = writeManifest(dir, "missing.csv", `subject,condition,path\nct,reference,${ct}\nct,probe,no-such-folder\n`);
    assert.throws(() => readManifest(missing), (e: unknown) => e instanceof ManifestError && e.row === 2 && /missing\.csv row 2: path not found: no-such-folder \(subject ct, condition probe\)/.test(e.message));
    const typo = writeManifest(dir, "typo.csv", `# condition reference: front\n# condition probe: oblique\nsubject,condition,path\nct,reference,${ct}\nct,refrence,${ct}\n`);
    assert.throws(() => readManifest(typo), /typo\.csv row 2: unknown condition "refrence" \(subject ct, condition refrence\); the manifest declares reference, probe/);
    const json = writeManifest(dir, "m.json", JSON.stringify({ conditions: { a: "x" }, rows: [{ subject: "ct", condition: "a", path: ct }, { subject: "ct", condition: "a", path: ct, view: "sideways" }] }));
    assert.throws(() => readManifest(json), /m\.json row 2: view must be one of .*got "sideways"/);
    assert.throws(() => readManifest(writeManifest(dir, "nocol.csv", "subject,path\nct,x\n")), /missing column "condition"/);
    // A condition asked for that the manifest does not have, and a probe subject missing from the gallery.
    const ok = writeManifest(dir, "ok.csv", `subject,condition,path\nct,reference,${ct}\nmr,probe,${ct}\n`);
    await assert.rejects(runExperiment(ok, { probe: "probe", gallery: "gallery", cache: dir }), /condition "gallery" is not in .*ok\.csv \(its conditions: reference, probe\)/);
    await assert.rejects(runExperiment(ok, { probe: "probe", gallery: "reference", cache: dir }), /ok\.csv row 2: probe subject "mr" has no image in the gallery condition\(s\) reference/);
    // The CLI prints the typed error and exits 1.
    const r = await cli(["experiment", missing, "--probe", "probe", "--gallery", "reference", "-o", path.join(dir, "out")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^INVALID_MANIFEST: .*missing\.csv row 2: path not found/);
    assert.ok(!fs.existsSync(path.join(dir, "out")), "no output written");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
