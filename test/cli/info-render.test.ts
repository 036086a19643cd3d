import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { readImage } from "unmask";
import { CT_DIR, ROOT, tempDir } from "../helpers/paths";

const cli = (args: string[]) =>
  spawnSync(process.execPath, [path.join(ROOT, "lib", "bin", "unmask.js"), ...args], { encoding: "utf8", timeout: 120_000 });

test("unmask info lists the series as a table and as JSON without identifiers", () => {
  const t = cli(["info", CT_DIR]);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /CT\s+CT head \(InVesalius Cranium example\)\s+108\s+256×256×108\s+0\.957×0\.957×1\.5 mm\s+LPS/);
  const j = cli(["info", CT_DIR, "--json"]);
  const listing = JSON.parse(j.stdout);
  assert.equal(listing.series.length, 1);
  assert.equal(listing.series[0].fileCount, 108);
  assert.equal(listing.series[0].files, undefined);
  assert.ok(!/PatientName|PatientID|BirthDate/i.test(j.stdout));
});

test("unmask errors: wrong path and missing option give a code and a non-zero exit", () => {
  const r = cli(["info", "/no/such/folder"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^NOT_FOUND: DICOM folder or file not found: \/no\/such\/folder/);
  const m = cli(["render", CT_DIR]);
  assert.equal(m.status, 2);
  assert.match(m.stderr, /INVALID_ARGUMENT: unmask render: -o FILE\.png is required/);
  const u = cli(["render", CT_DIR, "-o", "x.png", "--levle", "3"]);
  assert.equal(u.status, 2);
  assert.match(u.stderr, /unknown option --levle/);
});

test("unmask render --detect writes the PNG and reports the face as JSON", async () => {
  const dir = tempDir();
  const out = path.join(dir, "face.png");
  const r = cli(["render", CT_DIR, "-o", out, "--detect", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout);
  assert.equal(res.triangles > 400000, true);
  assert.equal(res.faces.length, 1);
  assert.ok(res.faces[0].score >= 0.5);
  const img = await readImage(out);
  assert.deepEqual([img.width, img.height], [512, 512]);
  assert.deepEqual(fs.readdirSync(dir), ["face.png"], "no temp files left behind");
  fs.rmSync(dir, { recursive: true });
});
