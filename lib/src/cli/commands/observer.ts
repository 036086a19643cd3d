import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError, UnmaskError } from "../../core/errors";
import { writeFileAtomic } from "../../core/fs";
import { observerQuiz } from "../../experiment/observer";
import { numberOption, printJson, terminalProgress } from "../options";
import type { CliCommand } from "../types";

/** `unmask observer MANIFEST -o quiz.html`: the observer-study page. */
export const command: CliCommand = {
  name: "observer",
  summary: "write a self-contained observer-study page: each probe render beside shuffled gallery images; answers export as CSV",
  configure(cmd) {
    cmd
      .description(`Writes one HTML page (no network needed): each probe render beside the gallery images
(gallery renders and distractor photos) in a shuffled order. A person clicks the one they think is
the same person; the page keeps the answers in the browser and exports them as answers.csv
(probe,choice), which \`unmask experiment … --observer answers.csv\` scores as an "observer" row.`)
      .argument("<manifest>", "cohort manifest (.csv or .json)")
      .option("--probe <condition>", "probe condition(s), comma-separated (default: every condition but the gallery's)")
      .option("--gallery <conditions>", "gallery condition(s), comma-separated (default: the manifest's first)")
      .option("--distractors <dir>", "folder of face photographs added to the gallery")
      .option("--cache <dir>", "pipeline cache folder")
      .option("--seed <n>", "seed of the shuffles (default 13)")
      .option("-o, --output <file>", "HTML page to write (required)")
      .option("--force", "replace an existing page")
      .option("--json", "machine-readable result");
  },
  async run(positionals, options) {
    const out = options.output;
    if (typeof out !== "string" || !/\.html?$/i.test(out)) throw new InvalidArgumentError("unmask observer: -o QUIZ.html is required");
    if (fs.existsSync(out) && !options.force) throw new UnmaskError("EXISTS", `${path.resolve(out)} exists; give --force to replace it`, path.resolve(out));
    const q = await observerQuiz(positionals[0], {
      probe: options.probe, gallery: options.gallery, distractors: options.distractors, cache: options.cache,
      seed: numberOption(options.seed, "seed", 13), onProgress: terminalProgress(!options.json),
      onWarning: (w) => process.stderr.write(`warning: ${w}\n`),
    });
    writeFileAtomic(out, q.html);
    const result = { output: path.resolve(out), probes: q.probes, galleryImages: q.options, bytes: Buffer.byteLength(q.html) };
    if (options.json) printJson(result);
    else process.stdout.write(`${result.output}: ${q.probes} probes, ${q.options} gallery images each, ${(result.bytes / 1e6).toFixed(1)} MB\n`);
    return 0;
  },
};
