import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { readImage } from "unmask";
import { CT_DIR, tempDir } from "../helpers/paths";
import { cli } from "../helpers/cli";

test("unmask info lists the series as a table and as JSON without identifiers", async () => {
  const t = await cli(["info", CT_DIR]);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /CT\s+CT head \(InVesalius Cranium example\)\s+108\s+256×256×108\s+0\.957×0\.957×1\.5 mm\s+LPS/);
  const j = await cli(["info", CT_DIR, "--json"]);
  const listing = JSON.parse(j.stdout);
  assert.equal(listing.series.length, 1);
  assert.equal(listing.series[0].fileCount, 108);
  assert.equal(listing.series[0].files, undefined);
  assert.ok(!/PatientName|PatientID|BirthDate/i.test(j.stdout));
});

test("unmask errors: wrong path and missing option give a code and a non-zero exit", async () => {
  const r = await cli(["info", "/no/such/folder"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^NOT_FOUND: DICOM folder or file not found: \/no\/such\/folder/);
  const m = await cli(["render", CT_DIR]);
  assert.equal(m.code, 2);
  assert.match(m.stderr, /INVALID_ARGUMENT: unmask render: -o FILE\.png is required/);
  const u = await cli(["render", CT_DIR, "-o", "x.png", "--levle", "3"]);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /unknown option --levle/);
});

test("unmask render --detect writes the PNG and reports the face as JSON", async () => {
  const dir = tempDir();
  const out = path.join(dir, "face.png");
  const r = await cli(["render", CT_DIR, "-o", out, "--detect", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout);
  assert.equal(res.triangles > 400000, true);
  assert.equal(res.faces.length, 1);
  assert.ok(res.faces[0].score >= 0.5);
  // The same fused verdict as `unmask detect DIR`.
  assert.equal(res.presence.present, "yes");
  assert.ok(res.presence.evidence.length >= 3 && res.presence.score > 0.5);
  const img = await readImage(out);
  assert.deepEqual([img.width, img.height], [512, 512]);
  assert.deepEqual(fs.readdirSync(dir), ["face.png"], "no temp files left behind");
  fs.rmSync(dir, { recursive: true });
});
