/**
 * The dlib-style recognizer: @vladmandic/face-api's faceRecognitionNet (a port of dlib's
 * 128-d ResNet that the seed reached through `face_recognition`), with face-api's own SSD
 * MobileNet detector and 68-point landmarks for alignment, as its pipeline expects. The node-wasm
 * build needs the full @tensorflow/tfjs; it shares tfjs-core (one engine, one wasm backend) with
 * human, so both run in one process (measured: no clash, detections unchanged after loading it).
 */
import * as path from "node:path";
import type * as TfCore from "@tensorflow/tfjs-core";
import type { RgbaImage } from "../image/types";
import { EnvironmentError, InvalidArgumentError } from "../core/errors";
import type { Face } from "./types";
import { packageFile, tfWasm } from "./tfjs";
import { rgbTensor } from "./human";

interface FaceApiBox { x: number; y: number; width: number; height: number }
interface FaceApiResult {
  detection: { score: number; box: FaceApiBox };
  landmarks: { positions: { x: number; y: number }[] };
  descriptor: Float32Array;
}
interface FaceApiNet { loadFromDisk(dir: string): Promise<void>; isLoaded: boolean }
type FaceApiNetName = "ssdMobilenetv1" | "tinyFaceDetector" | "faceLandmark68Net" | "faceRecognitionNet";
interface FaceApi {
  nets: Record<FaceApiNetName, FaceApiNet>;
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults?: number }) => object;
  TinyFaceDetectorOptions: new (o: { inputSize: number; scoreThreshold: number }) => object;
  detectAllFaces(input: TfCore.Tensor3D, options: object): PromiseLike<{ score: number; box: FaceApiBox }[]> & {
    withFaceLandmarks(): { withFaceDescriptors(): Promise<FaceApiResult[]> };
  };
}

/** face-api's SSD minimum confidence (its documented default). */
export const FACEAPI_MIN_CONFIDENCE = 0.5;

/** face-api's TinyFaceDetector defaults (TinyFaceDetectorOptions: input 416 px, score threshold 0.5). */
export const TINY_FACE_DEFAULTS = { inputSize: 416, scoreThreshold: 0.5 } as const;

let moduleReady: Promise<{ faceapi: FaceApi; modelDir: string }> | undefined;
const netReady = new Map<FaceApiNetName, Promise<void>>();

/** The face-api module (node-wasm build, sharing tfjs-core with human); once per process. */
function faceApiModule(): Promise<{ faceapi: FaceApi; modelDir: string }> {
  moduleReady ??= (async () => {
    await tfWasm(); // wasm backend + binaries path set before face-api's tfjs initialises
    const js = packageFile("@vladmandic/face-api", "dist/face-api.node-wasm.js");
    const modelDir = path.join(path.dirname(path.dirname(js)), "model");
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return { faceapi: require(js) as FaceApi, modelDir };
  })();
  moduleReady.catch(() => { moduleReady = undefined; });
  return moduleReady;
}

/** face-api with the named nets loaded from the package's model/ folder; each net once per process. */
async function faceApiWith(names: FaceApiNetName[]): Promise<FaceApi> {
  const { faceapi, modelDir } = await faceApiModule();
  for (const name of names) {
    let p = netReady.get(name);
    if (!p) {
      const net = faceapi.nets[name];
      p = (async () => {
        try {
          await net.loadFromDisk(modelDir);
        } catch (cause) {
          throw new EnvironmentError(`@vladmandic/face-api: model "${name}" did not load from ${modelDir}`, modelDir, { cause });
        }
        if (!net.isLoaded) throw new EnvironmentError(`@vladmandic/face-api: model "${name}" did not load from ${modelDir}`, modelDir);
      })();
      p.catch(() => netReady.delete(name));
      netReady.set(name, p);
    }
    await p;
  }
  return faceapi;
}

/** face-api with the recognizer's three nets (SSD, 68 landmarks, recognition) loaded; once per process. */
export function loadFaceApi(): Promise<FaceApi> {
  return faceApiWith(["ssdMobilenetv1", "faceLandmark68Net", "faceRecognitionNet"]);
}

