/**
 * SIFT (Lowe 2004) written to follow OpenCV 4.x's implementation (modules/features2d/src/sift.*)
 * step by step, so that keypoints and descriptors can be checked against cv2.SIFT_create():
 * upsampled base image, Gaussian scale space with nOctaveLayers + 3 images an octave, DoG extrema
 * (26 neighbours) refined to sub-pixel/sub-scale, contrast and edge rejection, a 36-bin orientation
 * histogram with every peak ≥ 0.8 × max giving a keypoint, and the 4×4×8 descriptor
 * (trilinear binning, clip at 0.2, ×512, rounded to bytes but kept as floats as OpenCV does).
 *
 * Performance: everything is Float32Array; the separable blur and the DoG run in a small hand-written
 * WebAssembly SIMD module (blur.wat, 4 floats per instruction) with a plain JavaScript fallback; the
 * scale space is built and consumed one octave at a time so peak memory is one octave, not the pyramid.
 */
import { InvalidArgumentError } from "../core/errors";
import type { ProgressFn } from "../core/progress";
import { BLUR_WASM_BASE64 } from "./blur-wasm";

/** A single-channel image: 8-bit or float grey levels (0–255), rows top to bottom. */
export interface GrayPixels {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/** A scale-space keypoint, in OpenCV's conventions (cv::KeyPoint). */
export interface Keypoint {
  /** Position in image pixels (pixel centres at integers, like OpenCV). */
  x: number;
  y: number;
  /** Diameter of the meaningful neighbourhood (pixels). */
  size: number;
  /** Orientation in degrees [0, 360), measured clockwise in image coordinates (OpenCV's convention). */
  angle: number;
  /** Detector response: |DoG contrast| for SIFT, Harris score for ORB. */
  response: number;
  /** Pyramid octave (-1 = the upsampled base image for SIFT). */
  octave: number;
}

/** SIFT keypoints and their 128-float descriptors (row i = keypoint i). */
export interface SiftFeatures {
  keypoints: Keypoint[];
  /** keypoints.length × 128 values, each an integer in 0–255 stored as float (as OpenCV's CV_32F output). */
  descriptors: Float32Array;
  width: number;
  height: number;
}

/** Options of detectSift; defaults are cv2.SIFT_create()'s. */
export interface SiftOptions {
  /** Keep only the strongest n keypoints (0 = all, OpenCV's default). */
  nfeatures?: number;
  /** Scales sampled per octave (3). */
  nOctaveLayers?: number;
  /** DoG contrast threshold on images scaled to 0–1, divided by nOctaveLayers as OpenCV does (0.04). */
  contrastThreshold?: number;
  /** Principal-curvature ratio limit for edge rejection (10). */
  edgeThreshold?: number;
  /** Gaussian sigma of the first scale of each octave (1.6). */
  sigma?: number;
  /** Double the image size first, as Lowe and OpenCV do (true). */
  upsample?: boolean;
  /** Use the WebAssembly SIMD blur (true); false forces the plain JavaScript blur (same results to float rounding). */
  simd?: boolean;
  /** Called after each octave. */
  onProgress?: ProgressFn;
}

/** Length of a SIFT descriptor: 4×4 spatial cells × 8 orientation bins. */
export const SIFT_DESCRIPTOR_SIZE = 128;

const SIFT_INIT_SIGMA = 0.5;
const SIFT_IMG_BORDER = 5;
const SIFT_MAX_INTERP_STEPS = 5;
const SIFT_ORI_HIST_BINS = 36;
const SIFT_ORI_SIG_FCTR = 1.5;
const SIFT_ORI_RADIUS = 3 * SIFT_ORI_SIG_FCTR;
const SIFT_ORI_PEAK_RATIO = 0.8;
const SIFT_DESCR_WIDTH = 4;
const SIFT_DESCR_HIST_BINS = 8;
const SIFT_DESCR_SCL_FCTR = 3;
const SIFT_DESCR_MAG_THR = 0.2;
const SIFT_INT_DESCR_FCTR = 512;
const FLT_EPSILON = 1.1920929e-7;
const RAD2DEG = 180 / Math.PI;

const ATAN2_P1 = 0.9997878412794807 * RAD2DEG;
const ATAN2_P3 = -0.3258083974640975 * RAD2DEG;
const ATAN2_P5 = 0.1555786518463281 * RAD2DEG;
const ATAN2_P7 = -0.04432655554792128 * RAD2DEG;
const DBL_EPSILON = 2.220446049250313e-16;

/** OpenCV's cv::fastAtan2 (degrees in [0, 360), ≈ 0.3° accurate): the same polynomial, so orientation bins round alike. */
function fastAtan2(y: number, x: number): number {
  const ax = Math.abs(x), ay = Math.abs(y);
  let a: number;
  if (ax >= ay) {
    const c = ay / (ax + DBL_EPSILON);
    const c2 = c * c;
    a = (((ATAN2_P7 * c2 + ATAN2_P5) * c2 + ATAN2_P3) * c2 + ATAN2_P1) * c;
  } else {
    const c = ax / (ay + DBL_EPSILON);
    const c2 = c * c;
    a = 90 - (((ATAN2_P7 * c2 + ATAN2_P5) * c2 + ATAN2_P3) * c2 + ATAN2_P1) * c;
  }
  if (x < 0) a = 180 - a;
  if (y < 0) a = 360 - a;
  return a;
}

/** Round half to even, like cvRound (lrint). */
function cvRound(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** OpenCV's BORDER_REFLECT_101 index mapping (handles kernels wider than the image). */
function reflect101(p: number, len: number): number {
  if (len === 1) return 0;
  while (p < 0 || p >= len) p = p < 0 ? -p : 2 * len - 2 - p;
  return p;
}

/** Half of a normalised 1-D Gaussian kernel (centre first), sized as cv::GaussianBlur sizes float images. */
function gaussianHalfKernel(sigma: number): Float64Array {
  const n = (cvRound(sigma * 4 * 2 + 1) | 1);
  const r = (n - 1) / 2;
  const full = new Float64Array(n);
  const s2 = -0.5 / (sigma * sigma);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = i - r;
    full[i] = Math.exp(s2 * x * x);
    sum += full[i];
  }
  const half = new Float64Array(r + 1);
  for (let i = 0; i <= r; i++) half[i] = full[r + i] / sum;
  return half;
}

/** Scratch buffers reused across blurs of one size. */
interface BlurScratch {
  tmp: Float32Array;
  pad: Float32Array;
  acc?: Float64Array;
  /** When set, images live in this module's memory and the SIMD kernels run. */
  wasm?: WasmBlur;
}

/** Exports of blur.wat. */
interface BlurExports {
  memory: WebAssembly.Memory;
  hpass(src: number, dst: number, w: number, h: number, kern: number, r: number, pad: number): void;
  vpass(src: number, dst: number, w: number, h: number, kern: number, r: number, tab: number): void;
  sub(a: number, b: number, out: number, n: number): void;
}

/** One detectSift call's WebAssembly memory: a header (kernel, row table, padded row) and the octave's images. */
interface WasmBlur {
  x: BlurExports;
  kern: number;
  tab: number;
  pad: number;
}

let blurModule: WebAssembly.Module | null | undefined;

/**
 * A fresh instance of the SIMD blur module with memory for `images` images of n floats and kernels of
 * radius ≤ rmax on rows of ≤ w values; null where WebAssembly SIMD is unavailable (the JS path is used).
 * A new instance per call lets the memory be garbage collected afterwards (wasm memory never shrinks).
 */
function wasmWorkspace(images: number, n: number, w: number, rmax: number): { ws: WasmBlur; views: Float32Array[] } | null {
  if (blurModule === undefined) {
    try {
      blurModule = new WebAssembly.Module(Buffer.from(BLUR_WASM_BASE64, "base64"));
    } catch {
      blurModule = null;
    }
  }
  if (!blurModule) return null;
  const align = (b: number) => Math.ceil(b / 16) * 16;
  const kern = 0;
  const tab = align(16 * (rmax + 1));
  const pad = tab + align(8 * (rmax + 1));
  const first = pad + align(4 * (w + 2 * rmax));
  const stride = align(4 * n);
  const bytes = first + images * stride;
  if (bytes > 4 * 1024 * 1024 * 1024 - 65536) return null;
  let x: BlurExports;
  try {
    x = new WebAssembly.Instance(blurModule, {}).exports as unknown as BlurExports;
    const pages = Math.ceil(bytes / 65536) - x.memory.buffer.byteLength / 65536;
    if (pages > 0) x.memory.grow(pages);
  } catch {
    return null; // out of memory for one big image: the JS path allocates ordinary arrays
  }
  const views: Float32Array[] = [];
  for (let i = 0; i < images; i++) views.push(new Float32Array(x.memory.buffer, first + i * stride, n));
  return { ws: { x, kern, tab, pad }, views };
}

/**
 * acc[x] = k[0]·s[c0 + x] + Σ_j k[j]·(s[lo[j] + x] + s[hi[j] + x]) for x < n. Taps are taken four at a
 * time: fewer passes over acc, long branch-free inner loops (measured 2× faster than one tap a pass).
 */
function symmetricTaps(acc: Float64Array, s: Float32Array, k: Float64Array, c0: number, lo: Int32Array, hi: Int32Array, n: number): void {
  const r = k.length - 1;
  const k0 = k[0];
  for (let x = 0; x < n; x++) acc[x] = k0 * s[c0 + x];
  let j = 1;
  for (; j + 3 <= r; j += 4) {
    const a1 = lo[j], b1 = hi[j], k1 = k[j];
    const a2 = lo[j + 1], b2 = hi[j + 1], k2 = k[j + 1];
    const a3 = lo[j + 2], b3 = hi[j + 2], k3 = k[j + 2];
    const a4 = lo[j + 3], b4 = hi[j + 3], k4 = k[j + 3];
    for (let x = 0; x < n; x++) {
      acc[x] += k1 * (s[a1 + x] + s[b1 + x]) + k2 * (s[a2 + x] + s[b2 + x]) +
        k3 * (s[a3 + x] + s[b3 + x]) + k4 * (s[a4 + x] + s[b4 + x]);
    }
  }
  for (; j <= r; j++) {
    const a = lo[j], b = hi[j], kj = k[j];
    for (let x = 0; x < n; x++) acc[x] += kj * (s[a + x] + s[b + x]);
  }
}

/** Separable Gaussian blur with reflect-101 borders (cv::GaussianBlur(src, dst, Size(), sigma)). */
function gaussianBlur(src: Float32Array, w: number, h: number, sigma: number, dst: Float32Array, scratch: BlurScratch): void {
  const k = gaussianHalfKernel(sigma);
  const r = k.length - 1;
  const ws = scratch.wasm;
  if (ws && src.buffer === ws.x.memory.buffer && dst.buffer === ws.x.memory.buffer && scratch.tmp.buffer === ws.x.memory.buffer) {
    const kv = new Float32Array(ws.x.memory.buffer, ws.kern, 4 * (r + 1));
    for (let j = 0; j <= r; j++) kv.fill(k[j], 4 * j, 4 * j + 4);
    ws.x.hpass(src.byteOffset, scratch.tmp.byteOffset, w, h, ws.kern, r, ws.pad);
    ws.x.vpass(scratch.tmp.byteOffset, dst.byteOffset, w, h, ws.kern, r, ws.tab);
    return;
  }
  const tmp = scratch.tmp;
  if (scratch.pad.length < w + 2 * r) scratch.pad = new Float32Array(w + 2 * r);
  const pad = scratch.pad;
  if (!scratch.acc || scratch.acc.length < w) scratch.acc = new Float64Array(w);
  const acc = scratch.acc;
  const lo = new Int32Array(r + 1);
  const hi = new Int32Array(r + 1);
  // Horizontal pass into tmp, through a reflect-padded copy of each row.
  for (let j = 1; j <= r; j++) {
    lo[j] = r - j;
    hi[j] = r + j;
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let j = 0; j < r; j++) {
      pad[j] = src[row + reflect101(j - r, w)];
      pad[r + w + j] = src[row + reflect101(w + j, w)];
    }
    for (let x = 0; x < w; x++) pad[r + x] = src[row + x];
    symmetricTaps(acc, pad, k, r, lo, hi, w);
    for (let x = 0; x < w; x++) tmp[row + x] = acc[x];
  }
  // Vertical pass: dst row y = Σ k_j (tmp row y-j + tmp row y+j), rows reflected at the borders.
  for (let y = 0; y < h; y++) {
    for (let j = 1; j <= r; j++) {
      lo[j] = reflect101(y - j, h) * w;
      hi[j] = reflect101(y + j, h) * w;
    }
    const c = y * w;
    symmetricTaps(acc, tmp, k, c, lo, hi, w);
    for (let x = 0; x < w; x++) dst[c + x] = acc[x];
  }
}

