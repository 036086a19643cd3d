import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Queue } from "bullmq";
import type { AuditReport, ItemAudit } from "unmask/audit";
import { CLI } from "../helpers/cli";
import { tempDir } from "../helpers/paths";
import { auditTree } from "./tree";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** redis-server on 127.0.0.1 and a free port, no persistence; stopped by the caller. */
async function startRedis(): Promise<{ url: string; proc: ChildProcess; port: number }> {
  const port = await freePort();
  const dir = tempDir("unmask-redis-");
  const proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  await waitFor("redis-server", () => new Promise<boolean | undefined>((resolve) => {
    const c = net.connect(port, "127.0.0.1", () => { c.end(); resolve(true); });
    c.on("error", () => resolve(undefined));
  }), 15_000);
  return { url: `redis://127.0.0.1:${port}`, proc, port };
}

function worker(url: string): ChildProcess {
  // A short stalled check so a killed worker's job comes back within seconds; the lock stays long enough
  // for a busy 2-core machine, where one synchronous step (load, isosurface) can hold the event loop.
  const p = spawn(process.execPath, [CLI, "worker", "--queue", url, "--lock-ms", "15000", "--stalled-ms", "1000"], { stdio: ["ignore", "pipe", "pipe"] });
  p.stdout!.resume();
  p.stderr!.resume();
  return p;
}

test("audit on a BullMQ queue: two workers; one killed with SIGKILL mid-job loses nothing, every series reported once", async () => {
  const tree = await auditTree();
  const src = tempDir();
  for (const n of ["ct-cranium", "ct-planecut", "mri-t1-head", "mri-planecut"]) fs.cpSync(path.join(tree, n), path.join(src, n), { recursive: true });
  const redis = await startRedis();
  const workers = [worker(redis.url), worker(redis.url)];
  const queue = new Queue("unmask-audit", { connection: { host: "127.0.0.1", port: redis.port, maxRetriesPerRequest: null } });
  try {
    const out = path.join(tempDir(), "report");
    const audit = spawn(process.execPath, [CLI, "audit", src, "-o", out, "--queue", redis.url, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    audit.stdout!.on("data", (d) => (stdout += d));
    audit.stderr!.on("data", (d) => (stderr += d));
    const finished = new Promise<number>((resolve) => audit.on("exit", (c) => resolve(c ?? -1)));
    // Kill the first worker while it holds an active job.
    const victim = workers[0];
    const victimName = `${os.hostname()}:${victim.pid}`;
    const killedJob = await waitFor("an active job on the first worker", async () => {
      const active = await queue.getActive();
      return active.find((j) => j.processedBy === victimName);
    });
    victim.kill("SIGKILL");
    const code = await finished;
    assert.equal(code, 0, stderr);
    assert.equal(JSON.parse(stdout).summary.items, 4);
    const report = JSON.parse(fs.readFileSync(path.join(out, "report.json"), "utf8")) as AuditReport;
    // Every series exactly once, with its expected verdict.
    assert.deepEqual(report.items.map((i) => i.label.split(path.sep)[1].split(" ")[0]).sort(), ["ct-cranium", "ct-planecut", "mri-planecut", "mri-t1-head"]);
    assert.deepEqual(Object.fromEntries(report.items.map((i) => [i.label.split(path.sep)[1].split(" ")[0], i.verdict])),
      { "ct-cranium": "face", "ct-planecut": "removed", "mri-t1-head": "face", "mri-planecut": "removed" });
    // The killed job was retried: started at least twice, finished by the surviving worker.
    const job = await queue.getJob(killedJob.id!);
    assert.ok(job, "the killed job is still known to the queue");
    assert.ok(job.attemptsStarted >= 2, `attemptsStarted ${job.attemptsStarted}`);
    assert.equal(await job.getState(), "completed", job.failedReason);
    const result = JSON.parse(fs.readFileSync(path.join(out, "items", `${(job.data as { item: ItemAudit }).item.id}.json`), "utf8")) as ItemAudit;
    assert.equal(result.worker, `${os.hostname()}:${workers[1].pid}`);
    assert.ok((result.attempts ?? 0) >= 2);
  } finally {
    await queue.close();
    for (const w of workers) w.kill("SIGTERM");
    await Promise.all(workers.map((w) => (w.exitCode !== null || w.signalCode ? null : new Promise((r) => w.on("exit", r)))));
    redis.proc.kill("SIGTERM");
    await new Promise((r) => (redis.proc.exitCode !== null ? r(null) : redis.proc.on("exit", r)));
  }
});
