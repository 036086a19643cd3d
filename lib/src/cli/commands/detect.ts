import * as fs from "node:fs";
import * as path from "node:path";
import { loadSeries } from "../../dicom/load";
import { scanPresence, presenceJson, presenceText } from "../presence";
import { InvalidArgumentError } from "../../core/errors";
import { readImage, writePng } from "../../image/io";
import { detectFaces, detectors } from "../../face/detect";
import type { DetectorName } from "../../face/types";
import { drawOverlays } from "../../display";
import { numberOption, printJson, seriesLoadOptions, SKIP_DAMAGED_FLAGS, SKIP_DAMAGED_HELP } from "../options";
import { HAAR_DEFAULTS } from "../../face/haar";
import type { CliCommand } from "../types";

/** `unmask detect IMAGE|DIR`: faces in a picture or render, or the fused face-presence verdict of a DICOM folder. */
export const command: CliCommand = {
  name: "detect",
  summary: "find faces in an image, or decide whether a DICOM folder shows a face (fused verdict over render variants)",
  configure(cmd) {
    cmd
      .description(
        "IMAGE: prints one line per face: detector, score and the box (x, y, width, height in pixels). " +
          "DIR (a DICOM folder): renders the skin surface in a set of variants, runs the detector panel on each, " +
          "locates every detection on the skin in patient mm and prints the fused verdict (yes / no / uncertain), " +
          'its reason and the evidence. "no face" is a normal answer (exit code 0).',
      )
      .argument("<path>", "PNG or JPEG file, or a DICOM folder")
      .option("--detector <name>", "image: human (default; tight box from the 468 mesh landmarks, score 0–1), haar (the seed's cascade), haar-alt2, ssd or tiny")
      .option("--level <value>", "folder: isosurface level (default −300 HU for CT, Otsu's threshold otherwise)")
      .option("--variants <set>", "folder: default (the fitted cheapest set) or full (the 90-render grid)")
      .option("--detectors <list>", "folder: comma-separated detector panel (default: the fitted default panel)")
      .option("--series <uid>", "folder: which series, when it holds several")
      .option(SKIP_DAMAGED_FLAGS, SKIP_DAMAGED_HELP)
      .option("--scale-factor <s>", "image, Haar cascades (haar, haar-alt2) only: pyramid step (default 1.1)")
      .option("--min-neighbors <n>", "image, Haar cascades (haar, haar-alt2) only: raw detections needed to keep a face (default 4)")
      .option("-o, --output <file>", "image: write it with the boxes drawn; folder: a contact sheet of every variant with its boxes (PNG)")
      .option("--json", "machine-readable output (boxes, scores, landmarks)");
  },
  async run(positionals, options) {
    if (fs.existsSync(positionals[0]) && fs.statSync(positionals[0]).isDirectory()) return detectInFolder(positionals[0], options);
    if (options.level !== undefined || options.variants !== undefined || options.detectors !== undefined || options.series !== undefined) {
      throw new InvalidArgumentError("--level, --variants, --detectors and --series apply to a DICOM folder, not to an image");
    }
    const detector = (options.detector ?? "human") as DetectorName;
    if (!detectors.includes(detector)) throw new InvalidArgumentError(`--detector must be one of ${detectors.join(", ")}, got "${String(options.detector)}"`);
    const file = positionals[0];
    const image = await readImage(file);
    const t = Date.now();
    const scaleFactor = numberOption(options.scaleFactor, "scale-factor", HAAR_DEFAULTS.scaleFactor);
    const minNeighbors = numberOption(options.minNeighbors, "min-neighbors", HAAR_DEFAULTS.minNeighbors);
    if (detector !== "haar" && detector !== "haar-alt2" && (options.scaleFactor !== undefined || options.minNeighbors !== undefined)) {
      throw new InvalidArgumentError("--scale-factor and --min-neighbors apply to --detector haar and haar-alt2 only");
    }
    const faces = await detectFaces(image, { detector, scaleFactor, minNeighbors });
    const ms = Date.now() - t;
    const out = options.output as string | undefined;
    if (out) {
      const boxed = drawOverlays(image, {
        boxes: faces.map((f) => ({ ...f.box, label: `${f.detector} ${f.score.toFixed(2)}`, color: detector.startsWith("haar") ? "#ff8c00" : "#00e5ff" })),
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

async function detectInFolder(dir: string, options: Record<string, any>): Promise<number> {
  if (options.detector !== undefined || options.scaleFactor !== undefined || options.minNeighbors !== undefined) {
    throw new InvalidArgumentError("--detector, --scale-factor and --min-neighbors apply to an image; for a folder use --detectors a,b");
  }
  const loaded = await loadSeries(dir, seriesLoadOptions(options));
  const sheet = options.output as string | undefined;
  const v = await scanPresence(loaded.volume, { level: numberOption(options.level, "level"), variants: options.variants, detectors: options.detectors, sheet });
  if (options.json) printJson({ folder: path.resolve(dir), ...presenceJson(v), ...(sheet ? { output: path.resolve(sheet) } : {}) });
  else process.stdout.write(presenceText(dir, v, sheet));
  return 0;
}
