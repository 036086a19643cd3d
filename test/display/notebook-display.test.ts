import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { executeNotebook, writeCodeNotebook } from "../helpers/notebook";
import { ROOT, CT_DIR } from "../helpers/paths";

test("in a tslab notebook: values print as summaries, each display is one output with several MIME types, setup reports", { timeout: 600_000 }, () => {
  const file = path.join(ROOT, "out", "test-notebooks-src", "display-check.ipynb");
  writeCodeNotebook(file, [
    `import { notebookSetup, display, show, loadSeries, resample } from "unmask";\nconst setup = notebookSetup();`,
    `const series = await loadSeries(${JSON.stringify(CT_DIR)});\nseries`,
    `display(series.volume);`,
    `show.table([{ level: -300, triangles: 1 }, { level: 100, triangles: 2 }], { title: "levels" });`,
    `show.markdown("## a heading");`,
    `resample(series.volume, { spacing: [2, 2, 2] })`,
    `show.image({ width: 8, height: 8, data: new Uint8Array(64).map((_, i) => i * 4) }, { title: "ramp" });`,
    `console.log(setup.ok, setup.checks.length);`,
  ]);
  const nb = executeNotebook(file);
  assert.ok(!nb.outputs.some((o) => o.kind === "error" || o.kind === "stderr"), nb.outputs.filter((o) => o.kind === "error" || o.kind === "stderr").map((o) => o.data).join("\n"));
  const c = nb.cells;
  // Setup: one output, a table with versions and checks, HTML + Markdown + text.
  const setup = c[0].outputs;
  assert.equal(setup.length, 1);
  assert.deepEqual(setup[0].mimes!.sort(), ["text/html", "text/markdown", "text/plain"]);
  assert.match(String(setup[0].data), /unmask notebook setup/);
  assert.match(setup[0].plain!, /All set: models on disk, WebGL context open/);
  assert.match(setup[0].plain!, /WebGL \(headless-gl\) \| ok/);
  // The series as the cell's last value: one short line pair, not 100 KB of headers.
  const printed = c[1].outputs.map((o) => String(o.data)).join("");
  assert.match(printed, /^LoadedSeries CT .*108 slices/);
  assert.ok(printed.length < 300, `${printed.length} chars`);
  // display(volume): one output, PNG with text/plain and text/markdown.
  assert.equal(c[2].outputs.length, 1, "display() prints nothing besides its output");
  assert.equal(c[2].outputs[0].kind, "png");
  assert.deepEqual(c[2].outputs[0].mimes!.sort(), ["image/png", "text/markdown", "text/plain"]);
  assert.match(c[2].outputs[0].plain!, /^Volume CT 256×256×108/);
  // Table: HTML, Markdown and text in one output.
  assert.deepEqual(c[3].outputs[0].mimes!.sort(), ["text/html", "text/markdown", "text/plain"]);
  assert.match(c[3].outputs[0].plain!, /\| level \| triangles \|/);
  assert.deepEqual(c[4].outputs[0].mimes!.sort(), ["text/markdown", "text/plain"]);
  // A resampled volume (no hook of its own) still prints as its summary through the kernel hook.
  assert.match(c[5].outputs.map((o) => String(o.data)).join(""), /^Volume CT 1\d\d×1\d\d×\d+ @2\.00 mm, HU −1,0\d\d…/);
  assert.deepEqual(c[6].outputs[0].mimes!.sort(), ["image/png", "text/plain"]);
  assert.match(c[6].outputs[0].plain!, /ramp \(image \d+×\d+\)/);
  assert.match(String(c[7].outputs[0].data), /true 5/);
});
