/**
 * The seed's script 4 behind one call: two images, grey, then either ORB + brute-force Hamming
 * matching with cross-check, or SIFT + a FLANN-style randomized kd-forest (5 trees, 50 checks),
 * k = 2 nearest neighbours and Lowe's ratio test at 0.7. Plus a side-by-side picture of the matches.
 */
import { createCanvas, ImageData } from "canvas";
import { InvalidArgumentError } from "../core/errors";
import type { ProgressFn } from "../core/progress";
import { toGray } from "../image/ops";
import type { RgbaImage } from "../image/types";
import { KdForest, type DescriptorMatch } from "./kdforest";
import { detectOrb, matchOrb, type OrbOptions } from "./orb";
import { detectSift, SIFT_DESCRIPTOR_SIZE, type GrayPixels, type Keypoint, type SiftFeatures, type SiftOptions } from "./sift";

/** Keypoint methods of the seed's script 4. */
export type MatchMethod = "orb" | "sift";

/** SIFT matching parameters (the seed's FLANN matcher). */
export interface SiftMatchOptions {
  /** Lowe's ratio: keep m when m.distance < ratio × (second-best distance) (0.7, the seed's). */
  ratio?: number;
  /** Randomized kd-trees (5). */
  trees?: number;
  /** Points compared per query (50). */
  checks?: number;
  /** Seed of the kd-forest's random splits (1). */
  seed?: number;
}

/** Options of matchKeypoints. */
export interface MatchKeypointsOptions extends SiftMatchOptions {
  /** "orb" (default, the seed's first method) or "sift". */
  method?: MatchMethod;
  /** ORB: maximum keypoints per image (500, cv2.ORB_create's default); SIFT: keep the strongest n (0 = all, the default). */
  nfeatures?: number;
  /**
   * ORB: a cross-checked match counts as good when its Hamming distance (of 256 bits) is below this
   * (40). Raw cross-check counts grow with nfeatures whatever the images; a distance cut makes the
   * count mean "descriptors that nearly agree".
   */
  maxHamming?: number;
  onProgress?: ProgressFn;
}

/** Matches between two images. */
export interface KeypointMatchResult {
  method: MatchMethod;
  keypointsA: Keypoint[];
  keypointsB: Keypoint[];
  /**
   * ORB: every cross-checked match, sorted by Hamming distance (as the seed's `matches`).
   * SIFT: the matches that pass the ratio test, sorted by Euclidean distance (the seed's `good`).
   */
  matches: DescriptorMatch[];
  /** ORB: matches with Hamming distance < maxHamming; SIFT: matches passing the ratio test. */
  goodCount: number;
  /** What goodCount counts, in words. */
  criterion: string;
  /** Milliseconds for detection + description of both images and matching. */
  ms: number;
}

/**
 * SIFT matches from a to b as the seed's FLANN matcher: kd-forest on b, k = 2 nearest neighbours for
 * every descriptor of a, Lowe's ratio test; returns the good matches sorted by distance.
 */
export function matchSift(a: SiftFeatures, b: SiftFeatures, opts: SiftMatchOptions = {}): DescriptorMatch[] {
  const ratio = opts.ratio ?? 0.7;
  if (!(ratio > 0 && ratio <= 1)) throw new InvalidArgumentError(`matchSift: ratio must be in (0, 1], got ${ratio}`);
  if (a.keypoints.length === 0 || b.keypoints.length < 2) return [];
  const forest = new KdForest(b.descriptors, SIFT_DESCRIPTOR_SIZE, { trees: opts.trees ?? 5, seed: opts.seed ?? 1 });
  const knn = forest.knnMatch(a.descriptors, 2, { checks: opts.checks ?? 50 });
  const good: DescriptorMatch[] = [];
  for (const pair of knn) {
    if (pair.length === 2 && pair[0].distance < ratio * pair[1].distance) good.push(pair[0]);
  }
  return good.sort((p, q) => p.distance - q.distance);
}

