/**
 * @vladmandic/human at the edge: blazeface + the 468-point face mesh, loaded offline once per
 * process from the package's own models/ folder (the node-wasm build by file path, local wasm
 * binaries, a file:// load router, no caching between calls: see face/README.md).
 */
import * as path from "node:path";
import type * as TfCore from "@tensorflow/tfjs-core";
import type { RgbaImage } from "../image/types";
import { EnvironmentError } from "../core/errors";
import type { Face } from "./types";
import { packageDir, packageFile, tfWasm, type Tf } from "./tfjs";
import { dedupeFaces, boundsOf } from "./boxes";

/** The part of human's result this module reads. */
interface HumanFace {
  score: number;
  box: [number, number, number, number];
  mesh: [number, number, number][];
  tensor?: TfCore.Tensor;
}
interface HumanInstance {
  load(): Promise<void>;
  detect(input: TfCore.Tensor): Promise<{ face: HumanFace[]; error?: string | null }>;
  models: { list(): { name: string; loaded: boolean; size: number; url: string | null }[] };
}
type HumanModule = { Human: new (config: object) => HumanInstance };

/** Models human must have loaded (with weights) for detection; checked after loading. */
export const HUMAN_DETECTION_MODELS = ["blazeface", "facemesh"] as const;

let humanReady: Promise<{ human: HumanInstance; tf: Tf }> | undefined;

/**
 * The shared human instance (blazeface + facemesh, nothing else), loaded on first use from the
 * package's models/ folder. `modelDir` replaces that folder (used to check the missing-model error;
 * human keeps its models in module-level state, so use one folder per process).
 */
export function loadHuman(modelDir?: string): Promise<{ human: HumanInstance; tf: Tf }> {
  humanReady ??= (async () => {
    const tf = await tfWasm();
    const humanJs = packageFile("@vladmandic/human", "dist/human.node-wasm.js");
    modelDir ??= path.join(path.dirname(path.dirname(humanJs)), "models");
    const wasmDir = packageDir("@tensorflow/tfjs-backend-wasm", "dist/tfjs-backend-wasm-simd.wasm") + path.sep;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { Human } = require(humanJs) as HumanModule;
    const human = new Human({
      backend: "wasm",
      wasmPath: wasmDir,
      modelBasePath: "file://" + modelDir + "/",
      // human logs failed model loads itself; the check below turns them into one clear error.
      debug: false,
      async: false,
      warmup: "none",
      // Without these, repeated detections on similar images return cached boxes.
      cacheSensitivity: 0,
      skipAllowed: false,
      filter: { enabled: false },
      face: {
        enabled: true,
        detector: { rotation: false, maxDetected: 20, skipFrames: 0, skipTime: 0, minConfidence: 0.2, return: true },
        mesh: { enabled: true },
        iris: { enabled: false },
        emotion: { enabled: false },
        description: { enabled: false },
        antispoof: { enabled: false },
        liveness: { enabled: false },
        attention: { enabled: false },
      },
      body: { enabled: false },
      hand: { enabled: false },
      object: { enabled: false },
      gesture: { enabled: false },
      segmentation: { enabled: false },
    });
    await human.load();
    // human logs a failed model load and carries on: check every model really has weights.
    const list = human.models.list();
    for (const name of HUMAN_DETECTION_MODELS) {
      const m = list.find((x) => x.name === name);
      if (!m || !m.loaded || !(m.size > 0)) {
        throw new EnvironmentError(`@vladmandic/human: model "${name}" did not load from ${modelDir} (${name}.json / ${name}.bin missing or unreadable)`, modelDir);
      }
    }
    return { human, tf };
  })();
  humanReady.catch(() => { humanReady = undefined; });
  return humanReady;
}

/** RGB tensor [1, h, w, 3] (int32) from an RGBA image; alpha is dropped. */
export function rgbTensor(tf: Tf, image: RgbaImage): TfCore.Tensor4D {
  const { width, height, data } = image;
  const rgb = new Int32Array(width * height * 3);
  for (let i = 0, j = 0; i < width * height; i++, j += 3) {
    rgb[j] = data[4 * i];
    rgb[j + 1] = data[4 * i + 1];
    rgb[j + 2] = data[4 * i + 2];
  }
  return tf.tensor4d(rgb, [1, height, width, 3], "int32");
}

/** A detected face plus human's face crop (float 0–1, [1, h, w, 3]); the caller disposes `crop`. */
export interface HumanDetection {
  face: Face;
  crop?: TfCore.Tensor;
}

/** Run human on an image: faces with tight mesh boxes, best first; crops kept only if asked. */
export async function humanDetect(image: RgbaImage, keepCrops = false): Promise<HumanDetection[]> {
  const { human, tf } = await loadHuman();
  const input = rgbTensor(tf, image);
  let result: Awaited<ReturnType<HumanInstance["detect"]>>;
  try {
    result = await human.detect(input);
  } finally {
    input.dispose();
  }
  if (result.error) throw new EnvironmentError(`@vladmandic/human: ${result.error}`);
  const found: HumanDetection[] = result.face.map((f) => {
    const landmarks = f.mesh.map((p) => [p[0], p[1]] as [number, number]);
    // human's `box` is an enlarged crop; the mesh bounds are the tight face (face/README.md).
    const box = landmarks.length ? boundsOf(landmarks, image.width, image.height) : { x: f.box[0], y: f.box[1], width: f.box[2], height: f.box[3] };
    return { face: { box, score: Math.max(0, Math.min(1, f.score)), landmarks, detector: "human" }, crop: f.tensor };
  });
  // human can report one face twice at two scales: keep the better of overlapping boxes.
  const kept = new Set(dedupeFaces(found.map((d) => d.face)));
  const out: HumanDetection[] = [];
  for (const d of found) {
    if (kept.has(d.face) && keepCrops) out.push(d);
    else if (kept.has(d.face)) { d.crop?.dispose(); out.push({ face: d.face }); }
    else d.crop?.dispose();
  }
  out.sort((a, b) => b.face.score - a.face.score || area(b.face) - area(a.face));
  return out;
}

function area(f: Face): number {
  return f.box.width * f.box.height;
}

/** True once the shared human instance has loaded its models in this process. */
export function humanLoaded(): Promise<boolean> {
  return humanReady ? humanReady.then(() => true, () => false) : Promise.resolve(false);
}
