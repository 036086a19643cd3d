import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { show } from "unmask";
import { histogram } from "unmask/volume";
import { histogramFigure, plotHtml, renderTable, type DisplayOutput } from "unmask/display";
import { setDisplaySink } from "unmask/display";
import { tempDir } from "../helpers/paths";

test("show.table renders rows as HTML and Markdown with numbers formatted", () => {
  const t = show.table([{ name: "obama-1", distance: 0.4671234, match: true }, { name: "biden-1<b>", distance: 0.877, match: false }], { title: "pairs", quiet: true });
  assert.deepEqual(t.columns, ["name", "distance", "match"]);
  assert.match(t.html, /<th[^>]*>distance<\/th>/);
  assert.match(t.html, /<td[^>]*>0\.467<\/td>/);
  assert.match(t.html, /biden-1&lt;b&gt;/);
  assert.match(t.html, /<caption[^>]*>pairs<\/caption>/);
  assert.equal((t.html.match(/<tr>/g) ?? []).length, 3);
  const lines = t.markdown.trim().split("\n");
  assert.equal(lines[2], "| name | distance | match |");
  assert.equal(lines[3], "| --- | ---: | --- |");
  assert.equal(lines[4], "| obama-1 | 0.467 | true |");
  const cr = renderTable({ columns: ["a", "b"], rows: [[1, 2], [3, 4.5]] });
  assert.deepEqual(cr.cells, [["1", "2"], ["3", "4.5"]]);
  assert.throws(() => renderTable("x" as unknown as []), { code: "INVALID_ARGUMENT" });
});

test("show.plot embeds the figure data and the plotly bundle once per session", () => {
  const got: DisplayOutput[] = [];
  const fig = histogramFigure(histogram({ data: new Float32Array([1, 2, 2, 3, 3, 3]) }, { bins: 3 }), { title: "h" });
  assert.deepEqual(fig.data[0].y, [1, 2, 3]);
  const dir = tempDir();
  setDisplaySink((o) => got.push(o));
  try {
    const a = show.plot(fig, { save: path.join(dir, "plot.html") });
    const b = show.plot({ data: [{ type: "scatter", x: [7, 8], y: [9, 10] }] });
    assert.equal(got.length, 2);
    assert.equal(got[0].data, a.html);
    assert.match(a.html, /"y":\[1,2,3\]/);
    assert.match(a.html, /function\(define,module,exports\)/);
    assert.ok(a.html.length > 3_000_000, "first plot carries the plotly bundle");
    assert.ok(b.html.length < 10_000, "later plots reuse window.Plotly");
    assert.match(b.html, /"x":\[7,8\]/);
    const saved = fs.readFileSync(path.join(dir, "plot.html"), "utf8");
    assert.match(saved, /^<!DOCTYPE html>/);
    assert.ok(saved.includes("plotly.js v2.35.2") || saved.length > 3_000_000);
  } finally {
    setDisplaySink(null);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // Figure text cannot close the script element.
  const h = plotHtml({ data: [{ type: "bar", x: ["</script><b>"], y: [1] }] });
  assert.ok(!h.slice(0, h.lastIndexOf("</script>")).includes("</script><b>"));
});

test("heatmapFigure carries the matrix, labels and annotations", async () => {
  const { heatmapFigure } = await import("unmask/display");
  const fig = heatmapFigure([[0, 0.4671], [0.877, 0]], { x: ["obama-1", "biden-1"], y: ["obama-2", "x"], title: "distances" });
  const tr = fig.data[0] as { type: string; z: number[][]; x: string[]; text: string[][] };
  assert.equal(tr.type, "heatmap");
  assert.deepEqual(tr.z, [[0, 0.4671], [0.877, 0]]);
  assert.deepEqual(tr.x, ["obama-1", "biden-1"]);
  assert.deepEqual(tr.text, [["0.00", "0.47"], ["0.88", "0.00"]]);
  assert.match(plotHtml(fig), /"z":\[\[0,0\.4671\],\[0\.877,0\]\]/);
});

test("long tables are cut at maxRows with a note", () => {
  const rows = Array.from({ length: 30 }, (_v, i) => ({ i }));
  const t = renderTable(rows, { maxRows: 10 });
  assert.equal((t.html.match(/<tr>/g) ?? []).length, 11);
  assert.equal(t.omitted, 20);
  assert.match(t.html, /… 20 more rows not shown \(30 in all\)/);
  assert.match(t.markdown, /_… 20 more rows not shown \(30 in all\)_/);
  assert.equal(t.cells.length, 30);
});