/** Keypoints and descriptors of one image for one method, computed once and matched against many (see matchKeypoints). */
export interface KeypointFeatures {
  method: MatchMethod;
  keypoints: Keypoint[];
  /** SIFT: n × 128 floats; ORB: n × 32 bytes. */
  descriptors: Float32Array | Uint8Array;
  width: number;
  height: number;
  /** Milliseconds for grey conversion, detection and description. */
  ms: number;
}

/** Options of describeKeypoints. */
export interface DescribeOptions {
  method?: MatchMethod;
  /** ORB: maximum keypoints (500); SIFT: keep the strongest n (0 = all, OpenCV's default). */
  nfeatures?: number;
  /** Further SIFT parameters (cv2.SIFT_create's names and defaults). */
  sift?: Omit<SiftOptions, "nfeatures">;
  /** Further ORB parameters (cv2.ORB_create's names and defaults). */
  orb?: Omit<OrbOptions, "nfeatures">;
}

/** An image given as RGBA (converted to grey) or already grey (one value per pixel). */
function grayOf(img: RgbaImage | GrayPixels, where: string): GrayPixels {
  const n = img.width * img.height;
  if (img.data && img.data.length === 4 * n && n > 0) return toGray(img as RgbaImage);
  if (img.data && img.data.length === n) return img;
  throw new InvalidArgumentError(`${where}: image data has ${img.data?.length} values; ${img.width} × ${img.height} needs ${n} (grey) or ${4 * n} (RGBA)`);
}

/** Detect and describe keypoints on an image (RGBA, converted to grey, or grey) with ORB or SIFT. */
export function describeKeypoints(img: RgbaImage | GrayPixels, opts: DescribeOptions = {}): KeypointFeatures {
  const method = opts.method ?? "orb";
  if (method !== "orb" && method !== "sift") {
    throw new InvalidArgumentError(`describeKeypoints: unknown method "${String(method)}" (use "orb" or "sift")`);
  }
  const t0 = performance.now();
  const gray = grayOf(img, "describeKeypoints");
  if (method === "orb") {
    const f = detectOrb(gray, { ...opts.orb, nfeatures: opts.nfeatures ?? 500 });
    return { method, ...f, ms: performance.now() - t0 };
  }
  const f = detectSift(gray, { ...opts.sift, nfeatures: opts.nfeatures ?? 0 });
  return { method, ...f, ms: performance.now() - t0 };
}

function isFeatures(x: unknown): x is KeypointFeatures {
  return !!x && typeof x === "object" && "keypoints" in x && "descriptors" in x && "method" in x;
}

/** Match precomputed features of two images (both ORB or both SIFT) by the seed's recipe for that method. */
function matchFeatures(a: KeypointFeatures, b: KeypointFeatures, opts: MatchKeypointsOptions): KeypointMatchResult {
  if (a.method !== b.method) throw new InvalidArgumentError(`matchKeypoints: cannot match ${a.method} features with ${b.method} features`);
  if (opts.method !== undefined && opts.method !== a.method) {
    throw new InvalidArgumentError(`matchKeypoints: method "${String(opts.method)}" asked for ${a.method} features`);
  }
  const t0 = performance.now();
  if (a.method === "orb") {
    const maxHamming = opts.maxHamming ?? 40;
    const matches = matchOrb(
      { keypoints: a.keypoints, descriptors: a.descriptors as Uint8Array, width: a.width, height: a.height },
      { keypoints: b.keypoints, descriptors: b.descriptors as Uint8Array, width: b.width, height: b.height },
    );
    return {
      method: "orb",
      keypointsA: a.keypoints,
      keypointsB: b.keypoints,
      matches,
      goodCount: matches.filter((m) => m.distance < maxHamming).length,
      criterion: `cross-checked, Hamming distance < ${maxHamming}`,
      ms: a.ms + b.ms + performance.now() - t0,
    };
  }
  const matches = matchSift(
    { keypoints: a.keypoints, descriptors: a.descriptors as Float32Array, width: a.width, height: a.height },
    { keypoints: b.keypoints, descriptors: b.descriptors as Float32Array, width: b.width, height: b.height },
    opts,
  );
  return {
    method: "sift",
    keypointsA: a.keypoints,
    keypointsB: b.keypoints,
    matches,
    goodCount: matches.length,
    criterion: `Lowe ratio < ${opts.ratio ?? 0.7} (kd-forest ${opts.trees ?? 5} trees, ${opts.checks ?? 50} checks)`,
    ms: a.ms + b.ms + performance.now() - t0,
  };
}

