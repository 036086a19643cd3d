import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { CT_DIR, MRI_DIR, ROOT, artifact, tempDir } from "../helpers/paths";
import { buildCorpus, type Family, type FuzzCase } from "../helpers/fuzz";
import type { UnmaskOutcome } from "../helpers/fuzz-worker";

// ≥ 1,000 files damaged deterministically from the shipped slices, each loaded by unmask and read by
// pydicom (the outside reference, one Python process for the whole batch). Where pydicom yields pixels,
// unmask yields the same values or a typed error naming the file; where pydicom fails, unmask gives a
// typed error naming the file. Never a crash, an untyped exception, a hang (30 s watchdog per case),
// or a damaged slice reported as a missing slice.

const PER_FAMILY = 170;
const PER_SERIES_POSITION = 12;
const WATCHDOG_MS = 30_000;

interface PyOutcome { path: string; ok: boolean; sha1?: string | null; shape?: number[]; first?: number; error?: string }

function oracle(files: string[]): Map<string, PyOutcome> {
  const r = spawnSync("/usr/bin/python3", [path.join(ROOT, "test", "helpers", "pydicom_oracle.py")], { input: files.join("\n") + "\n", encoding: "utf8", maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `pydicom oracle failed: ${r.stderr}`);
  const out = new Map<string, PyOutcome>();
  for (const line of r.stdout.split("\n").filter(Boolean)) {
    const o = JSON.parse(line) as PyOutcome;
    out.set(o.path, o);
  }
  return out;
}

/** Run the cases in a worker; a case over the watchdog's limit terminates it and is reported. */
function runUnmask(cases: FuzzCase[]): Promise<{ outcomes: Map<number, UnmaskOutcome>; hung: FuzzCase | null }> {
  return new Promise((resolve, reject) => {
    const outcomes = new Map<number, UnmaskOutcome>();
    const worker = new Worker(path.join(__dirname, "..", "helpers", "fuzz-worker.js"), { workerData: { cases } });
    let current: { id: number; since: number } | null = null;
    const timer = setInterval(() => {
      if (current && performance.now() - current.since > WATCHDOG_MS) {
        clearInterval(timer);
        const hung = cases.find((c) => c.id === current!.id)!;
        void worker.terminate().then(() => resolve({ outcomes, hung }));
      }
    }, 250);
    worker.on("message", (m: { started?: number; done?: UnmaskOutcome; finished?: boolean }) => {
      if (m.started !== undefined) current = { id: m.started, since: performance.now() };
      if (m.done) outcomes.set(m.done.id, m.done);
      if (m.finished) {
        clearInterval(timer);
        void worker.terminate().then(() => resolve({ outcomes, hung: null }));
      }
    });
    worker.on("error", (e) => { clearInterval(timer); reject(e); });
  });
}

test("fuzz: damaged DICOM files give pydicom's values or a typed error naming the file; never a crash or a hang", async () => {
  const dir = tempDir("unmask-fuzz-");
  const ctFiles = fs.readdirSync(CT_DIR).filter((f) => f.endsWith(".dcm")).sort().map((f) => path.join(CT_DIR, f));
  const mrFiles = fs.readdirSync(MRI_DIR).filter((f) => f.endsWith(".dcm")).sort().map((f) => path.join(MRI_DIR, f));
  const sources = [ctFiles[0], ctFiles[53], ctFiles[ctFiles.length - 1], mrFiles[0], mrFiles[66]];
  const cases = buildCorpus(dir, sources, ctFiles.slice(40, 52), PER_FAMILY, PER_SERIES_POSITION);
  assert.ok(cases.length >= 1000, `${cases.length} cases`);

  const t0 = performance.now();
  const py = oracle(cases.map((c) => c.file));
  const tPy = performance.now() - t0;
  const { outcomes, hung } = await runUnmask(cases);
  const tUnmask = performance.now() - t0 - tPy;
  assert.equal(hung, null, hung ? `case ${hung.id} (${hung.family}: ${hung.detail}, ${hung.file}) ran over ${WATCHDOG_MS / 1000} s` : "");

  const families = [...new Set(cases.map((c) => c.family))] as Family[];
  const table = new Map(families.map((f) => [f, { cases: 0, same: 0, typedWhilePydicomReads: 0, bothFail: 0 }]));
  const failures: string[] = [];
  const stricter: string[] = []; // unmask refuses what pydicom reads: listed in the artefact for review
  for (const c of cases) {
    const u = outcomes.get(c.id)!, p = py.get(c.file)!;
    const row = table.get(c.family)!;
    row.cases++;
    const what = `case ${c.id} ${c.family} (${c.detail}) ${path.relative(dir, c.file)}`;
    if (u.kind === "untyped-error") { failures.push(`${what}: untyped exception ${u.message}`); continue; }
    if (u.kind === "typed-error") {
      // A typed error must name the damaged file (its path in the message), and a damaged slice is never a "missing slice".
      if (!u.message!.includes(c.file)) failures.push(`${what}: ${u.code} does not name the file: ${u.message}`);
      if (u.code === "MISSING_SLICE") failures.push(`${what}: reported as MISSING_SLICE: ${u.message}`);
      if (p.ok) { row.typedWhilePydicomReads++; stricter.push(`${what}: ${u.message!.split(dir).join("…")}`); }
      else row.bothFail++;
      continue;
    }
    // unmask gave a volume.
    if (!p.ok) { failures.push(`${what}: unmask loads it, pydicom fails (${p.error})`); continue; }
    if (p.sha1 === null || u.sha1 === undefined) { failures.push(`${what}: no comparable slice (pydicom shape ${p.shape}, unmask shape ${u.shape})`); continue; }
    if (p.sha1 !== u.sha1) failures.push(`${what}: values differ from pydicom (first voxel ${u.first} vs ${p.first}; shapes ${u.shape} vs ${p.shape})`);
    else row.same++;
  }
  const lines = [
    `| mutation family | cases | same values as pydicom | typed error (pydicom reads) | typed error (pydicom fails) |`,
    `|---|---:|---:|---:|---:|`,
    ...[...table].map(([f, r]) => `| ${f} | ${r.cases} | ${r.same} | ${r.typedWhilePydicomReads} | ${r.bothFail} |`),
    `| all | ${cases.length} | ${[...table.values()].reduce((s, r) => s + r.same, 0)} | ${[...table.values()].reduce((s, r) => s + r.typedWhilePydicomReads, 0)} | ${[...table.values()].reduce((s, r) => s + r.bothFail, 0)} |`,
  ];
  const slowest = [...outcomes.values()].sort((a, b) => b.ms - a.ms)[0];
  const summary = `${lines.join("\n")}\n\npydicom ${(tPy / 1000).toFixed(1)} s, unmask ${(tUnmask / 1000).toFixed(1)} s for ${cases.length} cases; slowest unmask case ${slowest.ms.toFixed(0)} ms (case ${slowest.id})\n`;
  console.log(summary);
  fs.writeFileSync(artifact("fuzz-outcomes.md"), summary + (failures.length ? `\nfailures:\n${failures.join("\n")}\n` : "") + `\nunmask refuses, pydicom reads:\n${stricter.join("\n")}\n`);
  if (process.env.FUZZ_KEEP) console.log(`corpus kept in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(failures.slice(0, 40), [], `${failures.length} failing cases`);
});