/** cv::resize(src, dst, Size(2w, 2h), 0, 0, INTER_LINEAR) for float images. */
function upsample2x(src: Float32Array, w: number, h: number, out: Float32Array): void {
  const W = 2 * w;
  const H = 2 * h;
  const xs0 = new Int32Array(W);
  const xs1 = new Int32Array(W);
  const xf = new Float32Array(W);
  const axis = (n: number, i0: Int32Array, i1: Int32Array, f: Float32Array) => {
    for (let d = 0; d < 2 * n; d++) {
      const fx = (d + 0.5) * 0.5 - 0.5;
      let sx = Math.floor(fx);
      let fr = fx - sx;
      if (sx < 0) { sx = 0; fr = 0; }
      if (sx >= n - 1) { sx = n - 1; fr = 0; }
      i0[d] = sx;
      i1[d] = Math.min(sx + 1, n - 1);
      f[d] = fr;
    }
  };
  axis(w, xs0, xs1, xf);
  const ys0 = new Int32Array(H);
  const ys1 = new Int32Array(H);
  const yf = new Float32Array(H);
  axis(h, ys0, ys1, yf);
  const row = new Float32Array(W);
  const row2 = new Float32Array(W);
  const hrow = (y: number, into: Float32Array) => {
    const o = y * w;
    for (let d = 0; d < W; d++) {
      const f = xf[d];
      into[d] = src[o + xs0[d]] * (1 - f) + src[o + xs1[d]] * f;
    }
  };
  // Each source row is interpolated horizontally once and kept while the next output rows need it.
  let rowY = -1;
  let row2Y = -1;
  for (let d = 0; d < H; d++) {
    const y0 = ys0[d], y1 = ys1[d];
    if (rowY !== y0) {
      if (row2Y === y0) row.set(row2);
      else hrow(y0, row);
      rowY = y0;
    }
    if (row2Y !== y1) {
      hrow(y1, row2);
      row2Y = y1;
    }
    const f = yf[d];
    const o = d * W;
    for (let x = 0; x < W; x++) out[o + x] = row[x] * (1 - f) + row2[x] * f;
  }
}

