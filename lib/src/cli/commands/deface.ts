import * as path from "node:path";
import { InvalidArgumentError } from "../../core/errors";
import { defaceFiles, readRenderThresholds } from "../../anonymize/deface-run";
import type { DefaceMethod } from "../../anonymize/deface";
import { numberOption, printJson, printWarning } from "../options";
import type { CliCommand } from "../types";

const METHODS: DefaceMethod[] = ["deface", "quickshear", "blur", "skullstrip"];

/** `unmask deface DIR -o OUT [--method …]`: remove the face, write DICOM (de-identified) or NIfTI, verify. */
export const command: CliCommand = {
  name: "deface",
  summary: "remove the face from a head CT or MRI (deface, quickshear, blur, skullstrip), write DICOM or NIfTI, verify with the face-presence verdict",
  configure(cmd) {
    cmd
      .description(`The face region comes from the data (the facial profile: nose tip, eyes, brow, chin),
so any orientation and a cut field of view work; the brain mask is never touched.
Output: a new DICOM series folder with de-identified headers (PS3.15 Basic Profile), or
one NIfTI-1 file (-o OUT.nii.gz) in patient coordinates, atomically, with a report
(deface-report.json / OUT.deface.json). Unless --no-verify, the fused face verdict is
checked before (must be "yes") and after at three levels, and every recognizer tries to
match the defaced front render to the original's.`)
      .argument("<input>", "DICOM folder or NIfTI file")
      .option("-o, --output <out>", "output DICOM folder, or OUT.nii / OUT.nii.gz (required)")
      .option("--method <m>", "deface (default), quickshear, blur or skullstrip")
      .option("--protect <mask>", "NIfTI label file on the scan's grid: voxels > 0 are kept (e.g. a target volume)")
      .option("--format <f>", "dicom or nifti (default: from the output name)")
      .option("--level <x>", "skin level (default -300 HU for CT, the histogram's otherwise)")
      .option("--thresholds <result.json>", "re-identification thresholds: the EER thresholds an `unmask experiment` result.json measured on renders (default: each recognizer's photo threshold)")
      .option("--no-verify", "skip the verification (face-presence verdicts and re-identification)")
      .option("--force", "replace an existing output")
      .option("--json", "print the report as JSON");
  },
  async run(positionals, options) {
    const out = options.output as string | undefined;
    if (!out) throw new InvalidArgumentError("unmask deface: -o OUT is required");
    const method = (options.method ?? "deface") as DefaceMethod;
    if (!METHODS.includes(method)) throw new InvalidArgumentError(`--method must be one of ${METHODS.join(", ")}, got "${method}"`);
    const format = options.format as "dicom" | "nifti" | undefined;
    if (format && format !== "dicom" && format !== "nifti") throw new InvalidArgumentError(`--format must be dicom or nifti, got "${format}"`);
    const r = await defaceFiles(positionals[0], out, {
      method, format, level: numberOption(options.level, "level"), protect: options.protect, thresholds: options.thresholds ? readRenderThresholds(options.thresholds as string) : undefined, force: !!options.force, verify: options.verify !== false, onWarning: printWarning,
    });
    if (options.json) { printJson(r); return 0; }
    const d = r.deface;
    process.stdout.write(`${path.resolve(out)}: ${d.method}, ${d.voxelsChanged} voxels changed in ${(d.timeMs / 1000).toFixed(1)} s (${r.format})\n`);
    if (r.verification) {
      const v = r.verification;
      process.stdout.write(`face before: ${v.before.present} (${v.before.score.toFixed(2)} at level ${v.before.level})\n`);
      for (const a of v.after) process.stdout.write(`face after at level ${a.level}: ${a.present} (${a.score.toFixed(2)}): ${a.reason}\n`);
      for (const x of v.reidentification) process.stdout.write(`re-identification, ${x.recognizer}: ${x.reason}\n`);
      process.stdout.write(v.verified
        ? "verified: no face found after defacing at any level, and no recognizer matches the defaced render to the original\n"
        : `NOT verified: ${[!v.faceRemoved && "a face (or an uncertain one) is still found after defacing", v.reidentified && "a recognizer re-identifies the defaced render"].filter(Boolean).join("; ")} — review before publishing\n`);
    }
    return 0;
  },
};
