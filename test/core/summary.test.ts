import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { loadSeries, marchingCubes } from "unmask";
import { summarize, UnmaskError, FileNotFoundError } from "unmask/core";
import { createVolume } from "unmask/volume";
import { displayBundle } from "unmask/display";
import { CT_DIR } from "../helpers/paths";

test("a 10 M-voxel volume prints as one short line naming modality, shape, spacing, HU range and orientation", () => {
  const shape: [number, number, number] = [245, 245, 167];
  const data = new Float32Array(shape[0] * shape[1] * shape[2]).fill(-1024);
  data[12345] = 3071;
  data[777] = -1000;
  const vol = createVolume({ shape, data, spacing: [1, 1, 1], modality: "CT", units: "HU" });
  assert.ok(vol.data.length > 10_000_000);
  const s = inspect(vol);
  assert.ok(s.length < 300, `${s.length} chars: ${s}`);
  assert.match(s, /^Volume CT 245×245×167 @1\.00 mm, HU −1,024…3,071, LPS$/);
  // Still plain data: the summary is no enumerable key, JSON and structuredClone see only the fields.
  assert.deepEqual(Object.keys(vol), ["data", "shape", "spacing", "origin", "direction", "modality", "units"]);
  const small = createVolume({ shape: [2, 1, 1], data: new Float32Array([1, 2]), modality: "CT", units: "HU" });
  assert.equal(JSON.stringify(small), '{"data":{"0":1,"1":2},"shape":[2,1,1],"spacing":[1,1,1],"origin":[0,0,0],"direction":[1,0,0,0,1,0,0,0,1],"modality":"CT","units":"HU"}');
  const clone = structuredClone(small);
  assert.deepEqual(Array.from(clone.data), [1, 2]);
  assert.equal(inspect(clone).includes("Volume"), false, "a clone is plain data without the hook");
  assert.match(summarize(clone)!, /^Volume CT 2×1×1/);
});

test("a loaded series, its volume, its mesh and an error print as short summaries", async () => {
  const series = await loadSeries(CT_DIR);
  const s = inspect(series);
  console.log(`series summary (${s.length} chars):\n${s}`);
  assert.ok(s.length < 300, `${s.length} chars: ${s}`);
  const v = series.volume;
  // Names modality, slice count, shape, spacing, HU range and orientation of the real series.
  assert.match(s, /^LoadedSeries CT/);
  assert.ok(s.includes(`${series.slices.length} slices`));
  assert.ok(s.includes(`${v.shape[0]}×${v.shape[1]}×${v.shape[2]}`), s);
  assert.ok(s.includes(v.spacing[2].toFixed(2)), s);
  let lo = Infinity, hi = -Infinity;
  for (const x of v.data) (lo = Math.min(lo, x)), (hi = Math.max(hi, x));
  const fmt = (x: number) => (x < 0 ? "−" : "") + Math.abs(Math.round(x)).toLocaleString("en-US");
  assert.ok(s.includes(`HU ${fmt(lo)}…${fmt(hi)}`), `${s} (range ${lo}…${hi})`);
  assert.ok(s.includes(series.info.orientation), s);
  assert.ok(inspect(series, { depth: 10 }).length < 300);
  // The default print of the same data is enormous: this is what the summary replaces.
  assert.ok(inspect({ ...series }, { depth: 4, maxArrayLength: 100 }).length > 10_000);

  const mesh = await marchingCubes(v, { level: -300 });
  assert.match(inspect(mesh), new RegExp(`^Mesh ${(mesh.triangles.length / 3).toLocaleString("en-US")} triangles, [\\d,]+ vertices, \\d+×\\d+×\\d+ mm box$`));

  const err = new FileNotFoundError("/no/such/dir");
  assert.equal(inspect(err), "FileNotFoundError NOT_FOUND: file or folder not found: /no/such/dir");
  assert.ok(err instanceof UnmaskError);

  // display(value) bundles: a volume is a PNG of its slices plus its summary as text/plain.
  const b = displayBundle(v);
  assert.equal(b.mime, "image/png");
  assert.deepEqual(Object.keys(b.bundle!).sort(), ["text/markdown", "text/plain"]);
  assert.match(String(b.bundle!["text/plain"]), /^Volume CT/);
  const face = { box: { x: 10.2, y: 20, width: 50, height: 60 }, score: 0.93, detector: "human" };
  assert.equal(summarize(face), "Face (human) score 0.93 at 10,20 50×60 px");
});

test("outside a notebook, the first display says once on stderr that no notebook is attached", () => {
  const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
  const script = `const { show } = require("unmask"); show.markdown("# a"); show.markdown("# b"); show.table([{ a: 1 }]); console.log("done");`;
  const env = { ...process.env };
  delete env.UNMASK_QUIET_DISPLAY;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env, cwd: __dirname });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "done");
  const lines = r.stderr.split("\n").filter((l) => l.includes("no notebook attached"));
  assert.equal(lines.length, 1, r.stderr);
});

test("an image read from a file prints as its size", async () => {
  const { readImage } = await import("unmask");
  const { FACES_DIR } = await import("../helpers/paths");
  const im = await readImage(`${FACES_DIR}/obama-1.jpg`);
  assert.equal(inspect(im), `RgbaImage ${im.width}×${im.height}`);
});
