/**
 * OpenCV's Haar cascade (the seed's detector: haarcascade_frontalface_default.xml, scaleFactor 1.1,
 * minNeighbors 4, on the grey image) through opencv-wasm. The XML ships in lib/assets with its
 * Intel licence header. The cv module is a thenable — never await or return it from an async
 * function — and every Mat is deleted (face/README.md, "opencv-wasm").
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { RgbaImage } from "../image/types";
import { EnvironmentError, InvalidArgumentError } from "../core/errors";
import type { Face } from "./types";
import { deepFreeze } from "../core/freeze";

/** The seed's cascade parameters. */
export const HAAR_DEFAULTS = deepFreeze({ scaleFactor: 1.1, minNeighbors: 4, minSize: 0 } as const);

/** Where the shipped cascade lives (lib/assets, next to lib/dist). */
export const HAAR_CASCADE_PATH = path.resolve(__dirname, "..", "..", "assets", "haarcascade_frontalface_default.xml");

// The minimal slice of opencv.js used here.
interface CvMat { delete(): void }
interface CvRect { x: number; y: number; width: number; height: number }
interface CvVector<T> { size(): number; get(i: number): T; delete(): void }
interface CvCascade { load(p: string): boolean; detectMultiScale2(img: CvMat, rects: CvVector<CvRect>, levels: CvVector<number>, scale: number, minNeighbors: number, flags: number, minSize: unknown, maxSize: unknown): void; delete(): void }
interface Cv {
  Mat: new () => CvMat;
  matFromImageData(img: { data: Uint8ClampedArray; width: number; height: number }): CvMat;
  cvtColor(src: CvMat, dst: CvMat, code: number): void;
  COLOR_RGBA2GRAY: number;
  RectVector: new () => CvVector<CvRect>;
  IntVector: new () => CvVector<number>;
  Size: new (w: number, h: number) => unknown;
  CascadeClassifier: new () => CvCascade;
  FS_createDataFile(parent: string, name: string, data: Uint8Array, canRead: boolean, canWrite: boolean, canOwn: boolean): void;
}

// A holder object, never the cv module itself, so nothing ever treats the thenable as a promise.
let state: { cv: Cv; cascade: CvCascade } | undefined;

function cascade(xmlPath: string): { cv: Cv; cascade: CvCascade } {
  if (state) return state;
  if (!fs.existsSync(xmlPath)) throw new EnvironmentError(`Haar cascade not found: ${xmlPath}`, xmlPath);
  let cv: Cv;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    cv = (require("opencv-wasm") as { cv: Cv }).cv;
  } catch (cause) {
    throw new EnvironmentError("opencv-wasm is not installed (needed for the Haar detector)", undefined, { cause });
  }
  const name = "unmask-haarcascade_frontalface_default.xml";
  cv.FS_createDataFile("/", name, fs.readFileSync(xmlPath), true, false, false);
  const c = new cv.CascadeClassifier();
  if (!c.load("/" + name)) {
    c.delete();
    throw new EnvironmentError(`OpenCV could not load the Haar cascade ${xmlPath}`, xmlPath);
  }
  state = { cv, cascade: c };
  return state;
}

/** Haar cascade options (the seed's values by default). */
export interface HaarOptions {
  scaleFactor?: number;
  minNeighbors?: number;
  /** Smallest face side in pixels (0: the cascade's 24 px window). */
  minSize?: number;
}

/**
 * Detect faces with the Haar cascade; synchronous (opencv-wasm runs on this thread).
 * Score is 1 for every face (the cascade has no calibrated confidence); `neighbours` carries
 * the number of merged raw detections, OpenCV's own measure of support.
 */
export function haarDetect(image: RgbaImage, options: HaarOptions = {}): Face[] {
  const scaleFactor = options.scaleFactor ?? HAAR_DEFAULTS.scaleFactor;
  const minNeighbors = options.minNeighbors ?? HAAR_DEFAULTS.minNeighbors;
  const minSize = options.minSize ?? HAAR_DEFAULTS.minSize;
  if (!(scaleFactor > 1)) throw new InvalidArgumentError(`Haar scaleFactor must be > 1, got ${scaleFactor}`);
  if (!(minNeighbors >= 0)) throw new InvalidArgumentError(`Haar minNeighbors must be ≥ 0, got ${minNeighbors}`);
  const { cv, cascade: c } = cascade(HAAR_CASCADE_PATH);
  const rgba = cv.matFromImageData(image);
  const grey = new cv.Mat();
  const rects = new cv.RectVector();
  const levels = new cv.IntVector();
  try {
    cv.cvtColor(rgba, grey, cv.COLOR_RGBA2GRAY);
    c.detectMultiScale2(grey, rects, levels, scaleFactor, minNeighbors, 0, new cv.Size(minSize, minSize), new cv.Size(0, 0));
    const faces: Face[] = [];
    for (let i = 0; i < rects.size(); i++) {
      const r = rects.get(i);
      faces.push({ box: { x: r.x, y: r.y, width: r.width, height: r.height }, score: 1, detector: "haar", neighbours: levels.get(i) });
    }
    // Most supported first, as human's are best first.
    return faces.sort((a, b) => (b.neighbours ?? 0) - (a.neighbours ?? 0));
  } finally {
    rgba.delete();
    grey.delete();
    rects.delete();
    levels.delete();
  }
}

/** True once the Haar cascade (and OpenCV's wasm module) is loaded in this process. */
export function haarLoaded(): boolean {
  return state !== undefined;
}