/** Options for the face-api detectors (their library defaults unless given). */
export interface FaceApiDetectOptions {
  /** SSD: minimum confidence (default 0.5); Tiny: score threshold (default 0.5). */
  minScore?: number;
  /** Tiny only: the square input size the image is scaled to, a multiple of 32 (default 416). */
  inputSize?: number;
}

/**
 * Faces found by face-api's SSD MobileNet v1 ("ssd") or TinyFaceDetector ("tiny"), best first.
 * Scores are the networks' own 0–1 face probabilities; boxes are clipped to the image.
 */
export async function faceApiDetect(image: RgbaImage, which: "ssd" | "tiny", options: FaceApiDetectOptions = {}): Promise<Face[]> {
  const faceapi = await faceApiWith([which === "ssd" ? "ssdMobilenetv1" : "tinyFaceDetector"]);
  const minScore = options.minScore ?? (which === "ssd" ? FACEAPI_MIN_CONFIDENCE : TINY_FACE_DEFAULTS.scoreThreshold);
  if (!(minScore >= 0 && minScore <= 1)) throw new InvalidArgumentError(`face-api minimum score must be in [0, 1], got ${minScore}`);
  const inputSize = options.inputSize ?? TINY_FACE_DEFAULTS.inputSize;
  if (!(Number.isInteger(inputSize) && inputSize >= 32 && inputSize % 32 === 0)) {
    throw new InvalidArgumentError(`TinyFaceDetector inputSize must be a multiple of 32, got ${inputSize}`);
  }
  const opts = which === "ssd"
    ? new faceapi.SsdMobilenetv1Options({ minConfidence: minScore })
    : new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: minScore });
  const tf = await tfWasm();
  const input4 = rgbTensor(tf, image);
  const input = tf.squeeze(input4, [0]) as TfCore.Tensor3D;
  input4.dispose();
  let found: { score: number; box: FaceApiBox }[];
  try {
    found = await faceapi.detectAllFaces(input, opts);
  } finally {
    input.dispose();
  }
  const detector = which === "ssd" ? "ssd" : "tiny";
  return found
    .map((d) => ({ box: clipBox(d.box, image), score: Math.max(0, Math.min(1, d.score)), detector }))
    .filter((f) => f.box.width > 0 && f.box.height > 0)
    .sort((a, b) => b.score - a.score);
}

function clipBox(b: FaceApiBox, image: RgbaImage): FaceApiBox {
  const x = Math.max(0, b.x), y = Math.max(0, b.y);
  return { x, y, width: Math.min(image.width, b.x + b.width) - x, height: Math.min(image.height, b.y + b.height) - y };
}

/** Faces found by face-api (SSD + 68 landmarks) with their 128-d descriptors, best first. */
export async function faceApiEncode(image: RgbaImage): Promise<{ face: Face; vector: Float32Array }[]> {
  const faceapi = await loadFaceApi();
  const tf = await tfWasm();
  const input4 = rgbTensor(tf, image);
  const input = tf.squeeze(input4, [0]) as TfCore.Tensor3D;
  input4.dispose();
  let results: FaceApiResult[];
  try {
    results = await faceapi
      .detectAllFaces(input, new faceapi.SsdMobilenetv1Options({ minConfidence: FACEAPI_MIN_CONFIDENCE }))
      .withFaceLandmarks()
      .withFaceDescriptors();
  } finally {
    input.dispose();
  }
  return results
    .map((r) => {
      const face: Face = {
        box: clipBox(r.detection.box, image),
        score: r.detection.score,
        landmarks: r.landmarks.positions.map((p) => [p.x, p.y] as [number, number]),
        detector: "face-api-ssd",
      };
      return { face, vector: Float32Array.from(r.descriptor) };
    })
    .sort((a, b) => b.face.score - a.face.score);
}

/** True once any face-api net has loaded in this process (each loads on its first use). */
export async function faceApiLoaded(): Promise<boolean> {
  for (const p of netReady.values()) if (await p.then(() => true, () => false)) return true;
  return false;
}
