import type { RgbaImage } from "unmask";

/** A similarity transform about the image centre: rotate by `degrees` (counter-clockwise on screen), scale by `scale`. */
export interface Similarity {
  degrees: number;
  scale: number;
}

/**
 * Warp an image by a similarity about its centre into a canvas big enough to hold it (bilinear,
 * black outside). Returns the image and the exact forward map from source to destination pixels,
 * the analytic truth the matches are checked against.
 */
export function warpSimilarity(img: RgbaImage, t: Similarity): { image: RgbaImage; map: (x: number, y: number) => [number, number] } {
  const th = (-t.degrees * Math.PI) / 180; // image y points down: negative angle turns counter-clockwise on screen
  const c = Math.cos(th) * t.scale;
  const s = Math.sin(th) * t.scale;
  const cx = (img.width - 1) / 2;
  const cy = (img.height - 1) / 2;
  const corners = [[0, 0], [img.width - 1, 0], [0, img.height - 1], [img.width - 1, img.height - 1]].map(([x, y]) => [
    c * (x - cx) - s * (y - cy),
    s * (x - cx) + c * (y - cy),
  ]);
  const W = Math.ceil(Math.max(...corners.map((p) => p[0])) - Math.min(...corners.map((p) => p[0]))) + 1;
  const H = Math.ceil(Math.max(...corners.map((p) => p[1])) - Math.min(...corners.map((p) => p[1]))) + 1;
  const ox = (W - 1) / 2;
  const oy = (H - 1) / 2;
  const map = (x: number, y: number): [number, number] => [c * (x - cx) - s * (y - cy) + ox, s * (x - cx) + c * (y - cy) + oy];
  const det = c * c + s * s;
  const out = new Uint8ClampedArray(W * H * 4);
  for (let Y = 0; Y < H; Y++) {
    for (let X = 0; X < W; X++) {
      const u = X - ox, v = Y - oy;
      const x = (c * u + s * v) / det + cx;
      const y = (-s * u + c * v) / det + cy;
      const o = (Y * W + X) * 4;
      out[o + 3] = 255;
      if (x < 0 || y < 0 || x > img.width - 1 || y > img.height - 1) continue;
      const x0 = Math.min(Math.floor(x), img.width - 2), y0 = Math.min(Math.floor(y), img.height - 2);
      const fx = x - x0, fy = y - y0;
      for (let ch = 0; ch < 3; ch++) {
        const p = (y0 * img.width + x0) * 4 + ch;
        const q = p + img.width * 4;
        out[o + ch] = (img.data[p] * (1 - fx) + img.data[p + 4] * fx) * (1 - fy) + (img.data[q] * (1 - fx) + img.data[q + 4] * fx) * fy;
      }
    }
  }
  return { image: { width: W, height: H, data: out }, map };
}
