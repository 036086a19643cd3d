/**
 * ORB keypoints and brute-force Hamming matching with cross-check through opencv-wasm (OpenCV 4.3
 * compiled to WebAssembly), as the seed's script 4a: cv2.ORB_create(), BFMatcher(NORM_HAMMING,
 * crossCheck=True), matches sorted by distance.
 *
 * opencv-wasm loads synchronously with require(); its module object is a thenable, so it is never
 * awaited or returned from an async function (that loops forever). Every Mat/vector is deleted in a
 * finally block: the wasm heap is not garbage collected.
 */
import { EnvironmentError, InvalidArgumentError } from "../core/errors";
import type { DescriptorMatch } from "./kdforest";
import type { GrayPixels, Keypoint } from "./sift";

/** ORB keypoints and their 32-byte binary descriptors (row i = keypoint i). */
export interface OrbFeatures {
  keypoints: Keypoint[];
  /** keypoints.length × 32 bytes. */
  descriptors: Uint8Array;
  width: number;
  height: number;
}

/** Options of detectOrb; defaults are cv2.ORB_create()'s. */
export interface OrbOptions {
  /** Maximum number of keypoints (500). */
  nfeatures?: number;
  /** Pyramid decimation ratio (1.2). */
  scaleFactor?: number;
  /** Pyramid levels (8). */
  nlevels?: number;
}

/** Length of an ORB descriptor in bytes (256 bits). */
export const ORB_DESCRIPTOR_BYTES = 32;

// The few parts of the opencv.js API used here (its bundled typings are incomplete).
interface CvMat {
  rows: number;
  cols: number;
  data: Uint8Array;
  delete(): void;
}
interface CvKeyPoint {
  pt: { x: number; y: number };
  size: number;
  angle: number;
  response: number;
  octave: number;
}
interface CvVector<T> {
  size(): number;
  get(i: number): T;
  delete(): void;
}
interface CvDMatch {
  queryIdx: number;
  trainIdx: number;
  distance: number;
}
interface CvOrb {
  detectAndCompute(img: CvMat, mask: CvMat, kp: CvVector<CvKeyPoint>, des: CvMat): void;
  delete(): void;
}
interface CvBf {
  match(q: CvMat, t: CvMat, out: CvVector<CvDMatch>): void;
  delete(): void;
}
interface Cv {
  CV_8UC1: number;
  NORM_HAMMING: number;
  Mat: new (rows?: number, cols?: number, type?: number) => CvMat;
  KeyPointVector: new () => CvVector<CvKeyPoint>;
  DMatchVector: new () => CvVector<CvDMatch>;
  ORB: new (nfeatures: number, scaleFactor: number, nlevels: number) => CvOrb;
  BFMatcher: new (normType: number, crossCheck: boolean) => CvBf;
}

let cvModule: Cv | undefined;

/** The opencv-wasm module, loaded once (synchronously; see the note at the top). */
function opencv(): Cv {
  if (!cvModule) {
    try {
      cvModule = (require("opencv-wasm") as { cv: Cv }).cv;
    } catch (cause) {
      throw new EnvironmentError("opencv-wasm is not installed (needed for ORB matching)", undefined, { cause });
    }
  }
  return cvModule;
}

/** Detect ORB keypoints and compute their binary descriptors on a grey image (cv2.ORB_create().detectAndCompute). */
export function detectOrb(gray: GrayPixels, opts: OrbOptions = {}): OrbFeatures {
  const cv = opencv();
  const { width, height } = gray;
  if (!(width > 0 && height > 0) || gray.data.length < width * height) {
    throw new InvalidArgumentError(`detectOrb: need a non-empty grey image with width×height values, got ${width}×${height}`);
  }
  const img = new cv.Mat(height, width, cv.CV_8UC1);
  const mask = new cv.Mat();
  const kp = new cv.KeyPointVector();
  const des = new cv.Mat();
  const orb = new cv.ORB(opts.nfeatures ?? 500, opts.scaleFactor ?? 1.2, opts.nlevels ?? 8);
  try {
    const d = img.data;
    for (let i = 0; i < width * height; i++) d[i] = gray.data[i];
    orb.detectAndCompute(img, mask, kp, des);
    const n = kp.size();
    const keypoints: Keypoint[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const k = kp.get(i);
      keypoints[i] = { x: k.pt.x, y: k.pt.y, size: k.size, angle: k.angle, response: k.response, octave: k.octave };
    }
    const descriptors = n > 0 ? new Uint8Array(des.data.subarray(0, n * ORB_DESCRIPTOR_BYTES)) : new Uint8Array(0);
    return { keypoints, descriptors, width, height };
  } finally {
    orb.delete();
    des.delete();
    kp.delete();
    mask.delete();
    img.delete();
  }
}

/** Brute-force Hamming matches with cross-check (cv2.BFMatcher(NORM_HAMMING, crossCheck=True).match), sorted by distance. */
export function matchOrb(a: OrbFeatures, b: OrbFeatures): DescriptorMatch[] {
  const na = a.keypoints.length;
  const nb = b.keypoints.length;
  if (na === 0 || nb === 0) return [];
  const cv = opencv();
  const da = new cv.Mat(na, ORB_DESCRIPTOR_BYTES, cv.CV_8UC1);
  const db = new cv.Mat(nb, ORB_DESCRIPTOR_BYTES, cv.CV_8UC1);
  const bf = new cv.BFMatcher(cv.NORM_HAMMING, true);
  const mv = new cv.DMatchVector();
  try {
    da.data.set(a.descriptors);
    db.data.set(b.descriptors);
    bf.match(da, db, mv);
    const out: DescriptorMatch[] = [];
    for (let i = 0; i < mv.size(); i++) {
      const m = mv.get(i);
      out.push({ queryIdx: m.queryIdx, trainIdx: m.trainIdx, distance: m.distance });
    }
    // Stable sort as Python's sorted(matches, key=lambda m: m.distance).
    return out.sort((p, q) => p.distance - q.distance);
  } finally {
    mv.delete();
    bf.delete();
    db.delete();
    da.delete();
  }
}
