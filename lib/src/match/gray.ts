import type { RgbaImage } from "../image/types";

/**
 * Grey levels exactly as OpenCV 4.x's cv2.cvtColor(…, COLOR_RGB2GRAY) computes them for 8-bit images:
 * fixed-point weights 9798, 19235, 3735 (0.299, 0.587, 0.114 × 2^15), rounded. Bit-exact on the
 * shipped photos against python3-opencv 4.6, so SIFT and ORB see the seed's grey image.
 */
export function grayLikeOpenCV(img: RgbaImage): { width: number; height: number; data: Uint8Array } {
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  const d = img.data;
  for (let p = 0, q = 0; p < n; p++, q += 4) out[p] = (d[q] * 9798 + d[q + 1] * 19235 + d[q + 2] * 3735 + 16384) >> 15;
  return { width: img.width, height: img.height, data: out };
}