/** cv::resize(src, dst, Size(w/2, h/2), 0, 0, INTER_NEAREST). */
function downsampleNearest(src: Float32Array, w: number, h: number): { data: Float32Array; w: number; h: number } {
  const W = Math.floor(w / 2);
  const H = Math.floor(h / 2);
  const ifx = w / W;
  const ify = h / H;
  const xo = new Int32Array(W);
  for (let x = 0; x < W; x++) xo[x] = Math.min(Math.floor(x * ifx), w - 1);
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(Math.floor(y * ify), h - 1) * w;
    const o = y * W;
    for (let x = 0; x < W; x++) out[o + x] = src[sy + xo[x]];
  }
  return { data: out, w: W, h: H };
}

/** A keypoint as found in the pyramid, before conversion to image coordinates. */
interface PyramidPoint {
  r: number;
  c: number;
  layer: number;
  xr: number;
  xc: number;
  xi: number;
  contrast: number;
}

/** Scratch buffers for descriptor sampling, reused across keypoints. */
class OctaveScratch {
  W = new Float64Array(0);
  hist = new Float64Array((SIFT_DESCR_WIDTH + 2) * (SIFT_DESCR_WIDTH + 2) * (SIFT_DESCR_HIST_BINS + 2));
  ensure(n: number): void {
    if (this.W.length < n) this.W = new Float64Array(n);
  }
}

