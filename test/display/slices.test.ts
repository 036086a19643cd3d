import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { show, type RgbaImage, type Volume } from "unmask";
import { type Direction } from "unmask/volume";
import { slicesImage, slicePanel } from "unmask/display";
import { artifact } from "../helpers/paths";

// A 40×30×20 volume (i = L, j = P, k = S), spacing 1×1×2 mm, at −1000 HU with a 1000 HU marker
// block in the patient's left, anterior, superior part.
const N: [number, number, number] = [40, 30, 20];
const MARK = { i: [30, 34], j: [4, 8], k: [14, 17] };
function phantom(): Volume {
  const data = new Float32Array(N[0] * N[1] * N[2]).fill(-1000);
  for (let k = MARK.k[0]; k <= MARK.k[1]; k++)
    for (let j = MARK.j[0]; j <= MARK.j[1]; j++)
      for (let i = MARK.i[0]; i <= MARK.i[1]; i++) data[i + N[0] * (j + N[1] * k)] = 1000;
  return { data, shape: [...N], spacing: [1, 1, 2], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], modality: "CT", units: "HU" };
}

/** The same patient stored with the i axis reversed (rows run right-to-left) and slices in reverse order. */
function flipped(v: Volume): Volume {
  const data = new Float32Array(v.data.length);
  for (let k = 0; k < N[2]; k++)
    for (let j = 0; j < N[1]; j++)
      for (let i = 0; i < N[0]; i++) data[N[0] - 1 - i + N[0] * (j + N[1] * (N[2] - 1 - k))] = v.data[i + N[0] * (j + N[1] * k)];
  const direction: Direction = [-1, 0, 0, 0, 1, 0, 0, 0, -1];
  return { ...v, data, origin: [N[0] - 1, 0, (N[2] - 1) * 2], direction };
}

/** Centroid of bright pixels as fractions of width and height. */
function brightCentroid(img: RgbaImage): [number, number] {
  let sx = 0, sy = 0, n = 0;
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++)
      if (img.data[4 * (x + img.width * y)] > 128) { sx += x; sy += y; n++; }
  assert.ok(n > 0, "marker not visible");
  return [sx / n / img.width, sy / n / img.height];
}

const at: [number, number, number] = [32, 6, 15];

test("axial: patient left on the right, anterior up; coronal and sagittal: superior up, anterior left", () => {
  const v = phantom();
  const ax = slicePanel(v, "axial", { index: at, window: "bone" });
  assert.equal(ax.voxelAxis, 2);
  assert.deepEqual(ax.edges, { left: "R", right: "L", top: "A", bottom: "P" });
  const [axx, axy] = brightCentroid(ax.image);
  assert.ok(Math.abs(axx - 32.5 / 40) < 0.03, `axial x ${axx}`);
  assert.ok(Math.abs(axy - 6.5 / 30) < 0.03, `axial y ${axy}`);

  const co = slicePanel(v, "coronal", { index: at, window: "bone" });
  assert.equal(co.voxelAxis, 1);
  assert.deepEqual(co.edges, { left: "R", right: "L", top: "S", bottom: "I" });
  const [cox, coy] = brightCentroid(co.image);
  assert.ok(Math.abs(cox - 32.5 / 40) < 0.03, `coronal x ${cox}`);
  assert.ok(Math.abs(coy - (1 - 16 / 20)) < 0.04, `coronal y ${coy} (superior is up)`);

  const sa = slicePanel(v, "sagittal", { index: at, window: "bone" });
  assert.equal(sa.voxelAxis, 0);
  assert.deepEqual(sa.edges, { left: "A", right: "P", top: "S", bottom: "I" });
  const [sax, say] = brightCentroid(sa.image);
  assert.ok(Math.abs(sax - 6.5 / 30) < 0.03, `sagittal x ${sax}`);
  assert.ok(Math.abs(say - (1 - 16 / 20)) < 0.04, `sagittal y ${say}`);
});

test("pixel aspect follows the spacing (square millimetres)", () => {
  const v = phantom();
  const co = slicePanel(v, "coronal", { panelSize: 200 });
  // Coronal: 40 mm wide (i) × 40 mm tall (20 slices × 2 mm).
  assert.equal(co.image.height, 200);
  assert.equal(co.image.width, 200);
  const ax = slicePanel(v, "axial", { panelSize: 150 });
  assert.equal(ax.image.width, 200); // 40 mm × 30 mm
});

