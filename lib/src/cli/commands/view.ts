import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError, FileNotFoundError } from "../../core/errors";
import { FacePipeline } from "../../experiment/pipeline";
import { readMesh } from "../../surface/io";
import type { Mesh } from "../../surface/types";
import { show } from "../../display/show";
import { HU_WINDOWS, type WindowSpec } from "../../display/slices";
import { numberOption, printJson, printWarning, SKIP_DAMAGED_FLAGS, SKIP_DAMAGED_HELP, terminalProgress } from "../options";
import type { CliCommand } from "../types";

const MESH_EXT = /\.(ply|stl|obj)$/i;

/** `unmask view INPUT -o OUT.html|OUT.png`: an offline 3D viewer page, or three orthogonal slices. */
export const command: CliCommand = {
  name: "view",
  summary: "write an offline interactive 3D viewer page (.html) of the isosurface or a mesh file, or orthogonal slices (.png)",
  configure(cmd) {
    cmd
      .description(`INPUT is a DICOM folder or a mesh file (.ply, .stl, .obj in patient mm).
  -o FILE.html: a self-contained page with an interactive three.js viewer (rotate, zoom, pan;
                no network needed): the isosurface at --level of the DICOM series, or the mesh
                file, decimated to --max-triangles
  -o FILE.png:  axial, coronal and sagittal slices through --index (default: the middle),
                radiological orientation, labelled, in a --window (default soft-tissue for CT,
                1st–99.5th percentile for MR)`)
      .argument("<input>", "DICOM folder or mesh file")
      .option("-o, --output <file>", "FILE.html (3D viewer) or FILE.png (slices)")
      .option("--level <x>", "isovalue for the surface (default -300: skin/air in CT)")
      .option("--max-triangles <n>", "decimate the viewer's mesh to at most N triangles (default 200000)")
      .option("--view <name>", "initial camera: front, back, left, right, top (default front)")
      .option("--series <uid>", "SeriesInstanceUID when the folder holds several series")
      .option(SKIP_DAMAGED_FLAGS, SKIP_DAMAGED_HELP)
      .option("--window <w>", "slices: skin, brain, soft-tissue, bone, lung or CENTER,WIDTH")
      .option("--index <i,j,k>", "slices: voxel indices of the three planes (default: the middle)")
      .option("--cache <dir>", "take/keep the volume and surface in this pipeline cache folder (default: no cache)")
      .option("--json", "machine-readable result");
  },
  async run(positionals, options) {
    const input = positionals[0];
    const out = options.output as string | undefined;
    if (typeof out !== "string" || !/\.(html|png)$/i.test(out)) throw new InvalidArgumentError("unmask view: -o FILE.html (3D viewer) or -o FILE.png (slices) is required");
    if (!fs.existsSync(input)) throw new FileNotFoundError(input, "DICOM folder or mesh file");
    const progress = terminalProgress(!options.json);
    const t0 = performance.now();
    // The scan-to-face pipeline's load and surface stages (native grid, as this command always did).
    const pipeline = new FacePipeline({ cache: typeof options.cache === "string" ? options.cache : null, onProgress: progress, onWarning: printWarning });
    let result: Record<string, unknown>;
    if (/\.png$/i.test(out)) {
      if (MESH_EXT.test(input)) throw new InvalidArgumentError("unmask view: slices (-o .png) need a DICOM folder, not a mesh file");
      const volume = await pipeline.volume({ path: input, series: typeof options.series === "string" ? options.series : undefined, strict: !options.skipDamaged });
      const r = show.slices(volume, { window: parseWindow(options.window), index: parseIndex(options.index), save: out, quiet: true });
      result = {
        output: out,
        window: r.window,
        panels: r.panels.map((p) => ({ plane: p.plane, voxelAxis: "ijk"[p.voxelAxis], index: p.index, edges: p.edges })),
      };
    } else {
      const level = numberOption(options.level, "level", -300);
      const maxTriangles = numberOption(options.maxTriangles, "max-triangles", 200_000);
      const view = (options.view ?? "front") as string;
      if (!["front", "back", "left", "right", "top"].includes(view)) throw new InvalidArgumentError(`--view must be front, back, left, right or top, got "${view}"`);
      let mesh: Mesh;
      if (MESH_EXT.test(input) && fs.statSync(input).isFile()) mesh = readMesh(input);
      else mesh = (await pipeline.surface({ path: input, series: typeof options.series === "string" ? options.series : undefined, strict: !options.skipDamaged }, { level })).mesh;
      const r = show.mesh(mesh, {
        maxTriangles, view: view as "front", title: `${path.basename(path.resolve(input))}${MESH_EXT.test(input) ? "" : ` at ${level}`}`, save: out, quiet: true,
      });
      result = { output: out, sourceTriangles: mesh.triangles.length / 3, triangles: r.triangles, bytes: fs.statSync(out).size };
    }
    result.timeMs = performance.now() - t0;
    if (options.json) printJson(result);
    else process.stdout.write(`${out}: ${"triangles" in result ? `viewer of ${result.triangles} triangles (from ${result.sourceTriangles}), ${((result.bytes as number) / 1e6).toFixed(1)} MB` : "axial, coronal and sagittal slices"} in ${(result.timeMs as number).toFixed(0)} ms\n`);
    return 0;
  },
};

function parseWindow(v: string | boolean | undefined): WindowSpec | undefined {
  if (v === undefined || typeof v === "boolean") return undefined;
  if (v in HU_WINDOWS) return v as keyof typeof HU_WINDOWS;
  const m = /^(-?\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/.exec(v);
  if (!m) throw new InvalidArgumentError(`--window must be one of ${Object.keys(HU_WINDOWS).join(", ")} or CENTER,WIDTH (got "${v}")`);
  return { center: Number(m[1]), width: Number(m[2]) };
}

function parseIndex(v: string | boolean | undefined): [number, number, number] | undefined {
  if (v === undefined || typeof v === "boolean") return undefined;
  const parts = v.split(",").map(Number);
  if (parts.length !== 3 || parts.some((x) => !Number.isInteger(x) || x < 0)) throw new InvalidArgumentError(`--index must be I,J,K voxel indices (got "${v}")`);
  return parts as [number, number, number];
}
