import * as os from "node:os";
import * as path from "node:path";
import { Queue, Worker, type Job } from "bullmq";
import { InvalidArgumentError } from "../core/errors";
import { writeFileAtomic } from "../core/fs";
import type { ProgressFn } from "../core/progress";
import { auditItem } from "./item";
import { etaLabel, itemResultPath, prepareOutDir, readResults, writeReport } from "./run";
import type { AuditItem, AuditReport } from "./types";
import { findAuditItems } from "./walk";

/** The BullMQ queue the audit uses. */
export const AUDIT_QUEUE = "unmask-audit";

/** One queued audit job: the item, where its outputs go and the skin level override (as auditItem's `level`). */
export interface AuditJob { item: AuditItem; outDir: string; level?: number }

/** BullMQ connection options from a redis://HOST:PORT[/DB] URL. */
export function redisConnection(url: string): { host: string; port: number; db: number; maxRetriesPerRequest: null } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidArgumentError(`--queue must be a redis://HOST:PORT URL, got "${url}"`);
  }
  if (u.protocol !== "redis:") throw new InvalidArgumentError(`--queue must be a redis://HOST:PORT URL, got "${url}"`);
  return { host: u.hostname || "127.0.0.1", port: Number(u.port || 6379), db: Number(u.pathname.slice(1) || 0), maxRetriesPerRequest: null };
}

/** Options of {@link enqueueAudit}. */
export interface QueueAuditOptions {
  queue: string;
  outDir: string;
  resume?: boolean;
  force?: boolean;
  level?: number;
  /** Attempts per job before it is reported failed (default 3). */
  attempts?: number;
  onProgress?: ProgressFn;
  /** Poll interval while waiting for the workers (ms, default 500). */
  pollMs?: number;
}

/**
 * The audit as jobs on a BullMQ queue: one job per series (job id = item id, so an item is queued
 * once), run by `unmask worker` processes on any number of hosts sharing `outDir`; waits for every
 * job, then writes the same report as a local run. Each item is reported exactly once, however often
 * its job was retried, because the report is built from one result file per item.
 */
export async function enqueueAudit(paths: string[], opts: QueueAuditOptions): Promise<AuditReport> {
  const outDir = path.resolve(opts.outDir);
  const inv = findAuditItems(paths);
  prepareOutDir(outDir, opts);
  const connection = redisConnection(opts.queue);
  const queue = new Queue<AuditJob>(AUDIT_QUEUE, { connection });
  try {
    const done = opts.resume ? readResults(outDir, inv) : new Map();
    const todo = inv.items.filter((it) => !done.has(it.id));
    const runTag = Date.now().toString(36);
    const jobs: Job<AuditJob>[] = [];
    for (const it of todo) {
      jobs.push(await queue.add("audit", { item: it, outDir, level: opts.level }, {
        jobId: `${it.id}-${runTag}`, attempts: opts.attempts ?? 3, backoff: { type: "fixed", delay: 1000 },
        removeOnComplete: false, removeOnFail: false,
      }));
    }
    const start = Date.now();
    const pending = new Set(jobs.map((j) => j.id!));
    const failed: string[] = [];
    while (pending.size) {
      for (const id of [...pending]) {
        const state = await queue.getJobState(id);
        if (state === "completed") pending.delete(id);
        if (state === "failed") { pending.delete(id); failed.push(id); }
      }
      opts.onProgress?.(jobs.length - pending.size, jobs.length, `queued audit ${etaLabel(jobs.length - pending.size, jobs.length, start)}`);
      if (pending.size) await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    }
    return writeReport(outDir, inv, { queue: opts.queue.replace(/\/\/[^@]*@/, "//"), resume: !!opts.resume, level: opts.level ?? null, skipped: done.size, failedJobs: failed });
  } finally {
    await queue.close();
  }
}

/** Options of {@link runQueueWorker}. */
export interface QueueWorkerOptions {
  queue: string;
  /** Jobs at a time in this process (default 1: one WebGL context per process). */
  concurrency?: number;
  /** How long a job's lock lasts without renewal (ms, default 30 s): a killed worker's job is retried after it. */
  lockDuration?: number;
  /** How often stalled jobs are looked for (ms, default 30 s). */
  stalledInterval?: number;
  /** Called when a job finishes. */
  onJob?: (item: AuditItem, verdict: string) => void;
}

/**
 * Run audit jobs from the queue until `close()` is called. Each job audits one item and writes its
 * result file (atomically) into the run's shared report folder, with the attempt count.
 */
export function runQueueWorker(opts: QueueWorkerOptions): { worker: Worker<AuditJob>; close: () => Promise<void> } {
  const name = `${os.hostname()}:${process.pid}`;
  const worker = new Worker<AuditJob>(AUDIT_QUEUE, async (job) => {
    const { item, outDir, level } = job.data;
    const r = await auditItem(item, { outDir, level });
    r.worker = name;
    r.attempts = job.attemptsStarted;
    writeFileAtomic(itemResultPath(outDir, item.id), JSON.stringify(r) + "\n");
    opts.onJob?.(item, r.verdict);
    return { id: item.id, verdict: r.verdict };
  }, {
    connection: redisConnection(opts.queue),
    concurrency: opts.concurrency ?? 1,
    lockDuration: opts.lockDuration ?? 30_000,
    stalledInterval: opts.stalledInterval ?? 30_000,
    maxStalledCount: 2,
    name,
  });
  return { worker, close: () => worker.close() };
}
