import { InvalidArgumentError } from "../../core/errors";
import { FacePipeline } from "../../experiment/pipeline";
import { meshArea } from "../../surface/measure";
import { largestComponent } from "../../surface/components";
import { meshFormatOf, writeMesh } from "../../surface/io";
import { numberOption, printJson, printWarning, SKIP_DAMAGED_FLAGS, SKIP_DAMAGED_HELP, terminalProgress } from "../options";
import type { CliCommand } from "../types";

/** `unmask surface DIR -o mesh.ply [--level -300] [--spacing 1] [--largest] [--json]`: isosurface to a mesh file. */
export const command: CliCommand = {
  name: "surface",
  summary: "extract an isosurface (marching cubes, e.g. skin at -300 HU) from a DICOM series to PLY/STL/OBJ",
  configure(cmd) {
    cmd
      .description(`Loads the series in DIR (CT in Hounsfield units), optionally resamples it to an isotropic
voxel size with a cubic B-spline (the seed used 1 mm), runs marching cubes at --level and
writes the mesh in the format named by the extension (binary PLY, binary STL, text OBJ),
in patient coordinates (LPS, mm). Prints triangle count, area (cm²) and time.`)
      .argument("<dir>", "DICOM folder")
      .option("-o, --output <file>", "output mesh (.ply, .stl or .obj)")
      .option("--level <x>", "isovalue in the volume's units (default -300: skin/air in CT)")
      .option("--spacing <mm>", "resample to MM isotropic first (cubic B-spline); default: native grid")
      .option("--series <uid>", "SeriesInstanceUID when the folder holds several series")
      .option(SKIP_DAMAGED_FLAGS, SKIP_DAMAGED_HELP)
      .option("--largest", "keep only the largest connected component")
      .option("--normals", "store per-vertex normals (PLY, OBJ)")
      .option("--cache <dir>", "take/keep the volume and surface in this pipeline cache folder (default: no cache)")
      .option("--json", "machine-readable result");
  },
  async run(positionals, options) {
    const out = options.output as string | undefined;
    if (typeof out !== "string") throw new InvalidArgumentError("unmask surface: give the output mesh with -o FILE.ply|.stl|.obj");
    meshFormatOf(out); // fail on a bad extension before the slow part
    const level = numberOption(options.level, "level", -300);
    const spacing = options.spacing === undefined ? undefined : numberOption(options.spacing, "spacing", 1);
    if (spacing !== undefined && !(spacing > 0)) throw new InvalidArgumentError(`--spacing must be positive, got ${spacing}`);
    const progress = terminalProgress(!options.json);
    const t0 = performance.now();
    // The scan-to-face pipeline's load and surface stages with this command's defaults (cubic resampling).
    // One extraction per process: worker threads start on first use and would only pay from the second.
    const pipeline = new FacePipeline({ cache: typeof options.cache === "string" ? options.cache : null, surfaceWorkers: 1, onProgress: progress, onWarning: printWarning });
    const input = { path: positionals[0], series: typeof options.series === "string" ? options.series : undefined, strict: !options.skipDamaged };
    const stage = { level, spacing, interpolation: "cubic" as const, normals: !!options.normals };
    await pipeline.volume(input, { ...stage, spacing: undefined });
    const tLoad = performance.now();
    const volume = await pipeline.volume(input, stage);
    const tResample = performance.now();
    let { mesh } = await pipeline.surface(input, stage);
    const tSurface = performance.now();
    if (options.largest) mesh = largestComponent(mesh);
    writeMesh(out, mesh);
    const tEnd = performance.now();
    const result = {
      output: out,
      // With --cache: which pipeline stages came from the cache folder and which were computed.
      ...(typeof options.cache === "string" ? { cache: { dir: pipeline.cache.dir, counts: pipeline.counts } } : {}),
      level,
      shape: volume.shape,
      spacing: volume.spacing,
      vertices: mesh.positions.length / 3,
      triangles: mesh.triangles.length / 3,
      areaCm2: meshArea(mesh) / 100,
      timeMs: { load: tLoad - t0, resample: tResample - tLoad, marchingCubes: tSurface - tResample, total: tEnd - t0 },
    };
    if (options.json) {
      printJson(result);
    } else {
      process.stdout.write(
        `${out}: ${result.triangles.toLocaleString("en-US")} triangles, ${result.vertices.toLocaleString("en-US")} vertices, ` +
          `area ${result.areaCm2.toFixed(1)} cm² at ${level} on ${volume.shape.join("×")} voxels of ${volume.spacing.map((s) => +s.toFixed(3)).join("×")} mm\n` +
          `time: marching cubes ${result.timeMs.marchingCubes.toFixed(0)} ms (load ${result.timeMs.load.toFixed(0)} ms` +
          (spacing ? `, resample ${result.timeMs.resample.toFixed(0)} ms` : "") + `, total ${result.timeMs.total.toFixed(0)} ms)\n`,
      );
    }
    return 0;
  },
};
