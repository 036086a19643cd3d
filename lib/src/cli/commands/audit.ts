import * as path from "node:path";
import { InvalidArgumentError } from "../../core/errors";
import { runAudit } from "../../audit/run";
import { enqueueAudit } from "../../audit/queue";
import type { AuditReport } from "../../audit/types";
import { numberOption, printJson, terminalProgress } from "../options";
import type { CliCommand } from "../types";

/** `unmask audit PATH… -o OUTDIR`: which series still show a face, which headers still name a person. */
export const command: CliCommand = {
  name: "audit",
  summary: "risk audit of DICOM/NIfTI folder trees before publishing: face verdict, identifying headers, burned-in text, per series",
  configure(cmd) {
    cmd
      .description(`Walks folder trees of DICOM (any nesting, several series per folder, non-image objects,
broken files) and NIfTI (.nii, .nii.gz) and gives each series a verdict for publishing:
face, review (uncertain or burned-in text), removed (a head without a face), not-head,
unreadable; RT Structure Sets with a body contour and RT Dose are listed as able to
rebuild the face surface. Writes OUTDIR/report.json and a self-contained OUTDIR/report.html.`)
      .argument("<paths...>", "folders or files to audit")
      .option("-o, --output <dir>", "report folder (required)")
      .option("--resume", "continue an interrupted audit in OUTDIR without redoing finished series")
      .option("--force", "replace the results of an earlier audit in a non-empty OUTDIR")
      .option("--workers <n>", "local worker processes (default: 2 on 2 cores; 0 = in this process)")
      .option("--level <x>", "skin level for every volume (default: -300 HU for CT, from the histogram otherwise)")
      .option("--queue <url>", "run as jobs on a BullMQ queue at redis://HOST:PORT (workers: unmask worker)")
      .option("--fail-on-face", "exit with code 3 when any series is face or review")
      .option("--json", "print the report summary as JSON");
  },
  async run(positionals, options) {
    const out = options.output as string | undefined;
    if (!out) throw new InvalidArgumentError("unmask audit: -o OUTDIR is required");
    const progress = terminalProgress(!options.json);
    const common = { outDir: out, resume: !!options.resume, force: !!options.force, level: numberOption(options.level, "level"), onProgress: progress };
    const report: AuditReport = options.queue
      ? await enqueueAudit(positionals, { ...common, queue: String(options.queue) })
      : await runAudit(positionals, { ...common, workers: numberOption(options.workers, "workers") });
    if (options.json) printJson({ report: path.resolve(out, "report.json"), summary: report.summary });
    else {
      const s = report.summary;
      process.stdout.write(
        `${report.items.length} item(s): face ${s.face}, review ${s.review}, removed ${s.removed}, not-head ${s["not-head"]}, unreadable ${s.unreadable}, listed ${s.listed}; ` +
          `${s.brokenFiles} broken or skipped file(s)\n`,
      );
      for (const it of report.items) process.stdout.write(`  ${it.verdict.padEnd(10)} ${it.label}: ${it.reason}\n`);
      for (const b of report.brokenFiles) process.stdout.write(`  broken     ${b.path}: ${b.code}: ${b.message}\n`);
      process.stdout.write(`wrote ${path.resolve(out, "report.html")}\n`);
    }
    if (options.failOnFace && (report.summary.face > 0 || report.summary.review > 0)) return 3;
    return 0;
  },
};
