/**
 * OpenCV's Haar cascades through opencv-wasm: the seed's detector (haarcascade_frontalface_default.xml,
 * scaleFactor 1.1, minNeighbors 4, on the grey image) and Lienhart's tree-based
 * haarcascade_frontalface_alt2.xml (Debian opencv-data 4.6), same parameters. Both XML files ship in
 * lib/assets with their Intel licence headers. The cv module is a thenable — never await or
 * return it from an async function — and every Mat is deleted (face/README.md, "opencv-wasm").
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { RgbaImage } from "../image/types";
import { EnvironmentError, InvalidArgumentError } from "../core/errors";
import type { Face } from "./types";
import { deepFreeze } from "../core/freeze";

/** The seed's cascade parameters. */
export const HAAR_DEFAULTS = deepFreeze({ scaleFactor: 1.1, minNeighbors: 4, minSize: 0 } as const);

/** Where the shipped default cascade lives (lib/assets, next to lib/dist). */
export const HAAR_CASCADE_PATH = path.resolve(__dirname, "..", "..", "assets", "haarcascade_frontalface_default.xml");

/** Where the shipped alt2 cascade lives (copied from Debian opencv-data 4.6.0, licence header intact). */
export const HAAR_ALT2_CASCADE_PATH = path.resolve(__dirname, "..", "..", "assets", "haarcascade_frontalface_alt2.xml");

/** The two cascades: "haar" is the seed's default cascade, "haar-alt2" Lienhart's tree-based one. */
export type HaarCascade = "haar" | "haar-alt2";
const CASCADE_FILES: Record<HaarCascade, string> = { haar: HAAR_CASCADE_PATH, "haar-alt2": HAAR_ALT2_CASCADE_PATH };

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

// Holder objects, never the cv module itself, so nothing ever treats the thenable as a promise.
const state = new Map<HaarCascade, { cv: Cv; cascade: CvCascade }>();

function cascade(which: HaarCascade): { cv: Cv; cascade: CvCascade } {
  const loaded = state.get(which);
  if (loaded) return loaded;
  const xmlPath = CASCADE_FILES[which];
  if (!fs.existsSync(xmlPath)) throw new EnvironmentError(`Haar cascade not found: ${xmlPath}`, xmlPath);
  let cv: Cv;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    cv = (require("opencv-wasm") as { cv: Cv }).cv;
  } catch (cause) {
    throw new EnvironmentError("opencv-wasm is not installed (needed for the Haar detector)", undefined, { cause });
  }
  const name = "unmask-" + path.basename(xmlPath);
  cv.FS_createDataFile("/", name, fs.readFileSync(xmlPath), true, false, false);
  const c = new cv.CascadeClassifier();
  if (!c.load("/" + name)) {
    c.delete();
    throw new EnvironmentError(`OpenCV could not load the Haar cascade ${xmlPath}`, xmlPath);
  }
  const s = { cv, cascade: c };
  state.set(which, s);
  return s;
}

/**
 * The cascade has no probability, only support: the number of raw windows merged into a face.
 * A face needs more than minNeighbors of them, so n / (n + minNeighbors + 1) maps the acceptance
 * limit to 0.5 (face-api's default threshold) and grows towards 1 with support. A convention,
 * not a calibration: no data set here to calibrate on.
 */
export function haarScore(neighbours: number, minNeighbors: number): number {
  return neighbours / (neighbours + minNeighbors + 1);
}

/** Haar cascade options (the seed's values by default). */
export interface HaarOptions {
  scaleFactor?: number;
  minNeighbors?: number;
  /** Smallest face side in pixels (0: the cascade's 24 px window). */
  minSize?: number;
}

/**
 * Detect faces with a Haar cascade; synchronous (opencv-wasm runs on this thread).
 * `neighbours` carries the number of merged raw detections, OpenCV's own measure of support, and
 * the score is `haarScore` of it.
 */
export function haarDetect(image: RgbaImage, options: HaarOptions = {}, which: HaarCascade = "haar"): Face[] {
  const scaleFactor = options.scaleFactor ?? HAAR_DEFAULTS.scaleFactor;
  const minNeighbors = options.minNeighbors ?? HAAR_DEFAULTS.minNeighbors;
  const minSize = options.minSize ?? HAAR_DEFAULTS.minSize;
  if (!(scaleFactor > 1)) throw new InvalidArgumentError(`Haar scaleFactor must be > 1, got ${scaleFactor}`);
  if (!(minNeighbors >= 0)) throw new InvalidArgumentError(`Haar minNeighbors must be ≥ 0, got ${minNeighbors}`);
  const { cv, cascade: c } = cascade(which);
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
      const n = levels.get(i);
      faces.push({ box: { x: r.x, y: r.y, width: r.width, height: r.height }, score: haarScore(n, minNeighbors), detector: which, neighbours: n });
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
  return state.size > 0;
}