/**
 * Refine an extremum to sub-pixel/sub-scale position (OpenCV's adjustLocalExtrema); returns null when
 * it drifts out, does not converge, has low contrast or lies on an edge.
 */
function adjustLocalExtrema(
  dog: Float32Array[], w: number, h: number, r0: number, c0: number, layer0: number,
  nOctaveLayers: number, contrastThreshold: number, edgeThreshold: number,
): PyramidPoint | null {
  const imgScale = 1 / 255;
  const derivScale = imgScale * 0.5;
  const secondScale = imgScale;
  const crossScale = imgScale * 0.25;
  let r = r0, c = c0, layer = layer0;
  let xi = 0, xr = 0, xc = 0;
  let i = 0;
  for (; i < SIFT_MAX_INTERP_STEPS; i++) {
    const img = dog[layer], prev = dog[layer - 1], next = dog[layer + 1];
    const p = r * w + c;
    const dx = (img[p + 1] - img[p - 1]) * derivScale;
    const dy = (img[p + w] - img[p - w]) * derivScale;
    const ds = (next[p] - prev[p]) * derivScale;
    const v2 = img[p] * 2;
    const dxx = (img[p + 1] + img[p - 1] - v2) * secondScale;
    const dyy = (img[p + w] + img[p - w] - v2) * secondScale;
    const dss = (next[p] + prev[p] - v2) * secondScale;
    const dxy = (img[p + w + 1] - img[p + w - 1] - img[p - w + 1] + img[p - w - 1]) * crossScale;
    const dxs = (next[p + 1] - next[p - 1] - prev[p + 1] + prev[p - 1]) * crossScale;
    const dys = (next[p + w] - next[p - w] - prev[p + w] + prev[p - w]) * crossScale;
    // Solve H X = dD by Cramer's rule (cv::Matx33f::solve); a singular H gives X = 0, as in OpenCV.
    const det =
      dxx * (dyy * dss - dys * dys) - dxy * (dxy * dss - dys * dxs) + dxs * (dxy * dys - dyy * dxs);
    let X0 = 0, X1 = 0, X2 = 0;
    if (det !== 0) {
      const inv = 1 / det;
      X0 = inv * (dx * (dyy * dss - dys * dys) - dxy * (dy * dss - dys * ds) + dxs * (dy * dys - dyy * ds));
      X1 = inv * (dxx * (dy * dss - dys * ds) - dx * (dxy * dss - dys * dxs) + dxs * (dxy * ds - dy * dxs));
      X2 = inv * (dxx * (dyy * ds - dy * dys) - dxy * (dxy * ds - dy * dxs) + dx * (dxy * dys - dyy * dxs));
    }
    xi = -X2; xr = -X1; xc = -X0;
    if (Math.abs(xi) < 0.5 && Math.abs(xr) < 0.5 && Math.abs(xc) < 0.5) break;
    if (Math.abs(xi) > 7e8 || Math.abs(xr) > 7e8 || Math.abs(xc) > 7e8) return null;
    c += cvRound(xc);
    r += cvRound(xr);
    layer += cvRound(xi);
    if (layer < 1 || layer > nOctaveLayers || c < SIFT_IMG_BORDER || c >= w - SIFT_IMG_BORDER ||
        r < SIFT_IMG_BORDER || r >= h - SIFT_IMG_BORDER) return null;
  }
  if (i >= SIFT_MAX_INTERP_STEPS) return null;
  const img = dog[layer], prev = dog[layer - 1], next = dog[layer + 1];
  const p = r * w + c;
  const dx = (img[p + 1] - img[p - 1]) * derivScale;
  const dy = (img[p + w] - img[p - w]) * derivScale;
  const ds = (next[p] - prev[p]) * derivScale;
  const t = dx * xc + dy * xr + ds * xi;
  const contr = img[p] * imgScale + t * 0.5;
  if (Math.abs(contr) * nOctaveLayers < contrastThreshold) return null;
  // Edge rejection: ratio of principal curvatures from the 2×2 spatial Hessian.
  const v2 = img[p] * 2;
  const dxx = (img[p + 1] + img[p - 1] - v2) * secondScale;
  const dyy = (img[p + w] + img[p - w] - v2) * secondScale;
  const dxy = (img[p + w + 1] - img[p + w - 1] - img[p - w + 1] + img[p - w - 1]) * crossScale;
  const tr = dxx + dyy;
  const det = dxx * dyy - dxy * dxy;
  if (det <= 0 || tr * tr * edgeThreshold >= (edgeThreshold + 1) * (edgeThreshold + 1) * det) return null;
  return { r, c, layer, xr, xc, xi, contrast: Math.abs(contr) };
}

