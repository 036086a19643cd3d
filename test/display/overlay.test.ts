import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { show, type RgbaImage } from "unmask";
import { drawOverlays, type DisplayOutput } from "unmask/display";
import { inNotebook, setDisplaySink } from "unmask/display";
import { decodeImage } from "unmask/image";
import { artifact, tempDir } from "../helpers/paths";

function blank(w: number, h: number, v = 0): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let n = 0; n < w * h; n++) data.set([v, v, v, 255], 4 * n);
  return { width: w, height: h, data };
}
const px = (img: RgbaImage, x: number, y: number) => Array.from(img.data.slice(4 * (x + img.width * y), 4 * (x + img.width * y) + 4));
const isRed = (p: number[]) => p[0] > 200 && p[1] < 80 && p[2] < 80;

test("drawOverlays draws a box's outline on its edges, not inside or outside", () => {
  const img = blank(100, 80);
  const out = drawOverlays(img, { boxes: [{ x: 20, y: 10, width: 30, height: 40, color: "#ff0000" }], lineWidth: 2 });
  assert.equal(out.width, 100);
  assert.equal(out.height, 80);
  // Edges: left column x=20..21, top row y=10..11, right x=48..49, bottom y=48..49.
  for (const [x, y] of [[20, 30], [21, 30], [35, 10], [35, 11], [49, 30], [48, 30], [35, 49], [35, 48]]) {
    assert.ok(isRed(px(out, x, y)), `expected red at (${x},${y}), got ${px(out, x, y)}`);
  }
  for (const [x, y] of [[35, 30], [19, 30], [50, 30], [35, 9], [35, 50], [5, 5]]) {
    assert.deepEqual(px(out, x, y), [0, 0, 0, 255], `expected untouched at (${x},${y})`);
  }
  // The input is not modified.
  assert.ok(img.data.every((v, i) => (i % 4 === 3 ? v === 255 : v === 0)));
});

test("drawOverlays draws landmarks and lines where they are", () => {
  const out = drawOverlays(blank(60, 60), {
    landmarks: [[10, 50]],
    landmarkColor: "#00ff00",
    lines: [{ a: [0, 30], b: [59, 30], color: "#0000ff" }],
  });
  const lm = px(out, 10, 50);
  assert.ok(lm[1] > 200 && lm[0] < 80, `landmark pixel ${lm}`);
  let blue = 0;
  for (let x = 0; x < 60; x++) if (px(out, x, 30)[2] > 150 || px(out, x, 29)[2] > 150) blue++;
  assert.ok(blue >= 58, `line covers ${blue} of 60 columns`);
  assert.deepEqual(px(out, 30, 10), [0, 0, 0, 255]);
});

test("show.image returns PNG bytes, scales overlays with the image, saves atomically, and is silent outside a notebook", async () => {
  assert.equal(inNotebook(), false);
  const dir = tempDir();
  try {
    const file = path.join(dir, "sub", "boxed.png");
    const png = show.image(blank(50, 40, 128), { boxes: [{ x: 10, y: 10, width: 20, height: 10, color: "#ff0000", label: "face" }], scale: 2, save: file });
    assert.deepEqual(Array.from(png.subarray(1, 4)), [0x50, 0x4e, 0x47]); // "PNG"
    assert.deepEqual(fs.readFileSync(file), png);
    const dec = await decodeImage(png);
    assert.equal(dec.width, 100);
    assert.equal(dec.height, 80);
    // Box left edge at x = 10·2 = 20 in the scaled image, mid-height of the box (y = 15·2 = 30).
    assert.ok(isRed(px(dec, 20, 30)), `scaled box edge ${px(dec, 20, 30)}`);
    assert.deepEqual(px(dec, 40, 30).slice(0, 3), [128, 128, 128]);
    fs.writeFileSync(artifact("display-image-overlay.png"), png);
    // PNG bytes in, title band added on top.
    const titled = await decodeImage(show.image(png, { title: "a title" }));
    assert.equal(titled.width, 100);
    assert.ok(titled.height > 80);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("outputs go to a display sink when one is set", () => {
  const got: DisplayOutput[] = [];
  setDisplaySink((o) => got.push(o));
  try {
    show.image(blank(4, 4));
    show.markdown("# hello");
    show.image(blank(4, 4), { quiet: true });
  } finally {
    setDisplaySink(null);
  }
  assert.deepEqual(got.map((o) => o.mime), ["image/png", "text/markdown"]);
  assert.equal(got[1].data, "# hello");
});

test("bad images are typed errors", () => {
  assert.throws(() => show.image({ width: 2, height: 2, data: new Uint8ClampedArray(3) }, { quiet: true }), { code: "INVALID_ARGUMENT" });
  assert.throws(() => show.image(new Uint8Array([1, 2, 3, 4]), { quiet: true }), { code: "IMAGE_DECODE" });
});

test("gridImage lays images out in columns, scaled to the cell width, captioned", async () => {
  const { gridImage } = await import("unmask/display");
  const solid = (r: number, g: number, b: number): RgbaImage => {
    const img = blank(100, 50);
    for (let n = 0; n < 100 * 50; n++) img.data.set([r, g, b, 255], 4 * n);
    return img;
  };
  const sheet = gridImage([{ image: solid(255, 0, 0), label: "red" }, { image: solid(0, 0, 255), label: "blue" }, { image: solid(0, 255, 0) }], { columns: 2, cellWidth: 50 });
  assert.equal(sheet.width, 2 * 50 + 3 * 6);
  // Row 1: red then blue (25 px tall after scaling), row 2: green.
  assert.deepEqual(px(sheet, 6 + 25, 6 + 12).slice(0, 3), [255, 0, 0]);
  assert.deepEqual(px(sheet, 6 + 50 + 6 + 25, 6 + 12).slice(0, 3), [0, 0, 255]);
  const row2 = 6 + 25 + 20 + 6;
  assert.deepEqual(px(sheet, 6 + 25, row2 + 12).slice(0, 3), [0, 255, 0]);
  // Captions are dark text on the white sheet under the first row.
  let dark = 0;
  for (let x = 6; x < 56; x++) for (let y = 6 + 25; y < 6 + 25 + 20; y++) if (px(sheet, x, y)[0] < 100) dark++;
  assert.ok(dark > 10, `caption drawn (${dark} dark pixels)`);
});

test("grey and float images are shown grey: 8-bit as is, floats stretched min–max, non-finite black", async () => {
  const gray = { width: 3, height: 1, data: Uint8Array.from([0, 128, 255]) };
  const g = await decodeImage(show.image(gray, { quiet: true }));
  assert.deepEqual([px(g, 0, 0)[0], px(g, 1, 0)[0], px(g, 2, 0)[0]], [0, 128, 255]);
  const depth = { width: 4, height: 1, data: Float32Array.from([10, 20, 30, Infinity]) };
  const d = await decodeImage(show.image(depth, { quiet: true }));
  assert.deepEqual([0, 1, 2, 3].map((x) => px(d, x, 0)[0]), [0, 128, 255, 0]);
});
