import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { readImage } from "unmask";
import { presenceVariants } from "unmask/face";
import { cli } from "../helpers/cli";
import { CT_DIR, MRI_DIR, tempDir } from "../helpers/paths";

test("unmask detect DIR --json: the fused verdict with score and evidence; -o writes a contact sheet of every variant", async () => {
  const dir = tempDir();
  const sheet = path.join(dir, "sheet.png");
  const r = await cli(["detect", CT_DIR, "--json", "-o", sheet]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.present, "yes");
  assert.ok(j.score > 0.5 && j.score <= 1);
  assert.equal(j.level.value, -300);
  assert.ok(Array.isArray(j.evidence) && j.evidence.length >= 3);
  for (const e of j.evidence) assert.ok(typeof e.detector === "string" && typeof e.variant === "string" && e.box && typeof e.score === "number");
  assert.ok(j.evidence.some((e: { position: number[] | null }) => Array.isArray(e.position) && e.position.length === 3));
  assert.equal(j.renders, undefined, "no image data in the JSON");
  const img = await readImage(sheet);
  // One cell per variant (200 px wide, up to 6 a row) plus a title: the sheet is wide and holds them all.
  const n = presenceVariants("default").length;
  assert.ok(img.width >= Math.min(6, n) * 200 && img.height >= Math.ceil(n / 6) * 200, `${img.width}×${img.height}`);
  assert.deepEqual(fs.readdirSync(dir), ["sheet.png"]);
  fs.rmSync(dir, { recursive: true });
});

test("unmask detect DIR (MRI, text): verdict, the Otsu level it used, one line per detection; bad options exit 2", async () => {
  const r = await cli(["detect", MRI_DIR]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /: face yes \(score /);
  assert.match(r.stdout, /level \d+(\.\d+)?: .*Otsu/);
  assert.match(r.stdout, /\* human\s+front\//);
  const bad = await cli(["detect", CT_DIR, "--variants", "most"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /INVALID_ARGUMENT: --variants must be "default" or "full"/);
  const mixed = await cli(["detect", CT_DIR, "--detector", "haar"]);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /for a folder use --detectors/);
});
