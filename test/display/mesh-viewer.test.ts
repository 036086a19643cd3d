import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { show, type Mesh } from "unmask";
import { meshViewerHtml, viewerPayload, decodeViewerPayload } from "unmask/display";
import { tempDir } from "../helpers/paths";

/** A UV sphere of radius r centred at c with about 2·n·m triangles. */
function sphere(r: number, c: [number, number, number], n: number, m: number): Mesh {
  const pos: number[] = [], tri: number[] = [];
  for (let j = 0; j <= m; j++)
    for (let i = 0; i <= n; i++) {
      const th = (Math.PI * j) / m, ph = (2 * Math.PI * i) / n;
      pos.push(c[0] + r * Math.sin(th) * Math.cos(ph), c[1] + r * Math.sin(th) * Math.sin(ph), c[2] + r * Math.cos(th));
    }
  for (let j = 0; j < m; j++)
    for (let i = 0; i < n; i++) {
      const a = j * (n + 1) + i, b = a + 1, cc = a + n + 1, d = cc + 1;
      if (j > 0) tri.push(a, cc, b);
      if (j < m - 1) tri.push(b, cc, d);
    }
  return { positions: Float32Array.from(pos), triangles: Uint32Array.from(tri) };
}

function dequantize(p: ReturnType<typeof viewerPayload>): Float32Array {
  return decodeViewerPayload(p).positions;
}

test("viewer payload keeps vertices within the uint16 quantisation step and the triangles intact", () => {
  const s = sphere(80, [10, -20, 300], 48, 24);
  const p = viewerPayload(s);
  assert.equal(p.triangleCount, s.triangles.length / 3);
  const deq = dequantize(p);
  // Unreferenced vertices are dropped: exactly the referenced ones remain.
  assert.equal(deq.length, 3 * new Set(s.triangles).size);
  const idx = decodeViewerPayload(p).triangles;
  assert.equal(idx.length, s.triangles.length);
  let worst = 0;
  for (let t = 0; t < s.triangles.length; t++) {
    const src = s.triangles[t], dst = idx[t];
    for (let a = 0; a < 3; a++) worst = Math.max(worst, Math.abs(deq[3 * dst + a] - s.positions[3 * src + a]));
  }
  assert.ok(worst <= 160 / 65535 + 1e-4, `worst quantisation error ${worst} mm`);
  // Packed: much smaller than the raw float32 + uint32 arrays.
  const raw = s.positions.byteLength + s.triangles.byteLength;
  const packed = (p.layers[0].positions.length + p.layers[0].triangles.length) * 0.75;
  assert.ok(packed < raw / 2, `packed ${packed} bytes vs raw ${raw}`);
});

test("meshes over the budget are decimated to it and stay on the surface", () => {
  const s = sphere(60, [0, 0, 0], 600, 400); // ~480 k triangles
  assert.ok(s.triangles.length / 3 > 400_000);
  const p = viewerPayload(s, { maxTriangles: 20_000 });
  assert.ok(p.triangleCount <= 20_000 && p.triangleCount > 4_000, `decimated to ${p.triangleCount}`);
  const d = dequantize(p);
  let worst = 0;
  for (let v = 0; v < d.length / 3; v++) {
    const r = Math.hypot(d[3 * v], d[3 * v + 1], d[3 * v + 2]);
    worst = Math.max(worst, Math.abs(r - 60));
  }
  assert.ok(worst < 3, `decimated vertices within ${worst.toFixed(2)} mm of the sphere`);
  assert.equal(p.sourceTriangleCount, s.triangles.length / 3);
});

test("meshViewerHtml is self-contained: the three.js viewer inline, no external script or CDN", () => {
  const s = sphere(50, [0, 0, 0], 32, 16);
  const html = meshViewerHtml(s, { title: "sphere <test>" });
  assert.match(html, /class="unmask-viewer"/);
  assert.match(html, /UnmaskViewer/);
  assert.match(html, /three\.js|WebGLRenderer|THREE/i);
  assert.ok(!/<script[^>]+src=/i.test(html), "no external <script src>");
  assert.ok(!/<link[^>]+href=/i.test(html), "no external stylesheet");
  assert.ok(!html.includes("sphere <test>"), "title is escaped inside the script");
  assert.ok(html.length < 700_000, `${html.length} chars`);
  const page = meshViewerHtml(s, { standalone: true });
  assert.match(page, /^<!DOCTYPE html>/);
  const dir = tempDir();
  try {
    const file = path.join(dir, "viewer.html");
    const r = show.mesh(s, { save: file, quiet: true });
    assert.equal(r.triangles, s.triangles.length / 3);
    assert.match(fs.readFileSync(file, "utf8"), /^<!DOCTYPE html>[\s\S]*UnmaskViewer/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.throws(() => meshViewerHtml({ positions: new Float32Array(3), triangles: Uint32Array.from([0, 1, 2]) }), { code: "INVALID_ARGUMENT" });
});

test("several layers share the triangle budget and keep their colour and opacity", () => {
  const big = sphere(60, [0, 0, 0], 300, 200); // ~120 k triangles
  const small = sphere(20, [0, 0, 100], 100, 100); // ~20 k triangles
  const p = viewerPayload([{ mesh: big, name: "skin", opacity: 0.4 }, { mesh: small, color: "#ffffff", name: "marker" }], { maxTriangles: 28_000 });
  assert.equal(p.layers.length, 2);
  assert.ok(p.triangleCount <= 28_000, `${p.triangleCount}`);
  assert.equal(p.sourceTriangleCount, big.triangles.length / 3 + small.triangles.length / 3);
  // Budget in proportion: the big sphere gets about 6/7 of it.
  assert.ok(p.layers[0].triangleCount > 3 * p.layers[1].triangleCount);
  assert.deepEqual([p.layers[0].opacity, p.layers[1].opacity, p.layers[1].color, p.layers[0].name], [0.4, 1, "#ffffff", "skin"]);
  const m = decodeViewerPayload(p, 1);
  let worst = 0;
  for (let v = 0; v < m.positions.length / 3; v++) worst = Math.max(worst, Math.abs(Math.hypot(m.positions[3 * v], m.positions[3 * v + 1], m.positions[3 * v + 2] - 100) - 20));
  assert.ok(worst < 2, `second layer stays on its sphere (${worst.toFixed(2)} mm)`);
  assert.throws(() => viewerPayload([{ mesh: small, opacity: 0 }]), { code: "INVALID_ARGUMENT" });
  assert.throws(() => viewerPayload([]), { code: "INVALID_ARGUMENT" });
});
