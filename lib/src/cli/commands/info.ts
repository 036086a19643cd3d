import { listSeries } from "../../dicom/list";
import { printJson, terminalProgress, textTable } from "../options";
import type { CliCommand } from "../types";

/** `unmask info DIR [--json] [--files]`: the series table of a folder tree (headers only). */
export const command: CliCommand = {
  name: "info",
  summary: "list the DICOM series in a folder tree (modality, size, spacing; no patient identifiers)",
  configure(cmd) {
    cmd
      .description(`Reads headers only (stops before pixel data) and lists one row per series:
series number, modality, description, slices, dimensions, voxel size, orientation,
transfer syntax and SeriesInstanceUID. Problem files (not DICOM, truncated,
non-image objects) are reported on stderr, never fatal.`)
      .argument("<path>", "DICOM folder tree or file")
      .option("--json", "machine-readable listing")
      .option("--files", "include each series' file list in the JSON");
  },
  async run(positionals, options) {
    const listing = listSeries(positionals[0], { onProgress: terminalProgress(!options.json) });
    for (const p of listing.problems) process.stderr.write(`warning: ${p.code}: ${p.message}\n`);
    if (options.json) {
      printJson({ ...listing, series: listing.series.map((s) => (options.files ? s : { ...s, files: undefined, fileCount: s.files.length })) });
      return 0;
    }
    if (listing.series.length === 0) {
      process.stdout.write(`${listing.root}: no DICOM image series (${listing.filesScanned} files scanned)\n`);
      return 1;
    }
    const rows = listing.series.map((s) => [
      s.seriesNumber ?? "",
      s.modality,
      s.description.slice(0, 40),
      s.sliceCount,
      s.dimensions.join("×"),
      [...(s.pixelSpacing ?? [NaN, NaN]), s.sliceSpacing ?? NaN].map((x) => (Number.isFinite(x) ? +x.toFixed(3) : "?")).join("×") + " mm",
      s.orientation,
      s.transferSyntax,
      s.seriesInstanceUid,
    ]);
    process.stdout.write(textTable(["#", "MODALITY", "DESCRIPTION", "SLICES", "DIMENSIONS", "VOXEL", "ORIENT", "TRANSFER SYNTAX", "SERIES UID"], rows) + "\n");
    return 0;
  },
};