/** 36-bin gradient orientation histogram around (x, y), smoothed; returns its maximum (calcOrientationHist). */
function orientationHistogram(
  img: Float32Array, w: number, h: number, px: number, py: number, radius: number, sigma: number,
  hist: Float64Array,
): number {
  const n = SIFT_ORI_HIST_BINS;
  const expScale = -1 / (2 * sigma * sigma);
  const temp = new Float64Array(n + 4); // temp[i + 2] = bin i, with 2 wrap-around slots each side
  for (let i = -radius; i <= radius; i++) {
    const y = py + i;
    if (y <= 0 || y >= h - 1) continue;
    for (let j = -radius; j <= radius; j++) {
      const x = px + j;
      if (x <= 0 || x >= w - 1) continue;
      const q = y * w + x;
      const dx = img[q + 1] - img[q - 1];
      const dy = img[q - w] - img[q + w];
      const weight = Math.exp((i * i + j * j) * expScale);
      const ori = fastAtan2(dy, dx);
      let bin = cvRound((n / 360) * ori);
      if (bin >= n) bin -= n;
      if (bin < 0) bin += n;
      temp[bin + 2] += weight * Math.sqrt(dx * dx + dy * dy);
    }
  }
  temp[1] = temp[n + 1];
  temp[0] = temp[n];
  temp[n + 2] = temp[2];
  temp[n + 3] = temp[3];
  let maxval = 0;
  for (let i = 0; i < n; i++) {
    const v = (temp[i] + temp[i + 4]) * (1 / 16) + (temp[i + 1] + temp[i + 3]) * (4 / 16) + temp[i + 2] * (6 / 16);
    hist[i] = v;
    if (v > maxval) maxval = v;
  }
  return maxval;
}

/** The 4×4×8 SIFT descriptor at (ptx, pty) in a pyramid image (calcSIFTDescriptor), written to dst[off…off+128). */
function siftDescriptor(
  img: Float32Array, w: number, h: number, ptx: number, pty: number, ori: number, scl: number,
  dst: Float32Array, off: number, s: OctaveScratch,
): void {
  const d = SIFT_DESCR_WIDTH;
  const n = SIFT_DESCR_HIST_BINS;
  const px = cvRound(ptx);
  const py = cvRound(pty);
  let cosT = Math.cos(ori * (Math.PI / 180));
  let sinT = Math.sin(ori * (Math.PI / 180));
  const binsPerRad = n / 360;
  const expScale = -1 / (d * d * 0.5);
  const histWidth = SIFT_DESCR_SCL_FCTR * scl;
  let radius = cvRound(histWidth * 1.4142135623730951 * (d + 1) * 0.5);
  radius = Math.min(radius, Math.floor(Math.sqrt(w * w + h * h)));
  cosT /= histWidth;
  sinT /= histWidth;
  const hist = s.hist;
  hist.fill(0);
  // The Gaussian weight exp(|rotated offset|² · expScale) depends on i² + j² only (rotation keeps
  // lengths): one exp per row and column instead of one per sample.
  s.ensure(2 * radius + 1);
  const ew = s.W;
  const inv2 = 1 / (histWidth * histWidth);
  for (let i = -radius; i <= radius; i++) ew[i + radius] = Math.exp(i * i * inv2 * expScale);
  const rowStride = (d + 2) * (n + 2);
  const half = d / 2 - 0.5;
  for (let i = -radius; i <= radius; i++) {
    const r = py + i;
    if (r <= 0 || r >= h - 1) continue;
    const wi = ew[i + radius];
    for (let j = -radius; j <= radius; j++) {
      let rbin = j * sinT + i * cosT + half;
      let cbin = j * cosT - i * sinT + half;
      const c = px + j;
      if (!(rbin > -1 && rbin < d && cbin > -1 && cbin < d && c > 0 && c < w - 1)) continue;
      const q = r * w + c;
      const dx = img[q + 1] - img[q - 1];
      const dy = img[q - w] - img[q + w];
      let obin = (fastAtan2(dy, dx) - ori) * binsPerRad;
      const mag = Math.sqrt(dx * dx + dy * dy) * wi * ew[j + radius];
      const r0 = Math.floor(rbin);
      const c0 = Math.floor(cbin);
      let o0 = Math.floor(obin);
      rbin -= r0;
      cbin -= c0;
      obin -= o0;
      if (o0 < 0) o0 += n;
      if (o0 >= n) o0 -= n;
      // Trilinear interpolation into (row, column, orientation) bins.
      const vR1 = mag * rbin, vR0 = mag - vR1;
      const vRC11 = vR1 * cbin, vRC10 = vR1 - vRC11;
      const vRC01 = vR0 * cbin, vRC00 = vR0 - vRC01;
      const v111 = vRC11 * obin, v110 = vRC11 - v111;
      const v101 = vRC10 * obin, v100 = vRC10 - v101;
      const v011 = vRC01 * obin, v010 = vRC01 - v011;
      const v001 = vRC00 * obin, v000 = vRC00 - v001;
      const idx = ((r0 + 1) * (d + 2) + c0 + 1) * (n + 2) + o0;
      hist[idx] += v000;
      hist[idx + 1] += v001;
      hist[idx + (n + 2)] += v010;
      hist[idx + (n + 3)] += v011;
      hist[idx + rowStride] += v100;
      hist[idx + rowStride + 1] += v101;
      hist[idx + rowStride + (n + 2)] += v110;
      hist[idx + rowStride + (n + 3)] += v111;
    }
  }
  // Fold the circular orientation bins and copy out.
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const idx = ((i + 1) * (d + 2) + (j + 1)) * (n + 2);
      hist[idx] += hist[idx + n];
      hist[idx + 1] += hist[idx + n + 1];
      for (let q = 0; q < n; q++) dst[off + (i * d + j) * n + q] = hist[idx + q];
    }
  }
  const len = d * d * n;
  let nrm2 = 0;
  for (let q = 0; q < len; q++) nrm2 += dst[off + q] * dst[off + q];
  const thr = Math.sqrt(nrm2) * SIFT_DESCR_MAG_THR;
  nrm2 = 0;
  for (let q = 0; q < len; q++) {
    const v = Math.min(dst[off + q], thr);
    dst[off + q] = v;
    nrm2 += v * v;
  }
  const scale = SIFT_INT_DESCR_FCTR / Math.max(Math.sqrt(nrm2), FLT_EPSILON);
  for (let q = 0; q < len; q++) {
    const v = cvRound(dst[off + q] * scale);
    dst[off + q] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}

