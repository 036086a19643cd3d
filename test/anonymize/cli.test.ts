import { test, after } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadSeries, readDicomDataset, encodeDicomFile } from "unmask/dicom";
import { cli } from "../helpers/cli";
import { CT_DIR, tempDir } from "../helpers/paths";

const work = tempDir("unmask-anon-cli-");
after(() => fs.rmSync(work, { recursive: true, force: true }));

// Derived test data: five consecutive CT slices, the middle one marked BurnedInAnnotation YES.
const small = path.join(work, "small");
fs.mkdirSync(small);
for (let n = 50; n < 55; n++) {
  const f = `IM${String(n).padStart(4, "0")}.dcm`;
  const d = readDicomDataset(path.join(CT_DIR, f));
  if (n === 52) d.dict["00280301"] = { vr: "CS", Value: ["YES"] };
  fs.writeFileSync(path.join(small, f), encodeDicomFile(d));
}

test("unmask convert --mode hu writes a loadable series with background 0; an existing output needs --force", async () => {
  const out = path.join(work, "hu");
  const r = await cli(["convert", small, "-o", out, "--mode", "hu", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.files, 5);
  assert.deepEqual(j.rescale, { slope: 1, intercept: 0 });
  const back = await loadSeries(out);
  let min = Infinity;
  for (const v of back.volume.data) min = Math.min(min, v);
  assert.equal(min, 0);
  assert.equal(j.changedVoxels, (await loadSeries(small)).volume.data.filter((v) => v < 0).length);
  const again = await cli(["convert", small, "-o", out]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /OUTPUT_EXISTS/);
  assert.equal((await cli(["convert", small, "-o", out, "--force"])).code, 0);
  assert.equal((await cli(["convert", small, "-o", path.join(work, "x"), "--mode", "mri"])).code, 2);
});

test("unmask deidentify with a key file: same UIDs twice, BurnedInAnnotation flagged on stdout, report files written", async () => {
  const key = path.join(work, "key");
  fs.writeFileSync(key, Buffer.alloc(32, 3));
  const a = await cli(["deidentify", small, "-o", path.join(work, "d1"), "--key", key, "--retain-dates"]);
  const b = await cli(["deidentify", small, "-o", path.join(work, "d2"), "--key", key, "--retain-dates"]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /BURNED-IN ANNOTATION: 1 file/);
  assert.match(a.stdout, /IM0003\.dcm/);
  for (const f of ["IM0001.dcm", "IM0003.dcm", "IM0005.dcm"]) {
    const u1 = readDicomDataset(path.join(work, "d1", f)).dict["00080018"].Value![0];
    const u2 = readDicomDataset(path.join(work, "d2", f)).dict["00080018"].Value![0];
    assert.equal(u1, u2);
  }
  for (const f of ["deidentification-report.json", "deidentification-report.csv"]) assert.ok(fs.existsSync(path.join(work, "d1", f)));
  const noKey = await cli(["deidentify", small, "-o", path.join(work, "d3")]);
  assert.match(noKey.stdout, /key random/);
  assert.match(noKey.stderr, /random key/);
  const shortKey = path.join(work, "short");
  fs.writeFileSync(shortKey, "abc");
  assert.equal((await cli(["deidentify", small, "-o", path.join(work, "d4"), "--key", shortKey])).code, 2);
});
