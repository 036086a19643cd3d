import * as path from "node:path";
import { InvalidArgumentError } from "../../core/errors";
import { readImage, writePng } from "../../image/io";
import { drawMatches, matchKeypoints, type MatchMethod } from "../../match/match";
import { numberOption, terminalProgress } from "../options";
import type { CliCommand } from "../types";

const METHODS: MatchMethod[] = ["orb", "sift"];

/** `unmask match A B [--method orb|sift] [--json] [-o drawn.png]`: the seed's keypoint matching (script 4). */
export const command: CliCommand = {
  name: "match",
  summary: "keypoint matches between two images (ORB + Hamming cross-check, or SIFT + kd-forest + ratio test, as the seed)",
  configure(cmd) {
    cmd
      .description(`Counts keypoint matches between two images (converted to grey), as the seed's
script 4. A match count measures shared texture, not identity.`)
      .argument("<a>", "first image")
      .argument("<b>", "second image")
      .option("--method <name>", "orb: ORB (500 keypoints) + brute-force Hamming matcher with cross-check (default), good = Hamming distance < --max-hamming; sift: SIFT + kd-forest (5 trees, 50 checks), k = 2, Lowe ratio 0.7")
      .option("--nfeatures <n>", "ORB: keypoints per image (500); SIFT: keep the strongest N (default all, as cv2.SIFT_create)")
      .option("--max-hamming <d>", "ORB distance below which a match is counted good (40)")
      .option("--ratio <r>", "SIFT ratio test (0.7)")
      .option("-o, --output <file>", "also write both images side by side with the best matches drawn (ORB: best 10, as the seed; SIFT: all good matches)")
      .option("--max <n>", "draw at most N matches")
      .option("--json", "machine-readable output (counts, keypoint counts, matches)");
  },
  async run(positionals, options) {
    const method = String(options.method ?? "orb") as MatchMethod;
    if (!METHODS.includes(method)) throw new InvalidArgumentError(`--method must be one of ${METHODS.join(", ")}, got "${String(options.method)}"`);
    const [fa, fb] = positionals;
    const a = await readImage(fa);
    const b = await readImage(fb);
    const result = matchKeypoints(a, b, {
      method,
      nfeatures: options.nfeatures === undefined ? undefined : numberOption(options.nfeatures, "nfeatures", 500),
      maxHamming: numberOption(options.maxHamming, "max-hamming", 40),
      ratio: numberOption(options.ratio, "ratio", 0.7),
      onProgress: terminalProgress(!options.json),
    });
    const out = options.output as string | undefined;
    if (out) {
      const max = options.max === undefined ? undefined : numberOption(options.max, "max", 10);
      await writePng(out, drawMatches(a, b, result, { max }));
    }
    if (options.json) {
      process.stdout.write(
        JSON.stringify({
          a: path.resolve(fa),
          b: path.resolve(fb),
          method,
          keypointsA: result.keypointsA.length,
          keypointsB: result.keypointsB.length,
          matches: result.matches.length,
          goodCount: result.goodCount,
          criterion: result.criterion,
          ms: Math.round(result.ms),
          best: result.matches.slice(0, 50).map((m) => ({
            ...m,
            a: [result.keypointsA[m.queryIdx].x, result.keypointsA[m.queryIdx].y],
            b: [result.keypointsB[m.trainIdx].x, result.keypointsB[m.trainIdx].y],
          })),
          ...(out ? { output: path.resolve(out) } : {}),
        }) + "\n",
      );
      return 0;
    }
    process.stdout.write(
      `${method}: ${result.keypointsA.length} keypoints in ${fa}, ${result.keypointsB.length} in ${fb}\n` +
        (method === "orb" ? `cross-checked matches: ${result.matches.length}\n` : "") +
        `good matches: ${result.goodCount} (${result.criterion})\n` +
        `time: ${result.ms.toFixed(0)} ms\n` +
        (out ? `wrote ${path.resolve(out)}\n` : ""),
    );
    return 0;
  },
};
