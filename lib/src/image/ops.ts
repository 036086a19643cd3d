import type { RgbaImage } from "./types";

/** An 8-bit single-channel image, rows top to bottom. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * Grey levels exactly as OpenCV 4.x's cv2.cvtColor(…, COLOR_RGB2GRAY) computes them for 8-bit images:
 * fixed-point weights 9798, 19235, 3735 (0.299, 0.587, 0.114 × 2^15), rounded. Bit-exact against
 * python3-opencv 4.6 on the shipped photos, so SIFT, ORB and Haar see the seed's grey image.
 */
export function toGray(img: RgbaImage): GrayImage {
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  const d = img.data;
  for (let p = 0, q = 0; p < n; p++, q += 4) out[p] = (d[q] * 9798 + d[q + 1] * 19235 + d[q + 2] * 3735 + 16384) >> 15;
  return { width: img.width, height: img.height, data: out };
}

/** Grey to RGBA (opaque). */
export function grayToRgba(g: GrayImage): RgbaImage {
  const out = new Uint8ClampedArray(g.width * g.height * 4);
  for (let p = 0, q = 0; p < g.data.length; p++, q += 4) {
    out[q] = out[q + 1] = out[q + 2] = g.data[p];
    out[q + 3] = 255;
  }
  return { width: g.width, height: g.height, data: out };
}

/** Fraction of pixels that differ from the corner pixel's colour by more than `tolerance` (0–255): how much of an image is not background. */
export function foregroundFraction(img: RgbaImage, tolerance = 8): number {
  const d = img.data;
  const [r, g, b] = [d[0], d[1], d[2]];
  let n = 0;
  for (let q = 0; q < d.length; q += 4) {
    if (Math.abs(d[q] - r) > tolerance || Math.abs(d[q + 1] - g) > tolerance || Math.abs(d[q + 2] - b) > tolerance) n++;
  }
  return n / (img.width * img.height);
}

/** Copy of a rectangle of an image (clamped to the image). */
export function cropImage(img: RgbaImage, x: number, y: number, width: number, height: number): RgbaImage {
  const x0 = Math.max(0, Math.floor(x)), y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(img.width, Math.ceil(x + width)), y1 = Math.min(img.height, Math.ceil(y + height));
  const w = Math.max(0, x1 - x0), h = Math.max(0, y1 - y0);
  const out = new Uint8ClampedArray(w * h * 4);
  for (let row = 0; row < h; row++) {
    const s = 4 * (x0 + img.width * (y0 + row));
    out.set(img.data.subarray(s, s + 4 * w), 4 * w * row);
  }
  return { width: w, height: h, data: out };
}

/**
 * Grey-level closing of the colour channels by a (2r+1)² square (maximum, then minimum; alpha kept):
 * dark specks up to 2r+1 pixels across are filled, larger dark features (eyes, nostrils) stay.
 */
export function closeImage(img: RgbaImage, radius = 1): RgbaImage {
  const { width: w, height: h } = img;
  const r = Math.max(0, Math.round(radius));
  const pass = (src: Uint8ClampedArray | Uint8Array, horizontal: boolean, max: boolean): Uint8ClampedArray => {
    const out = new Uint8ClampedArray(src);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
      let m = max ? 0 : 255;
      for (let d = -r; d <= r; d++) {
        const xx = horizontal ? Math.min(w - 1, Math.max(0, x + d)) : x, yy = horizontal ? y : Math.min(h - 1, Math.max(0, y + d));
        const v = src[4 * (yy * w + xx) + c];
        if (max ? v > m : v < m) m = v;
      }
      out[4 * (y * w + x) + c] = m;
    }
    return out;
  };
  const data = pass(pass(pass(pass(img.data, true, true), false, true), true, false), false, false);
  return { width: w, height: h, data };
}
