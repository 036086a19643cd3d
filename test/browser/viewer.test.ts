import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type RgbaImage } from "unmask";
import { decodeImage } from "unmask/image";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { executeNotebook, writeCodeNotebook } from "../helpers/notebook";
import { ROOT, CT_DIR, artifact, tempDir } from "../helpers/paths";

// The viewer's default background (#20242c).
const BG = [0x20, 0x24, 0x2c];

/** A small notebook: the shipped head CT at −300 HU in the interactive viewer, and a plotly figure. */
function writeNotebook(file: string): void {
  const cells = [
    `import { loadSeries, marchingCubes, show } from "unmask"; import { histogram } from "unmask/volume"; import { histogramFigure } from "unmask/display";\nconst { volume } = await loadSeries(${JSON.stringify(CT_DIR)});\nconst head = await marchingCubes(volume, { level: -300 });\nconsole.log("triangles", head.triangles.length / 3);`,
    `show.mesh(head, { maxTriangles: 120000, title: "ct-cranium at −300 HU" });`,
    // Layers: the skull (bone at 300 HU) inside the see-through skin.
    `const bone = await marchingCubes(volume, { level: 300 });\nshow.mesh([{ mesh: bone, color: "#f4f1e8", name: "bone 300 HU" }, { mesh: head, color: "#e8c4a8", opacity: 0.35, name: "skin −300 HU" }], { maxTriangles: 150000 });`,
    `show.plot(histogramFigure(histogram(volume, { bins: 100, range: [-1100, 1900] }), { title: "HU histogram", logY: true }));`,
    // A second plot reuses the plotly bundle the first one put on the page.
    `show.plot({ data: [{ type: "scatter", mode: "lines", x: [1, 2, 3], y: [3, 1, 2] }], layout: { title: { text: "second plot" } } });`,
  ];
  writeCodeNotebook(file, cells);
}

/** Fraction of pixels that differ from the background colour by more than a little. */
function foreground(img: RgbaImage): number {
  let n = 0;
  for (let p = 0; p < img.width * img.height; p++) {
    const o = 4 * p;
    if (Math.abs(img.data[o] - BG[0]) + Math.abs(img.data[o + 1] - BG[1]) + Math.abs(img.data[o + 2] - BG[2]) > 30) n++;
  }
  return n / (img.width * img.height);
}

/** Fraction of pixels that changed between two same-size screenshots. */
function changed(a: RgbaImage, b: RgbaImage): number {
  assert.equal(a.width, b.width);
  assert.equal(a.height, b.height);
  let n = 0;
  for (let p = 0; p < a.width * a.height; p++) {
    const o = 4 * p;
    if (Math.abs(a.data[o] - b.data[o]) + Math.abs(a.data[o + 1] - b.data[o + 1]) + Math.abs(a.data[o + 2] - b.data[o + 2]) > 30) n++;
  }
  return n / (a.width * a.height);
}

async function canvasShot(page: Page, name: string): Promise<RgbaImage> {
  const png = await page.locator("canvas.unmask-viewer-canvas").first().screenshot();
  fs.writeFileSync(artifact(name), png);
  return decodeImage(png, name);
}

