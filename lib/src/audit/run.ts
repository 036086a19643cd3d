import { withSummary } from "../core/summary";
import * as crypto from "node:crypto";
import { fork, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { InvalidArgumentError, UnmaskError } from "../core/errors";
import { writeFileAtomic } from "../core/fs";
import type { ProgressFn } from "../core/progress";
import { packageFile } from "../face/tfjs";
import { HAAR_ALT2_CASCADE_PATH, HAAR_CASCADE_PATH } from "../face/haar";
import { recognizerModelPath, recognizers } from "../face/recognize";
import { auditItem } from "./item";
import { buildReport, reportHtml } from "./report";
import type { AuditItem, AuditReport, ItemAudit } from "./types";
import { findAuditItems, type AuditInventory } from "./walk";

/** Options of {@link runAudit}. */
export interface AuditOptions {
  /** Report folder (report.json, report.html, items/, thumbs/). */
  outDir: string;
  /** Continue an interrupted run in `outDir`: finished items are not redone. */
  resume?: boolean;
  /** Replace the results of an earlier run in a non-empty `outDir`. */
  force?: boolean;
  /** Worker processes (default: one per core, at most 2 here); 0 runs in this process. */
  workers?: number;
  /** Skin level override for every volume. */
  level?: number;
  /** (done, total, label) with an ETA in the label. */
  onProgress?: ProgressFn;
}

/** The package version, for the report's provenance. */
export function unmaskVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).version;
}

/**
 * sha256 of the model files a verdict depends on: human's BlazeFace + face mesh and both Haar cascades
 * (the default detector panel); with `recognizers`, every recognizer's model too (re-identification).
 */
