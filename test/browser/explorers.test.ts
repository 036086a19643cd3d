import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadSeries, marchingCubes, renderMesh, resample, type RgbaImage } from "unmask";
import { decodeImage } from "unmask/image";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { executeNotebook, writeCodeNotebook } from "../helpers/notebook";
import { ROOT, CT_DIR, FACES_DIR, artifact, tempDir } from "../helpers/paths";

const BG = [0x20, 0x24, 0x2c];
const LEVELS = [-500, -300, 100, 400];
const SETUP = `const { volume } = await loadSeries(${JSON.stringify(CT_DIR)});
const v2 = resample(volume, { spacing: [1.5, 1.5, 1.5] });
const levels = ${JSON.stringify(LEVELS)};
const surfaces = [];
for (const level of levels) surfaces.push({ level, mesh: await marchingCubes(v2, { level }) });`;

/** Foreground mask of a viewer screenshot (differs from the viewer background). */
function viewerMask(img: RgbaImage): Uint8Array {
  const m = new Uint8Array(img.width * img.height);
  for (let p = 0; p < m.length; p++) {
    const o = 4 * p;
    // The screenshot's outermost pixels blend with the page around the canvas.
    const x = p % img.width, y = Math.floor(p / img.width);
    if (x < 2 || y < 2 || x >= img.width - 2 || y >= img.height - 2) continue;
    m[p] = Math.abs(img.data[o] - BG[0]) + Math.abs(img.data[o + 1] - BG[1]) + Math.abs(img.data[o + 2] - BG[2]) > 30 ? 1 : 0;
  }
  return m;
}

/** The mask cropped to its bounding box and resampled (nearest) onto an n×n grid: framing-independent silhouette. */
function normalised(mask: Uint8Array, w: number, h: number, n = 160): Uint8Array {
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (mask[x + w * y]) (x0 = Math.min(x0, x)), (y0 = Math.min(y0, y)), (x1 = Math.max(x1, x)), (y1 = Math.max(y1, y));
  assert.ok(x1 > x0 && y1 > y0, "silhouette not empty");
  // Same scale on both axes (the aspect of the silhouette is part of what is compared).
  const side = Math.max(x1 - x0 + 1, y1 - y0 + 1);
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const out = new Uint8Array(n * n);
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const x = Math.floor(cx - side / 2 + ((i + 0.5) / n) * side);
      const y = Math.floor(cy - side / 2 + ((j + 0.5) / n) * side);
      out[i + n * j] = x >= 0 && y >= 0 && x < w && y < h ? mask[x + w * y] : 0;
    }
  return out;
}

function overlap(a: Uint8Array, b: Uint8Array): number {
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) (inter += a[i] & b[i]), (union += a[i] | b[i]);
  return inter / union;
}

async function shot(page: Page, selector: string, name: string): Promise<RgbaImage> {
  const png = await page.locator(selector).first().screenshot();
  fs.writeFileSync(artifact(name), png);
  return decodeImage(png, name);
}

function launch(userDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1100, height: 900 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
  });
}

