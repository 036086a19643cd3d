import { InvalidArgumentError } from "../../core/errors";
import { loadSeries } from "../../dicom/load";
import { writeSeries } from "../../dicom/write";
import { writeNifti } from "../../nifti/nifti";
import type { LoadedSeries } from "../../dicom/types";
import type { Volume } from "../../volume/types";
import { simulateMask, planMask } from "../../anonymize/mask-simulate";
import { stripMask } from "../../anonymize/mask-strip";
import * as fs from "node:fs";
import * as path from "node:path";
import { numberOption, printJson, seriesLoadOptions, terminalProgress } from "../options";
import type { CliCommand } from "../types";

function output(options: Record<string, any>, who: string): string {
  const out = options.output;
  if (typeof out !== "string") throw new InvalidArgumentError(`unmask mask ${who}: give the output with -o DIR (a DICOM series folder) or -o FILE.nii`);
  if (isNifti(out) && fs.existsSync(out) && !options.force) throw new InvalidArgumentError(`${path.resolve(out)} exists; pass --force to overwrite`);
  return out;
}

const isNifti = (out: string) => /\.nii(\.gz)?$/i.test(out);

/** Write the result as a DICOM series (the source's headers, new UIDs) or, for .nii/.nii.gz, as NIfTI-1. */
async function save(out: string, series: LoadedSeries, volume: Volume, what: string, force: boolean): Promise<string> {
  if (isNifti(out)) {
    writeNifti(out, volume, { description: `unmask: ${what}` });
    return "NIfTI-1";
  }
  // Whole Hounsfield units, so the source's rescale stores every voxel exactly.
  const data = new Float32Array(volume.data.length);
  for (let q = 0; q < data.length; q++) data[q] = Math.round(volume.data[q]);
  await writeSeries({ volume: { ...volume, data }, slices: series.slices }, out, { derivationDescription: `unmask: ${what}`, suffix: what, force });
  return "DICOM series";
}

const simulate: CliCommand = {
  name: "simulate",
  summary: "put a simulated thermoplastic immobilization mask on a head CT",
  configure(cmd) {
    cmd
      .description(`Loads the CT series in DIR and draws a perforated thermoplastic shell over the face and the
front of the head (stand-off from the skin, touching at nose, brow and chin, hexagonal holes,
partial-volume averaged at the scan's voxel size). Writes the masked scan as a DICOM series folder (or NIfTI-1 for -o FILE.nii).`)
      .argument("<dir>", "DICOM folder (CT)")
      .option("-o, --output <path>", "output DICOM folder, or FILE.nii[.gz]")
      .option("--standoff <mm>", "gap between skin and shell (default 3)")
      .option("--thickness <mm>", "shell thickness (default 2)")
      .option("--hole <mm>", "hexagonal hole size across the flats (default 3; 0: no holes)")
      .option("--pitch <mm>", "hole centre spacing (default 5)")
      .option("--hu <n>", "plastic density (default 200)")
      .option("--seed <n>", "pattern phase and noise seed (default 1)")
      .option("--frame", "add a fixation frame round the shell's rear edge")
      .option("--couch", "add a couch top behind the head")
      .option("--force", "overwrite an existing output")
      .option("--json", "machine-readable result");
  },
  async run(positionals, options) {
    const out = output(options, "simulate");
    const opts = {
      standoffMm: numberOption(options.standoff, "standoff", 3),
      thicknessMm: numberOption(options.thickness, "thickness", 2),
      holeMm: numberOption(options.hole, "hole", 3),
      pitchMm: numberOption(options.pitch, "pitch", 5),
      hu: numberOption(options.hu, "hu", 200),
      seed: numberOption(options.seed, "seed", 1),
      frame: !!options.frame,
      couch: !!options.couch,
    };
    const t0 = performance.now();
    const series = await loadSeries(positionals[0], seriesLoadOptions(options, terminalProgress(!options.json)));
    const { volume } = series;
    const plan = planMask(volume, opts);
    const masked = simulateMask(volume, opts);
    const format = await save(out, series, masked, `simulated immobilization mask (${opts.thicknessMm} mm, ${opts.hu} HU, stand-off ${opts.standoffMm} mm, holes ${opts.holeMm}/${opts.pitchMm} mm)`, !!options.force);
    const result = {
      output: out,
      format,
      options: opts,
      headCentre: plan.centre,
      touchPoints: plan.touchPoints,
      openAreaFraction: plan.openAreaFraction,
      timeMs: Math.round(performance.now() - t0),
    };
    if (options.json) printJson(result);
    else process.stdout.write(`${out}: mask ${opts.thicknessMm} mm at ${opts.standoffMm} mm, ${opts.hu} HU, holes ${opts.holeMm}/${opts.pitchMm} mm (open ${(100 * plan.openAreaFraction).toFixed(0)} %), touching at ${plan.touchPoints.map((t) => t.name).join(", ") || "nothing"} (${result.timeMs} ms)\n`);
    return 0;
  },
};

const strip: CliCommand = {
  name: "strip",
  summary: "find an immobilization mask in a head CT and set it to air",
  configure(cmd) {
    cmd
      .description(`Loads the CT series in DIR, finds a thin dense sheet in front of the head separated from the
skin by air (following it where it touches), sets it to air and writes the result as a DICOM series
folder (or NIfTI-1 for -o FILE.nii). Supports behind the head (head holder, couch) are left in place and listed.`)
      .argument("<dir>", "DICOM folder (CT)")
      .option("-o, --output <path>", "output DICOM folder, or FILE.nii[.gz]")
      .option("--level <hu>", "air/dense boundary (default -500)")
      .option("--force", "overwrite an existing output")
      .option("--json", "machine-readable result");
  },
  async run(positionals, options) {
    const out = output(options, "strip");
    const t0 = performance.now();
    const series = await loadSeries(positionals[0], seriesLoadOptions(options, terminalProgress(!options.json)));
    const r = stripMask(series.volume, { levelHu: numberOption(options.level, "level", -500) });
    const format = await save(out, series, r.volume, "immobilization mask stripped", !!options.force);
    const result = { output: out, format, removed: r.removed, objectsLeft: r.objects, timeMs: Math.round(performance.now() - t0) };
    if (options.json) printJson(result);
    else {
      const m = r.removed;
      process.stdout.write(m.voxels
        ? `${out}: removed a mask of ${m.voxels.toLocaleString("en-US")} voxels (+${m.fringeVoxels.toLocaleString("en-US")} partial-volume), ${(m.areaMm2 / 100).toFixed(0)} cm², ${m.meanThicknessMm} mm thick, ${m.plasticHu} HU\n`
        : `${out}: no mask found; written unchanged\n`);
      for (const o of r.objects) process.stdout.write(`  left in place: ${o.kind}, ${o.voxels.toLocaleString("en-US")} voxels, ${o.extentMm} mm across\n`);
    }
    return 0;
  },
};

/** `unmask mask simulate|strip DIR -o OUT`: put a thermoplastic mask on a CT, or take one off. */
export const command: CliCommand = {
  name: "mask",
  summary: "immobilization masks: simulate one on a head CT, or strip one off",
  configure() {},
  async run() { return 2; },
  subcommands: [simulate, strip],
};
