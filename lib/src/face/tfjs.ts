/**
 * TensorFlow.js start-up shared by human and face-api: one tfjs-core engine, the wasm backend with
 * its binaries read from node_modules (never the CDN default), and a load router so that
 * `file://` model URLs are read from disk (Node's fetch cannot read file://). Nothing downloads.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as TfCore from "@tensorflow/tfjs-core";
import { EnvironmentError } from "../core/errors";

export type Tf = typeof TfCore;

/** Folder of an installed package (resolving a file inside it; some packages' exports hide package.json). */
export function packageDir(name: string, probe = "package.json"): string {
  try {
    return path.dirname(require.resolve(`${name}/${probe}`));
  } catch (cause) {
    throw new EnvironmentError(`npm package ${name} is not installed (needed for face models)`, undefined, { cause });
  }
}

/** A file that must exist inside a package; a clear error naming it otherwise. */
export function packageFile(name: string, rel: string): string {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    try {
      // An exports map may hide package.json: resolve the main entry and walk up to the package root.
      dir = path.dirname(require.resolve(name));
      while (!fs.existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    } catch (cause) {
      throw new EnvironmentError(`npm package ${name} is not installed (needed for face models)`, undefined, { cause });
    }
  }
  const file = path.join(dir, rel);
  if (!fs.existsSync(file)) throw new EnvironmentError(`${name}: missing file ${rel} (reinstall the package)`, file);
  return file;
}

let tfReady: Promise<Tf> | undefined;
let tfStarted: Tf | undefined;

/** The active tfjs backend once {@link tfWasm} has run in this process ("wasm", or another if a caller switched it since), else null. */
export function tfBackend(): string | null {
  return tfStarted ? tfStarted.getBackend() : null;
}

/** tfjs-core with the wasm backend active and the file:// load router registered; once per process. */
export function tfWasm(): Promise<Tf> {
  tfReady ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const tf = require("@tensorflow/tfjs-core") as Tf;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const wasm = require("@tensorflow/tfjs-backend-wasm") as { setWasmPaths(p: string): void };
    const wasmDir = path.dirname(packageFile("@tensorflow/tfjs-backend-wasm", "dist/tfjs-backend-wasm-simd.wasm")) + path.sep;
    wasm.setWasmPaths(wasmDir);
    registerFileRouter(tf);
    if (tf.getBackend() !== "wasm") {
      const ok = await tf.setBackend("wasm");
      if (!ok) throw new EnvironmentError(`tfjs wasm backend failed to start (binaries in ${wasmDir})`, wasmDir);
    }
    await tf.ready();
    tfStarted = tf;
    return tf;
  })();
  return tfReady;
}

let routerRegistered = false;

/** Read `file://…/model.json` and its weight shards from disk. */
function registerFileRouter(tf: Tf): void {
  if (routerRegistered) return;
  routerRegistered = true;
  // tfjs types the router as never returning null, but null is how a router declines a URL.
  tf.io.registerLoadRouter(((url: string | string[]) => {
    if (typeof url !== "string" || !url.startsWith("file://")) return null;
    const file = decodeURIComponent(url.slice("file://".length));
    return {
      load: async () => {
        if (!fs.existsSync(file)) throw new EnvironmentError(`model file missing: ${file}`, file);
        const json = JSON.parse(fs.readFileSync(file, "utf8")) as TfCore.io.ModelJSON;
        return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
          const specs: TfCore.io.WeightsManifestEntry[] = [];
          const buffers: Buffer[] = [];
          for (const group of manifest) {
            specs.push(...group.weights);
            for (const p of group.paths) buffers.push(fs.readFileSync(path.join(path.dirname(file), p)));
          }
          const all = Buffer.concat(buffers);
          const data = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
          return [specs, data];
        });
      },
    };
  }) as unknown as Parameters<Tf["io"]["registerLoadRouter"]>[0]);
}
