import * as path from "node:path";
import { InvalidArgumentError } from "../../core/errors";
import { readImage } from "../../image/io";
import { compareFaces, recognizerInfo, recognizers } from "../../face/recognize";
import type { RecognizerName } from "../../face/types";
import { numberOption, printJson } from "../options";
import type { CliCommand } from "../types";

/** `unmask compare A B [--recognizer NAME|all] [--tolerance T] [--json]`: same person or not. */
export const command: CliCommand = {
  name: "compare",
  summary: "compare the faces of two images with a recognizer (dlib-style 128-d by default, tolerance 0.6)",
  configure(cmd) {
    cmd
      .description(`Encodes the largest face of each image and prints the distance and the decision
(distance ≤ tolerance ⇒ same person). An image without a face is reported as
"no face" (exit code 0), never as a distance.
${recognizers.map((r) => `  ${r.name}: ${r.distance}, default tolerance ${r.tolerance}`).join("\n")}`)
      .argument("<a>", "first image")
      .argument("<b>", "second image")
      .option("--recognizer <name>", `${recognizers.map((r) => r.name).join(" | ")} (default dlib), or all (the whole panel)`)
      .option("--tolerance <t>", "decision threshold (default: the recognizer's)")
      .option("--json", "machine-readable output");
  },
  async run(positionals, options) {
    const name = String(options.recognizer ?? "dlib");
    if (name === "all" && options.tolerance !== undefined) throw new InvalidArgumentError("--tolerance applies to one recognizer, not to --recognizer all");
    const infos = name === "all" ? [...recognizers] : [recognizerInfo(name)];
    const [fa, fb] = positionals;
    const [a, b] = [await readImage(fa), await readImage(fb)];
    const results = [];
    for (const info of infos) {
      const tolerance = numberOption(options.tolerance, "tolerance", info.tolerance);
      const t = Date.now();
      const r = await compareFaces(a, b, { recognizer: info.name as RecognizerName, tolerance });
      results.push({ info, r, ms: Date.now() - t });
    }
    if (options.json) {
      const rows = results.map(({ info, r, ms }) => ({ a: path.resolve(fa), b: path.resolve(fb), recognizer: info.name, distanceKind: info.distance, ...r, ms }));
      printJson(name === "all" ? rows : rows[0]);
      return 0;
    }
    for (const { info, r } of results) {
      if ("reason" in r) {
        const which = r.which === "both" ? `${fa} and ${fb}` : r.which === "a" ? fa : fb;
        process.stdout.write(`no face in ${which} (${info.name})\n`);
        continue;
      }
      process.stdout.write(
        `${r.match ? "same person" : "different people"}: ${info.distance} distance ${r.distance.toFixed(4)} ` +
          `${r.match ? "≤" : ">"} tolerance ${r.tolerance} (${info.name})\n`,
      );
    }
    return 0;
  },
};
