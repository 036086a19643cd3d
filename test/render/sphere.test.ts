import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { renderMesh, renderViews, createRenderer, writePng, type Vec3 } from "unmask";
import { InvalidArgumentError } from "unmask/core";
import { imageToPatient, projectToImage, sharedGlContext } from "unmask/render";
import { artifact } from "../helpers/paths";
import { coveredPixels, uvSphere } from "./meshes";

const R = 50;
const C: Vec3 = [12, -7, 30];
const sphere = uvSphere(R, C, 192, 96);

test("orthographic: the sphere's silhouette covers π r² pixels within 2 %", async () => {
  for (const light of ["headlight", "three-point", "flat"] as const) {
    const pixelSize = 0.3;
    const r = await renderMesh(sphere, { size: [480, 400], pixelSize, light });
    assert.equal(r.image.width, 480);
    assert.equal(r.image.height, 400);
    const expected = (Math.PI * R * R) / (pixelSize * pixelSize);
    const got = coveredPixels(r.image.data);
    assert.ok(Math.abs(got / expected - 1) < 0.02, `${light}: ${got} pixels, π r² = ${expected.toFixed(0)}`);
    // Centred: the centroid of covered pixels is the image centre.
    let sx = 0, sy = 0;
    for (let y = 0; y < 400; y++) for (let x = 0; x < 480; x++) if (r.image.data[4 * (x + 480 * y)] > 0) { sx += x + 0.5; sy += y + 0.5; }
    assert.ok(Math.abs(sx / got - 240) < 0.5 && Math.abs(sy / got - 200) < 0.5, `${light}: centroid ${sx / got}, ${sy / got}`);
    if (light === "headlight") await writePng(artifact("render-sphere-headlight.png"), r.image);
  }
});

test("perspective: silhouette radius f·r/√(D² − r²)", async () => {
  const r = await renderMesh(sphere, { projection: "perspective", fovY: 40, size: 400 });
  const cam = r.camera;
  const D = Math.hypot(cam.position[0] - C[0], cam.position[1] - C[1], cam.position[2] - C[2]);
  const f = 200 / Math.tan((40 * Math.PI) / 360);
  const rad = (f * R) / Math.sqrt(D * D - R * R);
  const got = coveredPixels(r.image.data);
  assert.ok(Math.abs(got / (Math.PI * rad * rad) - 1) < 0.02, `${got} pixels, expected ${(Math.PI * rad * rad).toFixed(0)}`);
});

test("depth map pixels map back onto the sphere surface (both projections)", async () => {
  for (const projection of ["orthographic", "perspective"] as const) {
    const r = await renderMesh(sphere, { size: 256, projection, maps: ["depth", "normal"], view: "oblique-left" });
    const camera = r.camera;
    assert.ok(r.depth && r.normal, "maps requested");
    const depth: Float32Array = r.depth;
    const normal = r.normal;
    let hits = 0, worst = 0;
    for (let y = 0; y < 256; y++) {
      for (let x = 0; x < 256; x++) {
        const d = depth[x + 256 * y];
        const covered = r.image.data[4 * (x + 256 * y)] > 0;
        assert.equal(Number.isFinite(d), covered, `${projection}: depth and image coverage disagree at ${x}, ${y}`);
        if (!covered) continue;
        const p = imageToPatient(camera, x + 0.5, y + 0.5, d);
        const err = Math.abs(Math.hypot(p[0] - C[0], p[1] - C[1], p[2] - C[2]) - R);
        if (err > worst) worst = err;
        hits++;
      }
    }
    assert.ok(hits > 10000, `${projection}: ${hits} covered pixels`);
    assert.ok(worst < 0.2, `${projection}: a depth-map point lies ${worst.toFixed(3)} mm off the sphere`);
    // The sphere's nearest point faces the camera: normal (0, 0, 1) → RGB (128, 128, 255).
    const near = C.map((v, i) => v - R * camera.direction[i]) as Vec3;
    const [nx, ny, nd] = projectToImage(camera, near);
    const q = Math.floor(nx) + 256 * Math.floor(ny);
    assert.ok(Math.abs(depth[q] - nd) < 0.2, `${projection}: depth ${depth[q]} at the nearest point, expected ${nd}`);
    if (projection === "orthographic") {
      assert.ok(Math.abs(normal.data[4 * q] - 128) <= 3 && Math.abs(normal.data[4 * q + 1] - 128) <= 3 && normal.data[4 * q + 2] >= 252, `normal ${normal.data.subarray(4 * q, 4 * q + 4)}`);
      // Right of centre the normal leans to image right (R > 128); above, towards up (G > 128).
      assert.ok(normal.data[4 * (q + 60)] > 180 && normal.data[4 * (q - 60 * 256) + 1] > 180);
      assert.equal(normal.data[3], 0, "background normal is transparent");
    }
  }
});

