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
import { EnvironmentError } from "../core/errors";
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
interface FaceApi {
  nets: { ssdMobilenetv1: FaceApiNet; faceLandmark68Net: FaceApiNet; faceRecognitionNet: FaceApiNet };
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults?: number }) => object;
  detectAllFaces(input: TfCore.Tensor3D, options: object): {
    withFaceLandmarks(): { withFaceDescriptors(): Promise<FaceApiResult[]> };
  };
}

/** face-api's SSD minimum confidence (its documented default). */
export const FACEAPI_MIN_CONFIDENCE = 0.5;

let ready: Promise<FaceApi> | undefined;

/** face-api with its three nets loaded from the package's model/ folder; once per process. */
export function loadFaceApi(): Promise<FaceApi> {
  ready ??= (async () => {
    await tfWasm(); // wasm backend + binaries path set before face-api's tfjs initialises
    const js = packageFile("@vladmandic/face-api", "dist/face-api.node-wasm.js");
    const modelDir = path.join(path.dirname(path.dirname(js)), "model");
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const faceapi = require(js) as FaceApi;
    const { ssdMobilenetv1, faceLandmark68Net, faceRecognitionNet } = faceapi.nets;
    for (const [name, net] of Object.entries({ ssdMobilenetv1, faceLandmark68Net, faceRecognitionNet })) {
      try {
        await net.loadFromDisk(modelDir);
      } catch (cause) {
        throw new EnvironmentError(`@vladmandic/face-api: model "${name}" did not load from ${modelDir}`, modelDir, { cause });
      }
      if (!net.isLoaded) throw new EnvironmentError(`@vladmandic/face-api: model "${name}" did not load from ${modelDir}`, modelDir);
    }
    return faceapi;
  })();
  ready.catch(() => { ready = undefined; });
  return ready;
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
      const b = r.detection.box;
      const x = Math.max(0, b.x), y = Math.max(0, b.y);
      const face: Face = {
        box: { x, y, width: Math.min(image.width, b.x + b.width) - x, height: Math.min(image.height, b.y + b.height) - y },
        score: r.detection.score,
        landmarks: r.landmarks.positions.map((p) => [p.x, p.y] as [number, number]),
        detector: "face-api-ssd",
      };
      return { face, vector: Float32Array.from(r.descriptor) };
    })
    .sort((a, b) => b.face.score - a.face.score);
}

/** True once face-api's nets have loaded in this process. */
export function faceApiLoaded(): Promise<boolean> {
  return ready ? ready.then(() => true, () => false) : Promise.resolve(false);
}