test("a volume stored right-to-left with reversed slices shows the same picture", () => {
  const v = phantom();
  const f = flipped(v);
  const atF: [number, number, number] = [N[0] - 1 - at[0], at[1], N[2] - 1 - at[2]];
  for (const plane of ["axial", "coronal", "sagittal"] as const) {
    const a = slicePanel(v, plane, { index: at, window: "bone" }).image;
    const b = slicePanel(f, plane, { index: atF, window: "bone" }).image;
    assert.equal(a.width, b.width);
    let diff = 0;
    for (let n = 0; n < a.data.length; n++) diff = Math.max(diff, Math.abs(a.data[n] - b.data[n]));
    assert.ok(diff <= 1, `${plane}: max pixel difference ${diff}`);
  }
});

test("window presets map HU to grey and show.slices composes three labelled panels", () => {
  const v = phantom();
  const soft = slicePanel(v, "axial", { index: at, window: "soft-tissue" }).image;
  // −1000 HU is far below 40−200: black; 1000 HU far above 240: white.
  assert.equal(soft.data[0], 0);
  const r = show.slices(v, { index: at, window: { center: 0, width: 4000 }, save: artifact("display-slices-phantom.png") });
  assert.equal(r.panels.length, 3);
  assert.equal(r.window.width, 4000);
  const bg = slicePanel(v, "axial", { window: { center: 0, width: 4000 } }).image.data[0];
  assert.ok(Math.abs(bg - 255 * 0.25) <= 1, `−1000 HU in a 0/4000 window is a quarter grey, got ${bg}`);
  assert.ok(fs.existsSync(artifact("display-slices-phantom.png")));
  const img = slicesImage(v).image;
  assert.ok(img.width >= r.panels.reduce((s, p) => s + p.image.width, 0));
  assert.throws(() => slicePanel(v, "axial", { window: "nope" as "bone" }), { code: "INVALID_ARGUMENT" });
});

test("MR volumes get a percentile window", () => {
  const v = phantom();
  const mr: Volume = { ...v, units: "MR", modality: "MR" };
  const r = slicesImage(mr);
  assert.ok(r.window.width > 0);
});

test("the crosshair marks the index in each panel", () => {
  const v = phantom();
  const ax = slicePanel(v, "axial", { index: at, window: "bone", crosshair: true }).image;
  // Axial: screen x along i (left to right = R to L), screen y along j (A to P); pixel centres at (i+0.5)/n.
  const cx = Math.round(((at[0] + 0.5) / N[0]) * ax.width - 0.5), cy = Math.round(((at[1] + 0.5) / N[1]) * ax.height - 0.5);
  const red = (x: number, y: number) => ax.data[4 * (x + ax.width * y)] === 255 && ax.data[4 * (x + ax.width * y) + 1] === 40;
  assert.ok(red(cx, 3) && red(cx, ax.height - 3), "vertical line at i");
  assert.ok(red(3, cy) && red(ax.width - 3, cy), "horizontal line at j");
  assert.ok(!red(cx + 3, cy + 5));
});

test("a mask is tinted over the slices where it is set", () => {
  const v = phantom();
  const mask = new Uint8Array(v.data.length);
  // Mask the anterior half (j < 15) of every slice.
  for (let k = 0; k < N[2]; k++) for (let j = 0; j < 15; j++) for (let i = 0; i < N[0]; i++) mask[i + N[0] * (j + N[1] * k)] = 1;
  const ax = slicePanel(v, "axial", { index: at, window: "soft-tissue", mask: { data: mask }, maskColor: [255, 0, 0], maskOpacity: 0.5 }).image;
  const pix = (x: number, y: number) => Array.from(ax.data.slice(4 * (x + ax.width * y), 4 * (x + ax.width * y) + 3));
  // Top (anterior) rows tinted: black air + half red; bottom (posterior) rows plain black.
  assert.deepEqual(pix(2, 2), [128, 0, 0]);
  assert.deepEqual(pix(2, ax.height - 3), [0, 0, 0]);
  assert.throws(() => slicePanel(v, "axial", { mask: { data: new Uint8Array(5) } }), { code: "INVALID_ARGUMENT" });
});
