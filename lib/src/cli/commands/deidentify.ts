import * as fs from "node:fs";
import { deidentify } from "../../anonymize/deidentify";
import { FileNotFoundError, InvalidArgumentError } from "../../core/errors";
import { printJson, terminalProgress } from "../options";
import type { CliCommand } from "../types";

/** `unmask deidentify DIR -o OUT [--key FILE] [options]`: DICOM PS3.15 Basic Profile header de-identification. */
export const command: CliCommand = {
  name: "deidentify",
  summary: "de-identify DICOM headers (PS3.15 Basic Application Level Confidentiality Profile)",
  configure(cmd) {
    cmd
      .description(`De-identifies every image file under DIR by DICOM PS3.15 2024b Annex E, the
Basic Application Level Confidentiality Profile: every attribute of Table
E.1-1 with its action, private attributes removed, UIDs mapped by HMAC-SHA256
under the key to 2.25 UIDs (the same in every file). Writes the files and
deidentification-report.json/.csv (every changed attribute of every file)
into OUT, atomically. BurnedInAnnotation YES is flagged: text in the pixels
is not removed. Header de-identification does not remove the face.`)
      .argument("<dir>", "DICOM folder tree")
      .requiredOption("-o, --output <dir>", "output folder")
      .option("--key <file>", "key file (at least 16 bytes): the same key gives the same UIDs and date shifts in every run; without it a random key is used")
      .option("--retain-dates", "Retain Longitudinal Temporal Information with Modified Dates (dates shifted per patient)")
      .option("--retain-patient-characteristics", "Retain Patient Characteristics (sex, age, size, weight …)")
      .option("--retain-device", "Retain Device Identity (serial numbers, station names …)")
      .option("--clean-descriptors", "Clean Descriptors (free-text descriptions kept with identifying words removed)")
      .option("--force", "replace an existing output folder")
      .option("--json", "print the report's summary as JSON");
  },
  async run(positionals, options) {
    let key: Uint8Array | undefined;
    if (options.key) {
      if (!fs.existsSync(options.key)) throw new FileNotFoundError(options.key, "key file");
      key = fs.readFileSync(options.key);
      if (key.length < 16) throw new InvalidArgumentError(`--key ${options.key}: ${key.length} bytes; a key file needs at least 16 (e.g. head -c 32 /dev/urandom > key)`);
    }
    const report = await deidentify(positionals[0], options.output, {
      key,
      retainModifiedDates: !!options.retainDates,
      retainPatientCharacteristics: !!options.retainPatientCharacteristics,
      retainDeviceIdentity: !!options.retainDevice,
      cleanDescriptors: !!options.cleanDescriptors,
      force: !!options.force,
      onProgress: terminalProgress(!options.json),
      onWarning: (m) => process.stderr.write(`warning: ${m}\n`),
    });
    const summary = { output: report.output, edition: report.edition, method: report.method, key: report.key, keyFingerprint: report.keyFingerprint, files: report.files.length, changes: report.changes.length, summary: report.summary, burnedInAnnotation: report.burnedInAnnotation };
    if (options.json) printJson(summary);
    else {
      process.stdout.write(`${report.output}: ${report.files.length} files de-identified (${report.edition}); ${report.changes.length} attribute changes ${JSON.stringify(report.summary)}; key ${report.key} (fingerprint ${report.keyFingerprint})\n`);
      process.stdout.write(`report: ${report.output}/deidentification-report.csv and .json\n`);
      if (report.burnedInAnnotation.length) process.stdout.write(`BURNED-IN ANNOTATION: ${report.burnedInAnnotation.length} file(s) have BurnedInAnnotation YES; their pixels may show identifying text: ${report.burnedInAnnotation.slice(0, 5).join(", ")}\n`);
    }
    return 0;
  },
};
