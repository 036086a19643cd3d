import { convert } from "../../anonymize/convert";
import { InvalidArgumentError } from "../../core/errors";
import { loadSeries } from "../../dicom/load";
import { writeSeries } from "../../dicom/write";
import { printJson, terminalProgress, seriesLoadOptions } from "../options";
import type { CliCommand } from "../types";

/** `unmask convert DIR -o OUT [--mode seed|hu] [--force]`: the seed's CT → MRI-like conversion, written as a new series. */
export const command: CliCommand = {
  name: "convert",
  summary: "CT to MRI-like: set the background to 0 and write a new DICOM series (seed script 1)",
  configure(cmd) {
    cmd
      .description(`Loads one CT series, sets its background to 0 and writes a new DICOM series:
one file a slice, Explicit VR Little Endian, new Series/SOP Instance UIDs,
ImageType DERIVED\\SECONDARY and a DerivationDescription saying what was done;
every other attribute is kept, Modality included.
  --mode seed  stored values below 0 set to 0, as the seed's script did (the
               default; where the scanner stores HU + 1024 nothing changes)
  --mode hu    voxels below 0 HU (air, lung, fat) set to 0, intercept 0
The output folder is written atomically; an existing one needs --force.`)
      .argument("<dir>", "DICOM folder (one series) or file")
      .requiredOption("-o, --output <dir>", "output folder for the new series")
      .option("--mode <mode>", "seed | hu", "seed")
      .option("--series <uid>", "SeriesInstanceUID when the folder holds several series")
      .option("--force", "replace an existing output folder")
      .option("--json", "print what was written as JSON");
  },
  async run(positionals, options) {
    if (options.mode !== "seed" && options.mode !== "hu") throw new InvalidArgumentError(`--mode must be seed or hu, got "${options.mode}"`);
    const progress = terminalProgress(!options.json);
    const series = await loadSeries(positionals[0], seriesLoadOptions(options, progress));
    const converted = convert(series, { mode: options.mode });
    const written = await writeSeries(converted, options.output, { ...converted.write, force: !!options.force, onProgress: progress, onWarning: (m) => process.stderr.write(`warning: ${m}\n`) });
    const summary = {
      output: written.dir,
      files: written.files.length,
      mode: converted.mode,
      changedVoxels: converted.changedVoxels,
      totalVoxels: converted.totalVoxels,
      rescale: written.rescale,
      pixelRepresentation: written.pixelRepresentation,
      seriesInstanceUid: written.seriesInstanceUid,
      derivationDescription: converted.write.derivationDescription,
    };
    if (options.json) printJson(summary);
    else {
      const pct = ((100 * converted.changedVoxels) / converted.totalVoxels).toFixed(2);
      process.stdout.write(`${written.dir}: ${written.files.length} files, mode ${converted.mode}: ${converted.changedVoxels} of ${converted.totalVoxels} voxels changed (${pct}%), RescaleSlope ${written.rescale.slope} RescaleIntercept ${written.rescale.intercept}\n`);
    }
    return 0;
  },
};