test("explorers in an exported notebook work offline in chromium: threshold, comparer, slice scroller, match viewer; viewer script once", { timeout: 900_000 }, async () => {
  const work = path.join(ROOT, "out", "test-browser");
  const nbFile = path.join(work, "explorers-check.ipynb");
  writeCodeNotebook(nbFile, [
    `import { loadSeries, marchingCubes, resample, renderMesh, show, readImage } from "unmask";\n${SETUP}`,
    `const t = show.thresholds(surfaces, { title: "skin or mask?" });\nconsole.log("threshold", t.bytes, JSON.stringify(t.reduced));`,
    `show.mesh(surfaces[1].mesh, { maxTriangles: 40000, title: "second viewer" });`,
    `const ra = await renderMesh(surfaces[1].mesh, { size: 256 });\nconst rb = await renderMesh(surfaces[3].mesh, { size: 256 });\nconst c = show.compare(ra.image, rb.image, { labels: ["skin −300 HU", "bone 400 HU"] });\nconsole.log("compare", c.bytes);`,
    `const mask = { data: Uint8Array.from(volume.data, (v) => (v > 300 ? 1 : 0)), shape: volume.shape };\nconst s = show.sliceScroller(volume, { overlay: mask, title: "bone over 300 HU" });\nconsole.log("scroller", s.bytes);`,
    // Two simple, real image distances (grey 16×16 thumbnails: L1 and L2) stand in for recognizers.
    `const files = ["obama-1.jpg", "biden-1.jpg", "obama-2.jpg", "collins-1.png"].map((f) => ${JSON.stringify(FACES_DIR)} + "/" + f);
const ims = await Promise.all(files.map((f) => readImage(f)));
const tiny = (im) => { const out = []; for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) { const o = 4 * (Math.floor((x + 0.5) * im.width / 16) + im.width * Math.floor((y + 0.5) * im.height / 16)); out.push((im.data[o] + im.data[o + 1] + im.data[o + 2]) / 3); } return out; };
const vec = ims.map(tiny);
const dist = (p) => (a, b) => Math.pow(a.reduce((s, v, i) => s + Math.pow(Math.abs(v - b[i]), p), 0) / a.length, 1 / p) / 255;
const probes = [2, 3], gallery = [0, 1];
const distances = { "grey-L1": probes.map((p) => gallery.map((g) => dist(1)(vec[p], vec[g]))), "grey-L4": probes.map((p) => gallery.map((g) => dist(4)(vec[p], vec[g]))) };
const m = show.matches({ probes: [{ label: "obama-2", image: ims[2], identity: "obama" }, { label: "collins-1", image: ims[3] }], gallery: [{ label: "obama", image: ims[0] }, { label: "biden", image: ims[1] }], distances });
console.log("matches", m.bytes, JSON.stringify(distances));`,
  ]);
  const executed = executeNotebook(nbFile);
  assert.ok(!executed.outputs.some((o) => o.kind === "error"), executed.text);
  const sizes = Object.fromEntries([...executed.text.matchAll(/^(threshold|compare|scroller|matches) (\d+)/gm)].map((m) => [m[1], Number(m[2])]));
  console.log("explorer output bytes", JSON.stringify(sizes));
  for (const k of ["threshold", "compare", "scroller", "matches"]) assert.ok(sizes[k] > 1000 && sizes[k] <= 5_000_000, `${k}: ${sizes[k]} bytes`);
  const distances = JSON.parse(/^matches \d+ (.*)$/m.exec(executed.text)![1]) as Record<string, number[][]>;
  // The viewer bundle is in the notebook once, though two outputs use it.
  const raw = fs.readFileSync(executed.path, "utf8");
  assert.equal(raw.split("data-unmask-viewer-bundle").length - 1, 1, "viewer bundle embedded once");
  assert.ok(executed.html.filter((h) => h.includes("unmask-viewer")).length >= 2);

  const conv = spawnSync("/usr/bin/jupyter", ["nbconvert", "--to", "html", executed.path, "--output-dir", work, "--output", "explorers-check"], { encoding: "utf8", env: { ...process.env, JUPYTER_PATH: path.join(ROOT, "jupyter") } });
  assert.equal(conv.status, 0, conv.stderr);
  const htmlFile = path.join(work, "explorers-check.html");

  // Reference silhouettes: renderMesh of the same surfaces from the front.
  const { volume } = await loadSeries(CT_DIR);
  const v2 = resample(volume, { spacing: [1.5, 1.5, 1.5] });

  const userDir = tempDir("unmask-chromium-");
  let ctx: BrowserContext | undefined;
  const pageErrors: string[] = [];
  try {
    ctx = await launch(userDir);
    await ctx.route(/^(?!file:)/, (route) => route.abort());
    const page = await ctx.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto("file://" + htmlFile, { waitUntil: "load", timeout: 120_000 });
    await page.waitForSelector(".unmask-threshold[data-ready]", { timeout: 120_000 });
    await page.waitForFunction(() => document.querySelectorAll(".unmask-viewer[data-ready]").length === 2, undefined, { timeout: 60_000 });

    // Threshold explorer: each level's silhouette matches renderMesh at that level.
    const slider = page.locator(".unmask-threshold .unmask-level");
    await slider.scrollIntoViewIfNeeded();
    const masks: Uint8Array[] = [];
    // Skin-range levels: the silhouette is the head. At 400 HU (bone) the holder breaks into thin
    // slivers whose outline depends on decimation, so that level is measured and printed only.
    for (const i of [0, 1, 2, 3]) {
      await slider.fill(String(i));
      await page.waitForFunction((lvl) => (document.querySelector(".unmask-threshold") as HTMLElement).dataset.level === String(lvl), LEVELS[i]);
      // The caption text over the canvas is not part of the silhouette.
      await page.evaluate(() => document.querySelectorAll(".unmask-threshold .unmask-viewer-info").forEach((e) => ((e as HTMLElement).style.visibility = "hidden")));
      const img = await shot(page, ".unmask-threshold canvas", `explorer-threshold-${LEVELS[i]}.png`);
      const seen = normalised(viewerMask(img), img.width, img.height);
      const ref = await renderMesh(await marchingCubes(v2, { level: LEVELS[i] }), { view: "front", size: 512, background: "transparent" });
      const refMask = new Uint8Array(ref.image.width * ref.image.height).map((_, p) => (ref.image.data[4 * p + 3] > 0 ? 1 : 0));
      const o = overlap(seen, normalised(refMask, ref.image.width, ref.image.height));
      console.log(`threshold explorer at ${LEVELS[i]} HU vs renderMesh: foreground overlap ${o.toFixed(3)}`);
      if (LEVELS[i] < 300) assert.ok(o >= 0.9, `level ${LEVELS[i]}: overlap ${o.toFixed(3)}`);
      masks.push(seen);
    }
    assert.ok(overlap(masks[0], masks[3]) < 0.9, "skin and bone silhouettes differ: the slider switched the surface");

    // Comparer: the split slider moves which image is seen at a given column.
    const stage = page.locator(".unmask-compare .unmask-compare-stage");
    await stage.scrollIntoViewIfNeeded();
    const split = page.locator(".unmask-compare .unmask-split");
    await split.fill("1000");
    const allBefore = await shot(page, ".unmask-compare .unmask-compare-stage", "explorer-compare-before.png");
    await split.fill("0");
    const allAfter = await shot(page, ".unmask-compare .unmask-compare-stage", "explorer-compare-after.png");
    await split.fill("500");
    const half = await shot(page, ".unmask-compare .unmask-compare-stage", "explorer-compare-half.png");
    const col = (img: RgbaImage, x0: number, x1: number) => {
      let s = 0;
      for (let y = 0; y < img.height; y++) for (let x = x0; x < x1; x++) s += img.data[4 * (x + img.width * y)];
      return s;
    };
    const W = half.width;
    assert.notEqual(col(allBefore, 0, W), col(allAfter, 0, W), "before and after differ");
    assert.ok(Math.abs(col(half, 0, Math.floor(W * 0.45)) - col(allBefore, 0, Math.floor(W * 0.45))) < Math.abs(col(half, 0, Math.floor(W * 0.45)) - col(allAfter, 0, Math.floor(W * 0.45))), "left half shows before");
    assert.ok(Math.abs(col(half, Math.ceil(W * 0.55), W) - col(allAfter, Math.ceil(W * 0.55), W)) < Math.abs(col(half, Math.ceil(W * 0.55), W) - col(allBefore, Math.ceil(W * 0.55), W)), "right half shows after");

    // Slice scroller: moving the slice and the window preset redraws; the overlay tints bone red.
    await page.waitForSelector(".unmask-slices[data-ready]");
    const canvas = ".unmask-slices canvas";
    await page.locator(canvas).scrollIntoViewIfNeeded();
    const mid = await shot(page, canvas, "explorer-slices-mid.png");
    await page.locator(".unmask-slices .unmask-slice").fill("20");
    const low = await shot(page, canvas, "explorer-slices-20.png");
    await page.locator(".unmask-slices .unmask-window").selectOption("bone");
    const bone = await shot(page, canvas, "explorer-slices-20-bone.png");
    await page.locator(".unmask-slices .unmask-overlay").uncheck();
    const plain = await shot(page, canvas, "explorer-slices-20-bone-no-overlay.png");
    const diff = (a: RgbaImage, b: RgbaImage) => {
      let n = 0;
      for (let p = 0; p < a.width * a.height; p++) if (Math.abs(a.data[4 * p] - b.data[4 * p]) + Math.abs(a.data[4 * p + 1] - b.data[4 * p + 1]) > 30) n++;
      return n / (a.width * a.height);
    };
    assert.ok(diff(mid, low) > 0.02, `slice change redraws (${diff(mid, low)})`);
    assert.ok(diff(low, bone) > 0.02, `window preset redraws (${diff(low, bone)})`);
    let red = 0;
    for (let p = 0; p < bone.width * bone.height; p++) if (bone.data[4 * p] > bone.data[4 * p + 1] + 40) red++;
    assert.ok(red > 50 && diff(bone, plain) > 0.001, `overlay tints ${red} pixels`);

    // Match viewer: the ranking follows the chosen recognizer's distances.
    for (const rec of Object.keys(distances)) {
      await page.locator(".unmask-match .unmask-recognizer").selectOption(rec);
      const ranked = await page.locator(".unmask-match .unmask-match-row").evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.ranked));
      const expected = distances[rec].map((row) => [0, 1].sort((a, b) => row[a] - row[b]).map((g) => ["obama", "biden"][g]).join("|"));
      assert.deepEqual(ranked, expected, rec);
      assert.equal(await page.getAttribute(".unmask-match", "data-recognizer"), rec);
    }
    await page.locator(".unmask-match").screenshot({ path: artifact("explorer-matches.png") });
    assert.deepEqual(pageErrors.filter((m) => !/require|MathJax|define/i.test(m)), []);

    // Fallback: the same export with the bundle-carrying script removed (its output cleared):
    // the viewers load the copy the first visit left in localStorage.
    const stripped = fs.readFileSync(htmlFile, "utf8").replace(/<script type="text\/javascript" data-unmask-viewer-bundle="1">[\s\S]*?<\/script>/, "");
    assert.ok(!stripped.includes("data-unmask-viewer-bundle"));
    const strippedFile = path.join(work, "explorers-check-cleared.html");
    fs.writeFileSync(strippedFile, stripped);
    const page2 = await ctx.newPage();
    await page2.goto("file://" + strippedFile, { waitUntil: "load", timeout: 120_000 });
    await page2.waitForFunction(() => document.querySelectorAll(".unmask-viewer[data-ready]").length === 2, undefined, { timeout: 60_000 });
  } finally {
    await ctx?.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  }
});
