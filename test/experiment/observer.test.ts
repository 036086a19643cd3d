import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { optionId, readObserverAnswers, resolveCohort } from "unmask/experiment";
import { DATA, FACES_DIR, tempDir, artifact } from "../helpers/paths";
import { cli } from "../helpers/cli";
import { SHARED_EXPERIMENT_CACHE } from "../helpers/experiment";

const COHORT = path.join(DATA, "cohort", "manifest.csv");
const ARGS = ["--probe", "altered", "--gallery", "reference", "--distractors", FACES_DIR, "--cache", SHARED_EXPERIMENT_CACHE];

test("the quiz page in chromium records a click and exports it as CSV; --observer puts the answer in the summary", async () => {
  const dir = tempDir();
  const userDir = tempDir("unmask-chromium-");
  let ctx: BrowserContext | undefined;
  try {
    const quiz = path.join(dir, "quiz.html");
    const q = await cli(["observer", COHORT, ...ARGS, "-o", quiz, "--json"]);
    assert.equal(q.code, 0, q.stderr);
    const info = JSON.parse(q.stdout);
    assert.equal(info.probes, 10);
    assert.equal(info.galleryImages, 6, "two subjects and four portraits (the cup has no face)");
    const html = fs.readFileSync(quiz, "utf8");
    assert.ok(!/ct-cranium|mri-t1-head|obama|biden|collins/.test(html), "the page does not name who is who");
    assert.ok(!/(src|href)="https?:/.test(html), "self-contained");

    ctx = await chromium.launchPersistentContext(userDir, {
      executablePath: "/usr/bin/chromium", headless: true, acceptDownloads: true, viewport: { width: 1200, height: 900 },
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const external: string[] = [];
    await ctx.route(/^(?!file:|data:|blob:)/, (route) => { external.push(route.request().url()); return route.abort(); });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto("file://" + quiz);
    assert.equal(await page.locator(".probe").count(), 10);
    assert.equal(await page.locator(".probe").first().locator(".choices button").count(), 6);
    // Every image decoded (inline JPEGs).
    const broken = await page.evaluate(() => Array.from(document.images).filter((i) => !i.complete || i.naturalWidth === 0).length);
    assert.equal(broken, 0);

    // The right answer for probe 1 (a CT probe) is the CT subject's gallery image; click it, and a wrong one for probe 2.
    const cohort = resolveCohort(COHORT, { probe: "altered", gallery: "reference" });
    const p1 = `row${cohort.probes[0].row!.row}`, p2 = `row${cohort.probes[1].row!.row}`;
    const right = optionId(cohort.probes[0].row!.subject);
    const wrong = optionId("distractor:obama-1.jpg");
    await page.locator(`button[data-probe="${p1}"][data-choice="${right}"]`).click();
    await page.locator(`button[data-probe="${p2}"][data-choice="${wrong}"]`).click();
    assert.match(await page.locator("#count").textContent() ?? "", /^2 of 10 answered/);
    assert.equal(await page.locator(`button.chosen`).count(), 2);
    // Kept across a reload (localStorage).
    await page.reload();
    assert.match(await page.locator("#count").textContent() ?? "", /^2 of 10 answered/);
    await page.screenshot({ path: artifact("observer-quiz.png") });

    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#export").click()]);
    assert.equal(download.suggestedFilename(), "answers.csv");
    const answers = path.join(dir, "answers.csv");
    await download.saveAs(answers);
    assert.deepEqual(readObserverAnswers(answers), [{ probe: p1, choice: right }, { probe: p2, choice: wrong }]);
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);

    // The experiment scores the answers: 1 right of 10 probes (unanswered probes are misses).
    const out = path.join(dir, "out");
    const r = await cli(["experiment", COHORT, ...ARGS, "--recognizer", "dlib", "--observer", answers, "--bootstrap", "200", "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    const rows = fs.readFileSync(path.join(out, "summary.csv"), "utf8").trim().split("\n").map((l) => l.split(","));
    const head = rows[0];
    const obs = rows.find((x) => x[0] === "observer");
    assert.ok(obs, "an observer row");
    assert.equal(obs[head.indexOf("probes")], "10");
    assert.equal(obs[head.indexOf("detected")], "2", "answered");
    assert.equal(obs[head.indexOf("rank1")], "0.1000");
    assert.ok(Number(obs[head.indexOf("rank1_high")]) > 0.1);
    assert.ok(rows.some((x) => x[0] === "dlib"));
    // An existing output folder is not overwritten without --force.
    const again = await cli(["experiment", COHORT, ...ARGS, "--recognizer", "dlib", "-o", out]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists; give --force/);
  } finally {
    await ctx?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(userDir, { recursive: true, force: true });
  }
});