test("background, colour and transparency options", async () => {
  const r = await renderMesh(sphere, { size: 128, background: [10, 200, 30], color: "#e0b49b" });
  assert.deepEqual([...r.image.data.subarray(0, 4)], [10, 200, 30, 255]);
  const c = 4 * (64 + 128 * 64);
  const [red, green, blue] = r.image.data.subarray(c, c + 3);
  assert.ok(red > green && green > blue && red > 150, `skin-like centre pixel ${red},${green},${blue}`);
  const t = await renderMesh(sphere, { size: 128, background: "transparent" });
  assert.equal(t.image.data[3], 0);
  assert.equal(t.image.data[c + 3], 255);
  await assert.rejects(renderMesh(sphere, { background: "no-such-colour" }), InvalidArgumentError);
});

test("one upload, many views; release frees it", async () => {
  const results = await renderViews(sphere, ["front", "left", "top", "back"], { size: 96 });
  assert.deepEqual(results.map((r) => r.camera.view), ["front", "left", "top", "back"]);
  for (const r of results) assert.ok(coveredPixels(r.image.data) > 3000);
  const renderer = createRenderer(sphere);
  const a = await renderer.render("front", { size: 64 });
  const b = await renderer.render("front", { size: 64 });
  assert.deepEqual(a.image.data, b.image.data, "rendering is deterministic");
  renderer.release();
  await assert.rejects(renderer.render("front"), InvalidArgumentError);
});

test("triangle budget: decimated for rendering only, or all triangles with decimate: false", async () => {
  const warnings: string[] = [];
  const budget = 10000;
  const r = createRenderer(sphere, { maxTriangles: budget, onWarning: (w) => warnings.push(w) });
  const tri = sphere.triangles.length / 3;
  if (r.decimated) assert.ok(r.triangles <= budget * 1.05 && r.triangles > 0, `${r.triangles} triangles after decimation`);
  else assert.ok(warnings.some((w) => w.includes("maxTriangles")) && r.triangles === tri, "without a decimator: a warning and every triangle");
  const img = await r.render("front", { size: 128, pixelSize: 1 });
  assert.ok(Math.abs(coveredPixels(img.image.data) / (Math.PI * R * R) - 1) < 0.05);
  r.release();
  const full = createRenderer(sphere, { maxTriangles: budget, decimate: false });
  assert.equal(full.triangles, tri);
  assert.equal(full.decimated, false);
  full.release();
  assert.equal(sphere.triangles.length / 3, tri, "the input mesh is untouched");
});

test("broken meshes are typed errors", async () => {
  await assert.rejects(renderMesh({ positions: new Float32Array(0), triangles: new Uint32Array(0) }), InvalidArgumentError);
  await assert.rejects(renderMesh({ positions: new Float32Array(9), triangles: new Uint32Array([0, 1, 3]) }), InvalidArgumentError);
  await assert.rejects(renderMesh(sphere, { size: 0 }), InvalidArgumentError);
  await assert.rejects(renderMesh(sphere, { maps: ["curvature" as never] }), InvalidArgumentError);
  assert.ok(fs.existsSync(artifact("render-sphere-headlight.png")));
});

