import * as path from "node:path";
import { InvalidArgumentError } from "../../core/errors";
import type { ViewPreset } from "../../render";
import { FacePipeline } from "../../experiment/pipeline";
import { detectFaces, detectors } from "../../face";
import { scanPresence, presenceJson } from "../presence";
import type { DetectorName } from "../../face";
import { writePng } from "../../image/io";
import { drawOverlays } from "../../display";
import { numberOption, printJson, printWarning, SKIP_DAMAGED_FLAGS, SKIP_DAMAGED_HELP, terminalProgress } from "../options";
import type { CliCommand } from "../types";

/** `unmask render DIR -o face.png [--level -300] [--detect]`: isosurface → headless render → optional face detection. */
export const command: CliCommand = {
  name: "render",
  summary: "render the isosurface of a series (default -300 HU, skin) to PNG; --detect finds the face",
  configure(cmd) {
    cmd
      .description(`Loads the series, extracts the isosurface at --level and renders it headless
(WebGL; needs an X display, e.g. xvfb-run) from the patient's front.`)
      .argument("<dir>", "DICOM folder")
      .option("-o, --output <file>", "PNG to write (required; written atomically)")
      .option("--level <hu>", "isosurface level (default -300: skin/air)")
      .option("--view <name>", "front (default), back, left, right, oblique-left, oblique-right, top, seed")
      .option("--size <px>", "image size (default 512)")
      .option("--spacing <mm>", "resample to this voxel size first (default: native grid)")
      .option("--series <uid>", "which series, when the folder holds several")
      .option(SKIP_DAMAGED_FLAGS, SKIP_DAMAGED_HELP)
      .option("--detect", "also give the fused face-presence verdict (as `unmask detect DIR`) and the faces on this render")
      .option("--detector <name>", "detector for the boxes on this render: human (default), haar, haar-alt2, ssd, tiny")
      .option("--annotate", "draw the detected boxes into the PNG")
      .option("--cache <dir>", "take/keep the volume, surface and render in this pipeline cache folder (default: no cache)")
      .option("--json", "print the result as JSON");
  },
  async run(positionals, options) {
    const out = options.output;
    if (typeof out !== "string") throw new InvalidArgumentError("unmask render: -o FILE.png is required");
    const level = numberOption(options.level, "level", -300);
    const size = numberOption(options.size, "size", 512);
    const view = (options.view as ViewPreset | undefined) ?? "front";
    const detector = ((options.detector as string | undefined) ?? "human") as DetectorName;
    if (!detectors.includes(detector)) throw new InvalidArgumentError(`--detector must be one of ${detectors.join(", ")}, got "${detector}"`);
    const progress = terminalProgress(!options.json);
    const times: Record<string, number> = {};
    let t = Date.now();
    // The scan-to-face pipeline's stages with this command's defaults: native grid (or --spacing, linear), headlight.
    const pipeline = new FacePipeline({ cache: typeof options.cache === "string" ? options.cache : null, onProgress: progress, onWarning: printWarning });
    const input = { path: positionals[0], series: typeof options.series === "string" ? options.series : undefined, strict: !options.skipDamaged };
    const spacing = options.spacing !== undefined ? numberOption(options.spacing, "spacing", 1) : undefined;
    const stage = { level, size, spacing, interpolation: "linear" as const, variants: [{ view, light: "headlight" as const }] };
    const volume = await pipeline.volume(input, stage);
    times.loadMs = Date.now() - t;
    t = Date.now();
    const { mesh } = await pipeline.surface(input, stage);
    times.surfaceMs = Date.now() - t;
    t = Date.now();
    const [image] = await pipeline.renders(input, stage);
    times.renderMs = Date.now() - t;
    let faces;
    let presence;
    if (options.detect) {
      t = Date.now();
      faces = await detectFaces(image, { detector });
      times.detectMs = Date.now() - t;
      t = Date.now();
      presence = await scanPresence(volume, { level: options.level !== undefined ? level : undefined });
      times.presenceMs = Date.now() - t;
    }
    const final = options.annotate && faces ? drawOverlays(image, { boxes: faces.map((f) => ({ ...f.box, label: `${f.detector} ${f.score.toFixed(2)}` })) }) : image;
    await writePng(out, final);
    const result = {
      output: path.resolve(out),
      // With --cache: which pipeline stages came from the cache folder and which were computed.
      ...(typeof options.cache === "string" ? { cache: { dir: pipeline.cache.dir, counts: pipeline.counts } } : {}),
      level,
      view,
      triangles: mesh.triangles.length / 3,
      size: [image.width, image.height],
      faces: faces?.map((f) => ({ box: f.box, score: f.score, detector: f.detector })),
      ...(presence ? { presence: presenceJson(presence) } : {}),
      ...times,
    };
    if (options.json) printJson(result);
    else {
      process.stdout.write(`${result.output}: ${result.triangles} triangles at ${level}, ${view} view, ${image.width}×${image.height}\n`);
      if (presence) process.stdout.write(`face ${presence.present} (fused score ${presence.score.toFixed(2)}, ${presence.variants.length} variants × ${presence.detectors.join(", ")}): ${presence.reason}\n`);
      if (faces) {
        if (faces.length === 0) process.stdout.write(`no face found on this render (${detector})\n`);
        for (const f of faces) {
          const b = f.box;
          process.stdout.write(`face (${f.detector}) score ${f.score.toFixed(3)} box x=${b.x.toFixed(0)} y=${b.y.toFixed(0)} w=${b.width.toFixed(0)} h=${b.height.toFixed(0)}\n`);
        }
      }
      process.stdout.write(Object.entries(times).map(([k, v]) => `${k.replace("Ms", "")} ${v} ms`).join(", ") + "\n");
    }
    return 0;
  },
};