export function modelHashes(options: { recognizers?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const hash = (f: string): string => crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex");
  const dir = path.join(path.dirname(path.dirname(packageFile("@vladmandic/human", "dist/human.node-wasm.js"))), "models");
  for (const name of ["blazeface", "facemesh"]) {
    for (const ext of [".json", ".bin"]) {
      const f = path.join(dir, name + ext);
      if (fs.existsSync(f)) out[`@vladmandic/human/models/${name}${ext}`] = hash(f);
    }
  }
  for (const f of [HAAR_CASCADE_PATH, HAAR_ALT2_CASCADE_PATH]) out[`unmask/assets/${path.basename(f)}`] = hash(f);
  if (options.recognizers) {
    for (const r of recognizers) {
      const p = recognizerModelPath(r.name);
      // A graph model is its .json topology and the .bin weights beside it.
      const files = fs.statSync(p).isDirectory() ? fs.readdirSync(p).filter((f) => f.startsWith("face_recognition")).map((f) => path.join(p, f)) : [p, p.replace(/\.json$/, ".bin")].filter((f) => fs.existsSync(f));
      for (const f of files) out[`${r.name}:${path.basename(f)}`] = hash(f);
    }
  }
  return out;
}

const ITEMS = "items";

/** Result file of one item in the report folder. */
export function itemResultPath(outDir: string, id: string): string {
  return path.join(outDir, ITEMS, `${id}.json`);
}

/** Prepare the report folder: refuse a non-empty one unless resuming or forced. */
export function prepareOutDir(outDir: string, opts: { resume?: boolean; force?: boolean }): void {
  if (fs.existsSync(outDir)) {
    if (!fs.statSync(outDir).isDirectory()) throw new InvalidArgumentError(`${outDir} exists and is not a folder`);
    const entries = fs.readdirSync(outDir);
    if (entries.length && !opts.resume && !opts.force) {
      throw new UnmaskError("OUTPUT_EXISTS", `${outDir} is not empty: use --resume to continue that audit or --force to replace it`, outDir);
    }
    if (opts.force && !opts.resume) {
      for (const e of ["report.json", "report.html", ITEMS, "thumbs"]) fs.rmSync(path.join(outDir, e), { recursive: true, force: true });
    }
  }
  fs.mkdirSync(path.join(outDir, ITEMS), { recursive: true });
}

/** Results already in the report folder (a resumed run skips these items). */
export function readResults(outDir: string, inv: AuditInventory): Map<string, ItemAudit> {
  const out = new Map<string, ItemAudit>();
  for (const it of inv.items) {
    const f = itemResultPath(outDir, it.id);
    if (!fs.existsSync(f)) continue;
    try {
      out.set(it.id, JSON.parse(fs.readFileSync(f, "utf8")) as ItemAudit);
    } catch {
      // A result file is written atomically; one that does not parse is redone.
    }
  }
  return out;
}

/** Write report.json and report.html atomically from the results in the folder. */
export function writeReport(outDir: string, inv: AuditInventory, options: Record<string, unknown>): AuditReport {
  const report = buildReport(inv, readResults(outDir, inv), { version: unmaskVersion(), options, models: modelHashes() });
  writeFileAtomic(path.join(outDir, "report.json"), JSON.stringify(report, null, 2) + "\n");
  writeFileAtomic(path.join(outDir, "report.html"), reportHtml(report, outDir));
  return report;
}

/** "12/40 · ETA 1 min 20 s" from the pace so far. */
export function etaLabel(done: number, total: number, startMs: number): string {
  if (!done) return `${done}/${total}`;
  const left = ((Date.now() - startMs) / done) * (total - done) / 1000;
  const eta = left >= 60 ? `${Math.floor(left / 60)} min ${Math.round(left % 60)} s` : `${Math.round(left)} s`;
  return `${done}/${total} · ETA ${eta}`;
}

/**
 * Audit folder trees and NIfTI files: one result per series under `outDir/items/`, then report.json
 * and report.html. Items run on a pool of worker processes (the native WebGL and canvas modules load
 * once per process); `resume` skips items already done.
 */
export async function runAudit(paths: string[], opts: AuditOptions): Promise<AuditReport> {
  const outDir = path.resolve(opts.outDir);
  const inv = findAuditItems(paths);
  prepareOutDir(outDir, opts);
  const done = opts.resume ? readResults(outDir, inv) : new Map<string, ItemAudit>();
  const todo = inv.items.filter((it) => !done.has(it.id));
  const workers = Math.min(opts.workers ?? Math.min(2, os.cpus().length), todo.length);
  const start = Date.now();
  let finished = 0;
  const tick = (label: string) => opts.onProgress?.(finished, todo.length, `${label} ${etaLabel(finished, todo.length, start)}`);
  tick("audit");
  const run = { level: opts.level };
  if (workers <= 0) {
    for (const it of todo) {
      const r = await auditItem(it, { outDir, level: run.level });
      writeFileAtomic(itemResultPath(outDir, it.id), JSON.stringify(r) + "\n");
      finished++;
      tick(it.label);
    }
  } else {
    await runPool(todo, workers, outDir, run, (it) => { finished++; tick(it.label); });
  }
  return withSummary(writeReport(outDir, inv, { workers, resume: !!opts.resume, level: opts.level ?? null, skipped: done.size }));
}

/** Run items on `n` forked worker processes; each writes its result file, the parent counts. */
async function runPool(items: AuditItem[], n: number, outDir: string, run: { level?: number }, onDone: (it: AuditItem) => void): Promise<void> {
  const script = path.join(__dirname, "worker-process.js");
  const queue = [...items];
  const children: ChildProcess[] = [];
  await new Promise<void>((resolve, reject) => {
    let active = 0;
    let failed = false;
    const next = (child: ChildProcess) => {
      const it = queue.shift();
      if (!it) { child.send({ type: "exit" }); return; }
      active++;
      child.send({ type: "audit", item: it, outDir, level: run.level });
    };
    for (let w = 0; w < n; w++) {
      const child = fork(script, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      children.push(child);
      let current: AuditItem | undefined;
      child.on("message", (m: { type: string; id?: string; error?: string }) => {
        if (m.type === "started") current = items.find((i) => i.id === m.id);
        if (m.type === "done") {
          active--;
          if (current) onDone(current);
          current = undefined;
          next(child);
        }
        if (m.type === "failed") { failed = true; reject(new Error(`audit worker failed on ${current?.label}: ${m.error}`)); }
      });
      child.on("exit", (code) => {
        if (failed) return;
        if (code !== 0 && current) { failed = true; reject(new Error(`audit worker exited with code ${code} while auditing ${current.label}`)); return; }
        if (children.every((c) => c.exitCode !== null) && active === 0) resolve();
      });
      child.once("spawn", () => next(child));
    }
  }).finally(() => { for (const c of children) if (c.exitCode === null) c.kill(); });
}