test("inside-out winding or both sides drawn: the same picture of a closed surface", async () => {
  const flipped = { positions: sphere.positions, triangles: sphere.triangles.slice() };
  for (let t = 0; t < flipped.triangles.length; t += 3) {
    const a = flipped.triangles[t + 1];
    flipped.triangles[t + 1] = flipped.triangles[t + 2];
    flipped.triangles[t + 2] = a;
  }
  const opts = { size: 160, light: "three-point", maps: ["depth"] } as const;
  const ref = await renderMesh(sphere, opts);
  for (const [name, r] of [
    ["inside-out", await renderMesh(flipped, opts)],
    ["double-sided", await renderMesh(sphere, { ...opts, cullBackFaces: false })],
  ] as const) {
    let worst = 0, worstDepth = 0;
    for (let q = 0; q < ref.image.data.length; q++) worst = Math.max(worst, Math.abs(ref.image.data[q] - r.image.data[q]));
    for (let q = 0; q < ref.depth!.length; q++) if (Number.isFinite(ref.depth![q])) worstDepth = Math.max(worstDepth, Math.abs(ref.depth![q] - r.depth![q]));
    assert.ok(worst <= 2, `${name}: max channel difference ${worst}`);
    assert.ok(worstDepth < 0.05, `${name}: the near side is drawn (depth differs by up to ${worstDepth.toFixed(3)} mm)`);
  }
});

test("supersample: antialiased edges, same area (alpha-weighted), maps at the output size", async () => {
  const pixelSize = 0.5;
  const r = await renderMesh(sphere, { size: 256, pixelSize, supersample: 3, background: "transparent", maps: ["depth"] });
  assert.equal(r.image.width, 256);
  let area = 0, partial = 0;
  for (let q = 3; q < r.image.data.length; q += 4) {
    area += r.image.data[q] / 255;
    if (r.image.data[q] > 0 && r.image.data[q] < 255) partial++;
  }
  const expected = (Math.PI * R * R) / (pixelSize * pixelSize);
  assert.ok(Math.abs(area / expected - 1) < 0.01, `alpha-weighted area ${area.toFixed(0)}, π r² = ${expected.toFixed(0)}`);
  // The rim (circumference 2π·100 px) is made of partially covered pixels.
  assert.ok(partial > 400, `${partial} partially covered pixels`);
  assert.equal(r.depth!.length, 256 * 256);
  await assert.rejects(renderMesh(sphere, { supersample: 5 }), InvalidArgumentError);
});

test("many views, one upload: vertex and index buffers are sent to the GPU once", async () => {
  // The process-wide context every renderer draws with, reached through its public accessor to count uploads.
  const { gl } = sharedGlContext();
  const original = gl.bufferData;
  const uploads: number[] = [];
  gl.bufferData = function (this: WebGLRenderingContext, ...args: unknown[]) {
    const data = args[1];
    uploads.push(ArrayBuffer.isView(data) ? data.byteLength : Number(data));
    return (original as (...a: unknown[]) => void).apply(this, args);
  } as typeof gl.bufferData;
  try {
    const renderer = createRenderer(sphere);
    await renderer.render("front", { size: 64 });
    const first = uploads.filter((b) => b >= sphere.triangles.byteLength / 2).length;
    for (const v of ["left", "top", "back", "oblique-right"] as const) await renderer.render(v, { size: 64, maps: ["depth", "normal"] });
    const later = uploads.filter((b) => b >= sphere.triangles.byteLength / 2).length - first;
    renderer.release();
    assert.equal(first, 3, `first render: ${first} large uploads (positions, normals, indices expected)`);
    assert.equal(later, 0, `${later} large uploads after the first render`);
  } finally {
    gl.bufferData = original;
  }
});