/** Pixels of `cur` that are DoG extrema over their 26 neighbours with |value| > threshold (flat indices). */
function scanExtrema(prev: Float32Array, cur: Float32Array, next: Float32Array, w: number, h: number, threshold: number): Int32Array {
  let out = new Int32Array(1024);
  let n = 0;
  for (let r = SIFT_IMG_BORDER; r < h - SIFT_IMG_BORDER; r++) {
    for (let c = SIFT_IMG_BORDER; c < w - SIFT_IMG_BORDER; c++) {
      const p = r * w + c;
      const val = cur[p];
      if (!(Math.abs(val) > threshold)) continue;
      const pa = p - w, pb = p + w;
      if (val > 0) {
        if (!(val >= cur[p - 1] && val >= cur[p + 1] && val >= cur[pa - 1] && val >= cur[pa] && val >= cur[pa + 1] &&
              val >= cur[pb - 1] && val >= cur[pb] && val >= cur[pb + 1])) continue;
        if (!(val >= prev[p] && val >= prev[p - 1] && val >= prev[p + 1] && val >= prev[pa - 1] && val >= prev[pa] &&
              val >= prev[pa + 1] && val >= prev[pb - 1] && val >= prev[pb] && val >= prev[pb + 1])) continue;
        if (!(val >= next[p] && val >= next[p - 1] && val >= next[p + 1] && val >= next[pa - 1] && val >= next[pa] &&
              val >= next[pa + 1] && val >= next[pb - 1] && val >= next[pb] && val >= next[pb + 1])) continue;
      } else {
        if (!(val <= cur[p - 1] && val <= cur[p + 1] && val <= cur[pa - 1] && val <= cur[pa] && val <= cur[pa + 1] &&
              val <= cur[pb - 1] && val <= cur[pb] && val <= cur[pb + 1])) continue;
        if (!(val <= prev[p] && val <= prev[p - 1] && val <= prev[p + 1] && val <= prev[pa - 1] && val <= prev[pa] &&
              val <= prev[pa + 1] && val <= prev[pb - 1] && val <= prev[pb] && val <= prev[pb + 1])) continue;
        if (!(val <= next[p] && val <= next[p - 1] && val <= next[p + 1] && val <= next[pa - 1] && val <= next[pa] &&
              val <= next[pa + 1] && val <= next[pb - 1] && val <= next[pb] && val <= next[pb + 1])) continue;
      }
      if (n === out.length) {
        const grown = new Int32Array(out.length * 2);
        grown.set(out);
        out = grown;
      }
      out[n++] = p;
    }
  }
  return out.subarray(0, n);
}

