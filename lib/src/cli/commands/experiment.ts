import * as path from "node:path";
import { InvalidArgumentError } from "../../core/errors";
import type { RecognizerName } from "../../face/types";
import { runExperiment } from "../../experiment/run";
import { defaultCacheDir } from "../../experiment/cache";
import { missReason, summaryRows, writeExperiment } from "../../experiment/report";
import { numberOption, printJson, terminalProgress, textTable } from "../options";
import type { CliCommand } from "../types";

/** `unmask experiment MANIFEST --probe C --gallery C[,C…] [--distractors DIR] [--recognizer a,b|all] [--observer answers.csv] [--cache DIR] -o OUT`. */
export const command: CliCommand = {
  name: "experiment",
  summary: "the identification experiment on a cohort manifest: rank-1/rank-5 with 95 % intervals, CMC, ROC/AUC/EER, report",
  configure(cmd) {
    cmd
      .description(`Runs every probe (rows of the --probe condition) against a gallery (rows of the --gallery
conditions, plus the face photos of --distractors) through the cached scan-to-face pipeline
(load → surface → render → detect → align → encode) and writes OUT/summary.csv, distances.csv,
groups.csv, misses.csv, result.json, figures (PNG + plotly HTML) and a self-contained report.html.
Intervals: 95 % percentile bootstrap over probes (seeded). A probe without a face is a miss.`)
      .argument("<manifest>", "cohort manifest (.csv or .json): subject,condition,path[,level,view,light,spacing,interpolation,sex,age,ethnicity,facial_hair,mask]")
      .option("--probe <condition>", "probe condition(s), comma-separated (default: every condition but the gallery's)")
      .option("--gallery <conditions>", "gallery condition(s), comma-separated (default: the manifest's first)")
      .option("--distractors <dir>", "folder of face photographs added to the gallery")
      .option("--recognizer <names>", "recognizers, comma-separated, or all (default dlib)")
      .option("--observer <answers.csv>", "answers exported by the `unmask observer` quiz: adds an observer row")
      .option("--cache <dir>", "pipeline cache folder (default $UNMASK_CACHE, $XDG_CACHE_HOME/unmask or ~/.cache/unmask)")
      .option("--size <px>", "render size (default 512)")
      .option("--bootstrap <n>", "bootstrap resamples (default 2000)")
      .option("--seed <n>", "bootstrap seed (default 13)")
      .option("-o, --output <dir>", "output folder (required; written whole or not at all)")
      .option("--force", "replace an existing output folder")
      .option("--json", "print the summary as JSON");
  },
  async run(positionals, options) {
    const out = options.output;
    if (typeof out !== "string") throw new InvalidArgumentError("unmask experiment: -o OUT (a folder) is required");
    const rec = options.recognizer as string | undefined;
    const recognizers = rec === undefined ? undefined : rec === "all" ? "all" : (rec.split(",").map((s) => s.trim()).filter(Boolean) as RecognizerName[]);
    const progress = terminalProgress(!options.json);
    const t0 = performance.now();
    const result = await runExperiment(positionals[0], {
      probe: options.probe, gallery: options.gallery, distractors: options.distractors, recognizers,
      observer: options.observer, cache: options.cache,
      size: numberOption(options.size, "size", 512),
      bootstrap: { samples: numberOption(options.bootstrap, "bootstrap", 2000), seed: numberOption(options.seed, "seed", 13) },
      onProgress: progress,
      onWarning: (w) => process.stderr.write(`warning: ${w}\n`),
    });
    const files = writeExperiment(result, out, { force: !!options.force });
    const ms = performance.now() - t0;
    const table = summaryRows(result);
    if (options.json) {
      printJson({ output: path.resolve(out), summary: table.rows.map((r) => Object.fromEntries(table.columns.map((c, i) => [c, r[i]]))), counts: result.counts, files, ms });
      return 0;
    }
    const show = ["recognizer", "probes", "face_present", "detected", "rank1", "rank1_low", "rank1_high", "rank5", "auc", "eer", "eer_threshold", "photo_threshold"];
    const idx = show.map((c) => table.columns.indexOf(c));
    process.stdout.write(textTable(show, table.rows.map((r) => idx.map((i) => r[i]))) + "\n");
    for (const x of result.recognizers) {
      for (const mo of x.misses) process.stdout.write(`miss (${x.recognizer}): ${mo.probe} [${mo.setting}] ${missReason(mo)}, rank ${mo.rank}${mo.nearest ? `, nearest ${mo.nearest}` : ""}\n`);
    }
    const c = result.counts;
    process.stdout.write(`cache ${options.cache ? path.resolve(options.cache) : defaultCacheDir()}: ${Object.entries(c).map(([s, v]) => `${s} ${v.hits} hit/${v.misses} computed`).join(", ")}\n`);
    process.stdout.write(`${path.resolve(out)}: summary.csv, distances.csv, report.html, figures (${(ms / 1000).toFixed(1)} s)\n`);
    return 0;
  },
};
