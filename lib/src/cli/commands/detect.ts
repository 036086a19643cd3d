import * as path from "node:path";
import { InvalidArgumentError } from "../../core/errors";
import { readImage, writePng } from "../../image/io";
import { detectFaces, detectors } from "../../face/detect";
import type { DetectorName } from "../../face/types";
import { drawOverlays } from "../../display";
import { numberOption, printJson } from "../options";
import { HAAR_DEFAULTS } from "../../face/haar";
import type { CliCommand } from "../types";

/** `unmask detect IMAGE [--detector human|haar] [--json] [-o boxed.png]`: faces in a picture or render. */
export const command: CliCommand = {
  name: "detect",
  summary: "find faces in an image (human: blazeface + face mesh; haar: OpenCV's cascade, the seed's)",
  configure(cmd) {
    cmd
      .description(`Prints one line per face: detector, score and the box (x, y, width, height in
pixels). "no face" is a normal answer (exit code 0).`)
      .argument("<image>", "PNG or JPEG file")
      .option("--detector <name>", "human (default; tight box from the 468 mesh landmarks, score 0–1) or haar (haarcascade_frontalface_default.xml, scaleFactor 1.1, minNeighbors 4, as the seed; score 1, neighbours reported)")
      .option("--scale-factor <s>", "Haar only: pyramid step (default 1.1)")
      .option("--min-neighbors <n>", "Haar only: raw detections needed to keep a face (default 4)")
      .option("-o, --output <file>", "also write the image with the boxes drawn (PNG)")
      .option("--json", "machine-readable output (boxes, scores, landmarks)");
  },
  async run(positionals, options) {
    const detector = (options.detector ?? "human") as DetectorName;
    if (!detectors.includes(detector)) throw new InvalidArgumentError(`--detector must be one of ${detectors.join(", ")}, got "${String(options.detector)}"`);
    const file = positionals[0];
    const image = await readImage(file);
    const t = Date.now();
    const scaleFactor = numberOption(options.scaleFactor, "scale-factor", HAAR_DEFAULTS.scaleFactor);
    const minNeighbors = numberOption(options.minNeighbors, "min-neighbors", HAAR_DEFAULTS.minNeighbors);
    if (detector !== "haar" && (options.scaleFactor !== undefined || options.minNeighbors !== undefined)) {
      throw new InvalidArgumentError("--scale-factor and --min-neighbors apply to --detector haar only");
    }
    const faces = await detectFaces(image, { detector, scaleFactor, minNeighbors });
    const ms = Date.now() - t;
    const out = options.output as string | undefined;
    if (out) {
      const boxed = drawOverlays(image, {
        boxes: faces.map((f) => ({ ...f.box, label: `${f.detector} ${f.score.toFixed(2)}`, color: detector === "haar" ? "#ff8c00" : "#00e5ff" })),
        landmarks: faces.flatMap((f) => f.landmarks ?? []),
        lineWidth: Math.max(2, Math.round(Math.min(image.width, image.height) / 250)),
      });
      await writePng(out, boxed);
    }
    if (options.json) {
      printJson({ image: path.resolve(file), width: image.width, height: image.height, detector, faces, ms, ...(out ? { output: path.resolve(out) } : {}) });
      return 0;
    }
    if (faces.length === 0) process.stdout.write(`${file}: no face (${detector})\n`);
    for (const f of faces) {
      const b = f.box;
      process.stdout.write(
        `${file}: face (${f.detector}) score ${f.score.toFixed(3)}${f.neighbours !== undefined ? ` neighbours ${f.neighbours}` : ""} ` +
          `box x=${b.x.toFixed(0)} y=${b.y.toFixed(0)} w=${b.width.toFixed(0)} h=${b.height.toFixed(0)}\n`,
      );
    }
    if (out) process.stdout.write(`wrote ${path.resolve(out)}\n`);
    return 0;
  },
};
