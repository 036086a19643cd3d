import * as fs from "node:fs";
import * as path from "node:path";
import { EnvironmentError } from "../core/errors";

/** lib/ (this file is compiled to lib/dist/display/). */
const LIB_DIR = path.resolve(__dirname, "..", "..");
/** The prebuilt viewer bundle (`npm run build:viewer` in lib/). */
export const VIEWER_BUNDLE_FILE = path.join(LIB_DIR, "assets", "viewer.js");
const VIEWER_SOURCE = path.join(LIB_DIR, "assets", "viewer-src", "viewer.js");

let cached: string | null = null;

function mtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * The three.js viewer as one self-contained IIFE script (defines `window.UnmaskViewer`). Uses the
 * prebuilt lib/assets/viewer.js when it is at least as new as its source; otherwise bundles the
 * source in memory with esbuild (offline, ~0.5 s once per process). three 0.162 has no UMD build,
 * so a bundle is the only way to inline it in a notebook output without a CDN.
 */
export function viewerBundle(): string {
  if (cached) return cached;
  const built = mtime(VIEWER_BUNDLE_FILE);
  if (built >= 0 && built >= mtime(VIEWER_SOURCE)) {
    cached = fs.readFileSync(VIEWER_BUNDLE_FILE, "utf8");
    return cached;
  }
  if (mtime(VIEWER_SOURCE) < 0) throw new EnvironmentError(`mesh viewer bundle missing: ${VIEWER_BUNDLE_FILE}`, VIEWER_BUNDLE_FILE);
  let esbuild: typeof import("esbuild");
  try {
    esbuild = require("esbuild") as typeof import("esbuild");
  } catch (e) {
    throw new EnvironmentError(`mesh viewer bundle missing (${VIEWER_BUNDLE_FILE}) and esbuild is not installed to build it; run "npm run build:viewer" in lib/`, VIEWER_BUNDLE_FILE, { cause: e });
  }
  cached = esbuild.buildSync(viewerBuildOptions(false)).outputFiles?.[0]?.text ?? "";
  if (!cached) throw new EnvironmentError("esbuild produced no viewer bundle", VIEWER_SOURCE);
  return cached;
}

/** esbuild options for the viewer bundle (shared by the in-memory build and `build:viewer`). */
export function viewerBuildOptions(write: boolean): import("esbuild").BuildOptions & { write: boolean } {
  return {
    entryPoints: [VIEWER_SOURCE],
    bundle: true,
    format: "iife",
    minify: true,
    target: "es2019",
    write,
    outfile: VIEWER_BUNDLE_FILE,
    logLevel: "warning",
  };
}
