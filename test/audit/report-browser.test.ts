import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium } from "playwright-core";
import { cli } from "../helpers/cli";
import { artifact, tempDir } from "../helpers/paths";
import { auditTree } from "./tree";

test("report.html in Debian's chromium: rows, sorting, filtering, evidence one click away; screenshot kept", async () => {
  const tree = await auditTree();
  const src = tempDir();
  for (const n of ["ct-cranium", "ct-planecut", "rt", "screens", "broken"]) fs.cpSync(path.join(tree, n), path.join(src, n), { recursive: true });
  const out = path.join(tempDir(), "report");
  const r = await cli(["audit", src, "-o", out, "--workers", "0"]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(fs.readFileSync(path.join(out, "report.json"), "utf8"));
  const ctx = await chromium.launchPersistentContext(tempDir("unmask-chromium-"), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await ctx.newPage();
    const requests: string[] = [];
    page.on("request", (q) => { if (!q.url().startsWith("file:") && !q.url().startsWith("data:")) requests.push(q.url()); });
    await page.goto("file://" + path.join(out, "report.html"));
    const rows = page.locator("#items tbody tr");
    assert.equal(await rows.count(), report.items.length);
    assert.equal(await page.locator("#broken tbody tr").count(), report.brokenFiles.length);
    assert.equal(Number(await page.locator("#count-face").textContent()), report.summary.face);
    // Thumbnails are embedded and decode in the browser.
    const widths = await page.locator("#items img").evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
    assert.ok(widths.length >= 3 && widths.every((w) => w > 0), `thumbnail widths ${widths}`);
    // Sort by face score (descending after two clicks): the CT with its face first.
    const scoreHeader = page.locator("#items th", { hasText: "face score" });
    await scoreHeader.click();
    await scoreHeader.click();
    assert.equal(await rows.first().getAttribute("data-verdict"), "face");
    await scoreHeader.click();
    assert.notEqual(await rows.first().getAttribute("data-verdict"), "face");
    // Filter by verdict, then by text.
    await page.selectOption("#verdict", "removed");
    assert.equal(await page.locator("#items tbody tr:visible").count(), report.summary.removed);
    await page.selectOption("#verdict", "");
    await page.fill("#filter", "planecut");
    assert.equal(await page.locator("#items tbody tr:visible").count(), 1);
    await page.fill("#filter", "");
    // Evidence one click away.
    const first = page.locator("#items tbody tr", { hasText: "ct-cranium" }).locator("details");
    await first.locator("summary").click();
    assert.match((await first.textContent()) ?? "", /human/);
    await page.screenshot({ path: artifact("audit-report.png"), fullPage: true });
    assert.deepEqual(requests, [], "the page makes no network request");
  } finally {
    await ctx.close();
  }
});