/**
 * Keypoint matches between two images by the seed's ORB or SIFT recipe. Each side is an image (RGBA,
 * converted to grey, or grey) or the features {@link describeKeypoints} computed once for it; with
 * features, their method is used.
 */
export function matchKeypoints(
  a: RgbaImage | GrayPixels | KeypointFeatures,
  b: RgbaImage | GrayPixels | KeypointFeatures,
  opts: MatchKeypointsOptions = {},
): KeypointMatchResult {
  const given = isFeatures(a) ? a.method : isFeatures(b) ? b.method : undefined;
  const method = opts.method ?? given ?? "orb";
  if (method !== "orb" && method !== "sift") {
    throw new InvalidArgumentError(`matchKeypoints: unknown method "${String(method)}" (use "orb" or "sift")`);
  }
  const label = method.toUpperCase();
  const fa = isFeatures(a) ? a : describeKeypoints(a, { method, nfeatures: opts.nfeatures });
  opts.onProgress?.(1, 3, label);
  const fb = isFeatures(b) ? b : describeKeypoints(b, { method, nfeatures: opts.nfeatures });
  opts.onProgress?.(2, 3, label);
  const r = matchFeatures(fa, fb, { ...opts, method });
  opts.onProgress?.(3, 3, label);
  return r;
}

/** Options of drawMatches. */
export interface DrawMatchesOptions {
  /** Draw at most this many matches, best first (ORB: 10 as the seed; SIFT: all good matches). */
  max?: number;
  /** Line width in pixels (scaled with the picture when omitted). */
  lineWidth?: number;
}

/** Colour of the i-th match: evenly spread hues, so neighbouring lines are told apart. */
function matchColour(i: number): string {
  const hue = (i * 137.508) % 360;
  return `hsl(${hue.toFixed(1)}, 95%, 50%)`;
}

/** Both images side by side (a left, b right, tops aligned) with the best matches drawn as lines between keypoints (cv2.drawMatches). */
export function drawMatches(a: RgbaImage, b: RgbaImage, result: KeypointMatchResult, opts: DrawMatchesOptions = {}): RgbaImage {
  const width = a.width + b.width;
  const height = Math.max(a.height, b.height);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, width, height);
  ctx.putImageData(new ImageData(new Uint8ClampedArray(a.data), a.width, a.height), 0, 0);
  ctx.putImageData(new ImageData(new Uint8ClampedArray(b.data), b.width, b.height), a.width, 0);
  const max = opts.max ?? (result.method === "orb" ? 10 : result.matches.length);
  const shown = result.matches.slice(0, Math.max(0, max));
  const lw = opts.lineWidth ?? Math.max(1, Math.round(height / 400));
  ctx.lineWidth = lw;
  shown.forEach((m, i) => {
    const p = result.keypointsA[m.queryIdx];
    const q = result.keypointsB[m.trainIdx];
    if (!p || !q) return;
    const colour = matchColour(i);
    ctx.strokeStyle = colour;
    ctx.beginPath();
    ctx.arc(p.x, p.y, 3 * lw + 1, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(q.x + a.width, q.y, 3 * lw + 1, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
    ctx.lineTo(q.x + a.width, q.y);
    ctx.stroke();
  });
  const out = ctx.getImageData(0, 0, width, height);
  return { width, height, data: new Uint8ClampedArray(out.data) };
}