test("the exported notebook's mesh viewer draws the head in Debian's chromium, offline, and rotates on drag", { timeout: 600_000 }, async () => {
  const work = path.join(ROOT, "out", "test-browser");
  const nbFile = path.join(work, "viewer-check.ipynb");
  writeNotebook(nbFile);
  const executed = executeNotebook(nbFile);
  assert.ok(executed.html.some((h) => h.includes("unmask-viewer")), "viewer html in the notebook outputs");
  assert.match(executed.text, /triangles \d{5,}/);

  // Export to a static HTML page like a user would share it.
  const conv = spawnSync("/usr/bin/jupyter", ["nbconvert", "--to", "html", executed.path, "--output-dir", work, "--output", "viewer-check"], {
    encoding: "utf8",
    env: { ...process.env, JUPYTER_PATH: path.join(ROOT, "jupyter") },
  });
  assert.equal(conv.status, 0, conv.stderr);
  const htmlFile = path.join(work, "viewer-check.html");
  assert.ok(fs.statSync(htmlFile).size > 1_000_000);

  const userDir = tempDir("unmask-chromium-");
  let ctx: BrowserContext | undefined;
  const external: string[] = [];
  const pageErrors: string[] = [];
  try {
    ctx = await chromium.launchPersistentContext(userDir, {
      executablePath: "/usr/bin/chromium",
      headless: true,
      viewport: { width: 1100, height: 900 },
      args: [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
        // Software WebGL (SwiftShader): newer chromium only falls back to it when allowed explicitly.
        "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
      ],
    });
    // Offline: everything the page asks from the network is refused (the template's CDN links
    // for require.js / MathJax included); the viewer must not need any of it.
    await ctx.route(/^(?!file:)/, (route) => {
      external.push(route.request().url());
      return route.abort();
    });
    const page = await ctx.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto("file://" + htmlFile, { waitUntil: "load", timeout: 120_000 });
    await page.waitForSelector(".unmask-viewer[data-ready], .unmask-viewer[data-error]", { timeout: 120_000 });
    const err = await page.getAttribute(".unmask-viewer", "data-error");
    assert.equal(err, null, `viewer reported ${err}: ${await page.textContent(".unmask-viewer")}`);
    const viewer = page.locator(".unmask-viewer").first();
    await viewer.scrollIntoViewIfNeeded();

    const front = await canvasShot(page, "browser-viewer-front.png");
    const fgFront = foreground(front);
    assert.ok(fgFront > 0.1, `head covers ${(fgFront * 100).toFixed(1)} % of the canvas`);
    // The head is centred: the middle of the canvas is surface, not background.
    const mid = 4 * (Math.floor(front.width / 2) + front.width * Math.floor(front.height / 2));
    assert.ok(Math.abs(front.data[mid] - BG[0]) + Math.abs(front.data[mid + 1] - BG[1]) > 30, "centre pixel is the surface");

    // Drag to rotate: the picture changes, and the head is still there.
    const box = await page.locator("canvas.unmask-viewer-canvas").first().boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 180, box.y + box.height / 2 + 20, { steps: 12 });
    await page.mouse.up();
    const turned = await canvasShot(page, "browser-viewer-rotated.png");
    const diff = changed(front, turned);
    assert.ok(diff > 0.05, `rotation changed ${(diff * 100).toFixed(1)} % of the pixels`);
    assert.ok(foreground(turned) > 0.05);

    // Wheel to zoom in: the head covers more of the canvas.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -600);
    await page.waitForTimeout(300);
    const zoomed = await canvasShot(page, "browser-viewer-zoomed.png");
    assert.ok(foreground(zoomed) > foreground(turned) + 0.05, `zoom: ${foreground(turned).toFixed(3)} → ${foreground(zoomed).toFixed(3)}`);

    // Double-click goes back to the initial front view.
    await page.mouse.dblclick(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForTimeout(200);
    const reset = await canvasShot(page, "browser-viewer-reset.png");
    assert.ok(changed(front, reset) < 0.01, `after reset ${(changed(front, reset) * 100).toFixed(2)} % of the pixels differ from the first view`);

    // The layered viewer (skull under see-through skin) draws as well.
    await page.waitForFunction(() => document.querySelectorAll(".unmask-viewer[data-ready]").length === 2, undefined, { timeout: 60_000 });
    const layered = page.locator("canvas.unmask-viewer-canvas").nth(1);
    await layered.scrollIntoViewIfNeeded();
    const layeredPng = await layered.screenshot();
    fs.writeFileSync(artifact("browser-viewer-layers.png"), layeredPng);
    const layeredImg = await decodeImage(layeredPng, "layers");
    assert.ok(foreground(layeredImg) > 0.1, `layered viewer covers ${(foreground(layeredImg) * 100).toFixed(1)} %`);
    assert.ok(changed(front, layeredImg) > 0.05, "the layered picture differs from the skin alone");

    // The plotly figures drew too (bundle embedded once in the page, no CDN).
    const plotHtmls = executed.html.filter((h) => h.includes("unmask-plot"));
    assert.equal(plotHtmls.length, 2);
    assert.ok(plotHtmls[0].length > 3_000_000 && plotHtmls[1].length < 10_000, "bundle only in the first plot output");
    await page.waitForFunction(() => document.querySelectorAll(".unmask-plot .main-svg").length >= 2, undefined, { timeout: 30_000 });
    assert.ok((await page.locator(".unmask-plot").first().locator(".bars path").count()) > 10, "histogram bars drawn");
    assert.equal(await page.locator(".unmask-plot").nth(1).locator(".scatterlayer .js-line").count(), 1, "second plot's line drawn");
    assert.deepEqual(pageErrors.filter((m) => !/require|MathJax|define/i.test(m)), []);
  } finally {
    await ctx?.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  }
  // Whatever the export template linked to, nothing from the viewer went out.
  assert.ok(!external.some((u) => /three|plotly/i.test(u)), `external requests: ${external.join(", ")}`);
});