/** out = a − b, element-wise. */
function subtract(a: Float32Array, b: Float32Array, out: Float32Array, ws?: WasmBlur): void {
  if (ws && a.buffer === ws.x.memory.buffer && b.buffer === a.buffer && out.buffer === a.buffer) {
    ws.x.sub(a.byteOffset, b.byteOffset, out.byteOffset, out.length);
    return;
  }
  for (let p = 0; p < out.length; p++) out[p] = a[p] - b[p];
}

/** Grey levels as float 0–255. */
function toFloat(gray: GrayPixels): Float32Array {
  const n = gray.width * gray.height;
  if (!(gray.width > 0 && gray.height > 0) || gray.data.length < n) {
    throw new InvalidArgumentError(`detectSift: need a non-empty grey image with width×height values, got ${gray.width}×${gray.height} and ${gray.data.length} values`);
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = gray.data[i];
  return out;
}

/**
 * Detect SIFT keypoints and compute their descriptors on a grey image, as cv2.SIFT_create().detectAndCompute.
 */
export function detectSift(gray: GrayPixels, opts: SiftOptions = {}): SiftFeatures {
  const L = opts.nOctaveLayers ?? 3;
  const contrastThreshold = opts.contrastThreshold ?? 0.04;
  const edgeThreshold = opts.edgeThreshold ?? 10;
  const sigma = opts.sigma ?? 1.6;
  const upsample = opts.upsample ?? true;
  const nfeatures = opts.nfeatures ?? 0;
  if (!(L >= 1) || !(sigma > 0) || !(contrastThreshold >= 0) || !(edgeThreshold > 0)) {
    throw new InvalidArgumentError("detectSift: nOctaveLayers ≥ 1, sigma > 0, contrastThreshold ≥ 0 and edgeThreshold > 0 are required");
  }
  const firstOctave = upsample ? -1 : 0;

  // Incremental blurs between successive scales of an octave.
  const sig = new Float64Array(L + 3);
  sig[0] = sigma;
  const kk = Math.pow(2, 1 / L);
  for (let i = 1; i < L + 3; i++) {
    const sigPrev = Math.pow(kk, i - 1) * sigma;
    const sigTotal = sigPrev * kk;
    sig[i] = Math.sqrt(sigTotal * sigTotal - sigPrev * sigPrev);
  }
  const sigDiff = upsample
    ? Math.sqrt(Math.max(sigma * sigma - SIFT_INIT_SIGMA * SIFT_INIT_SIGMA * 4, 0.01))
    : Math.sqrt(Math.max(sigma * sigma - SIFT_INIT_SIGMA * SIFT_INIT_SIGMA, 0.01));

  // One octave's worth of images — base, L + 3 Gaussians, L + 2 DoGs (the first reuses base), a blur
  // scratch — in WebAssembly memory for the SIMD blur when available, else in ordinary arrays.
  const src = toFloat(gray);
  const bw = upsample ? 2 * gray.width : gray.width;
  const bh = upsample ? 2 * gray.height : gray.height;
  const rmax = Math.max(...Array.from(sig.slice(1)), sigDiff);
  const nImages = 1 + (L + 3) + (L + 1) + 1;
  const wasm = opts.simd === false ? null : wasmWorkspace(nImages, bw * bh, bw, gaussianHalfKernel(rmax).length - 1);
  const views = wasm ? wasm.views : Array.from({ length: nImages }, () => new Float32Array(bw * bh));
  const base = views[0];
  const gaussBuf = views.slice(1, L + 4);
  const dogBuf = [base, ...views.slice(L + 4, 2 * L + 5)];
  const scratch0: BlurScratch = { tmp: views[2 * L + 5], pad: new Float32Array(0), wasm: wasm?.ws };

  // Base image: (upsampled and) blurred from an assumed camera blur of 0.5 to sigma.
  if (upsample) upsample2x(src, gray.width, gray.height, base);
  else base.set(src);
  const blurredBase = gaussBuf[0];
  gaussianBlur(base, bw, bh, sigDiff, blurredBase, scratch0);

  const nOctaves = Math.max(1, cvRound(Math.log(Math.min(bw, bh)) / Math.LN2 - 2) - firstOctave);

  const threshold = Math.floor((0.5 * contrastThreshold / L) * 255);
  const keypoints: Keypoint[] = [];
  const descChunks: Float32Array[] = [];
  const s = new OctaveScratch();
  const hist = new Float64Array(SIFT_ORI_HIST_BINS);

  let first = blurredBase;
  let w = bw;
  let h = bh;
  for (let o = 0; o < nOctaves; o++) {
    if (o > 0) {
      if (Math.floor(w / 2) < 1 || Math.floor(h / 2) < 1) break;
    }
    // Gaussian images of this octave.
    // Gaussian and DoG images of this octave, in buffers sized for octave 0 and reused (views).
    const size = w * h;
    const gauss: Float32Array[] = [first];
    for (let i = 1; i < L + 3; i++) {
      const g = gaussBuf[i].subarray(0, size);
      gaussianBlur(gauss[i - 1], w, h, sig[i], g, scratch0);
      gauss.push(g);
    }
    const dog: Float32Array[] = [];
    for (let i = 0; i < L + 2; i++) {
      const dd = dogBuf[i].subarray(0, size);
      subtract(gauss[i + 1], gauss[i], dd, wasm?.ws);
      dog.push(dd);
    }

    // Extrema of the DoG over 26 neighbours, then refinement, orientation and description.
    const found: { kp: Keypoint; layer: number; ptx: number; pty: number; scl: number }[] = [];
    for (let layer = 1; layer <= L; layer++) {
      const prev = dog[layer - 1], cur = dog[layer], next = dog[layer + 1];
      const candidates = scanExtrema(prev, cur, next, w, h, threshold);
      for (let ci = 0; ci < candidates.length; ci++) {
        const p = candidates[ci];
        const r = Math.floor(p / w);
        const c = p - r * w;
        {
          const pt = adjustLocalExtrema(dog, w, h, r, c, layer, L, contrastThreshold, edgeThreshold);
          if (!pt) continue;
          const sclOctv = sigma * Math.pow(2, (pt.layer + pt.xi) / L);
          const omax = orientationHistogram(
            gauss[pt.layer], w, h, pt.c, pt.r, cvRound(SIFT_ORI_RADIUS * sclOctv), SIFT_ORI_SIG_FCTR * sclOctv, hist,
          );
          const magThr = omax * SIFT_ORI_PEAK_RATIO;
          const octScale = Math.pow(2, o + firstOctave);
          const ptx = pt.c + pt.xc;
          const pty = pt.r + pt.xr;
          const n = SIFT_ORI_HIST_BINS;
          for (let j = 0; j < n; j++) {
            const l = j > 0 ? j - 1 : n - 1;
            const r2 = j < n - 1 ? j + 1 : 0;
            if (hist[j] > hist[l] && hist[j] > hist[r2] && hist[j] >= magThr) {
              let bin = j + (0.5 * (hist[l] - hist[r2])) / (hist[l] - 2 * hist[j] + hist[r2]);
              bin = bin < 0 ? n + bin : bin >= n ? bin - n : bin;
              let angle = 360 - (360 / n) * bin;
              if (Math.abs(angle - 360) < FLT_EPSILON) angle = 0;
              const kp: Keypoint = {
                x: ptx * octScale,
                y: pty * octScale,
                size: sclOctv * 2 * octScale,
                angle,
                response: pt.contrast,
                octave: o + firstOctave,
              };
              found.push({ kp, layer: pt.layer, ptx, pty, scl: sclOctv });
            }
          }
        }
      }
    }
    // Descriptors on the octave's Gaussian image of the keypoint's layer, while it is in memory.
    const desc = new Float32Array(found.length * SIFT_DESCRIPTOR_SIZE);
    for (let i = 0; i < found.length; i++) {
      const f = found[i];
      let ori = 360 - f.kp.angle;
      if (Math.abs(ori - 360) < FLT_EPSILON) ori = 0;
      siftDescriptor(gauss[f.layer], w, h, f.ptx, f.pty, ori, f.scl, desc, i * SIFT_DESCRIPTOR_SIZE, s);
      keypoints.push(f.kp);
    }
    descChunks.push(desc);
    opts.onProgress?.(o + 1, nOctaves, "SIFT octaves");
    // Next octave starts from the image with twice the base sigma, decimated.
    const next = downsampleNearest(gauss[L], w, h);
    first = gaussBuf[0].subarray(0, next.data.length);
    first.set(next.data);
    w = next.w;
    h = next.h;
    if (w < 1 || h < 1) break;
  }

  let descriptors = new Float32Array(keypoints.length * SIFT_DESCRIPTOR_SIZE);
  {
    let off = 0;
    for (const c of descChunks) {
      descriptors.set(c, off);
      off += c.length;
    }
  }
  // Remove exact duplicates (OpenCV's KeyPointsFilter::removeDuplicatedSorted), then keep the best n.
  let order = keypoints.map((_, i) => i);
  order.sort((a, b) => {
    const p = keypoints[a], q = keypoints[b];
    return p.x - q.x || p.y - q.y || p.size - q.size || p.angle - q.angle || a - b;
  });
  order = order.filter((idx, n) => {
    if (n === 0) return true;
    const p = keypoints[idx], q = keypoints[order[n - 1]];
    return !(p.x === q.x && p.y === q.y && p.size === q.size && p.angle === q.angle);
  });
  if (nfeatures > 0 && order.length > nfeatures) {
    order.sort((a, b) => keypoints[b].response - keypoints[a].response || a - b);
    order = order.slice(0, nfeatures);
  }
  const outKp: Keypoint[] = new Array(order.length);
  const outDesc = new Float32Array(order.length * SIFT_DESCRIPTOR_SIZE);
  for (let i = 0; i < order.length; i++) {
    outKp[i] = keypoints[order[i]];
    outDesc.set(descriptors.subarray(order[i] * SIFT_DESCRIPTOR_SIZE, (order[i] + 1) * SIFT_DESCRIPTOR_SIZE), i * SIFT_DESCRIPTOR_SIZE);
  }
  descriptors = outDesc;
  return { keypoints: outKp, descriptors, width: gray.width, height: gray.height };
}
