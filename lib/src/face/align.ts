/**
 * Five-point face alignment (the ArcFace/InsightFace convention): a similarity transform that
 * maps both eye centres, the nose tip and the mouth corners onto a fixed 112 × 112 template,
 * then a bilinear warp. Pure functions on plain arrays.
 */
import type { RgbaImage } from "../image/types";
import { InvalidArgumentError } from "../core/errors";
import { deepFreeze } from "../core/freeze";

/** ArcFace's 112 × 112 template: image-left eye, image-right eye, nose tip, image-left and image-right mouth corners. */
export const ARCFACE_TEMPLATE: readonly (readonly [number, number])[] = deepFreeze([
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
]);

/** A 2-D similarity transform: x' = a·x − b·y + tx, y' = b·x + a·y + ty. */
export interface Similarity { a: number; b: number; tx: number; ty: number }

/** Least-squares similarity transform taking `src` points onto `dst` points (Umeyama, no reflection). */
export function fitSimilarity(src: readonly (readonly [number, number])[], dst: readonly (readonly [number, number])[]): Similarity {
  if (src.length !== dst.length || src.length < 2) throw new InvalidArgumentError("fitSimilarity needs ≥ 2 matching point pairs");
  const n = src.length;
  let mx = 0, my = 0, nx = 0, ny = 0;
  for (let i = 0; i < n; i++) { mx += src[i][0]; my += src[i][1]; nx += dst[i][0]; ny += dst[i][1]; }
  mx /= n; my /= n; nx /= n; ny /= n;
  let sxx = 0, a = 0, b = 0;
  for (let i = 0; i < n; i++) {
    const x = src[i][0] - mx, y = src[i][1] - my, X = dst[i][0] - nx, Y = dst[i][1] - ny;
    sxx += x * x + y * y;
    a += x * X + y * Y;
    b += x * Y - y * X;
  }
  if (!(sxx > 0)) throw new InvalidArgumentError("fitSimilarity: source points coincide");
  a /= sxx; b /= sxx;
  return { a, b, tx: nx - (a * mx - b * my), ty: ny - (b * mx + a * my) };
}

/** Warp an image through `m` (source → output) into a size × size RGB Float32 array (0–255, rows top to bottom), bilinear, edges clamped. */
export function warpToRgb(img: RgbaImage, m: Similarity, size = 112): Float32Array {
  const out = new Float32Array(size * size * 3);
  const det = m.a * m.a + m.b * m.b;
  const { width: w, height: h, data } = img;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      // Inverse map of the output pixel centre back into the source image.
      const X = u - m.tx, Y = v - m.ty;
      const x = (m.a * X + m.b * Y) / det, y = (-m.b * X + m.a * Y) / det;
      const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
      const xa = Math.min(w - 1, Math.max(0, x0)), xb = Math.min(w - 1, Math.max(0, x0 + 1));
      const ya = Math.min(h - 1, Math.max(0, y0)), yb = Math.min(h - 1, Math.max(0, y0 + 1));
      const p00 = 4 * (xa + w * ya), p10 = 4 * (xb + w * ya), p01 = 4 * (xa + w * yb), p11 = 4 * (xb + w * yb);
      const o = 3 * (u + size * v);
      for (let c = 0; c < 3; c++) {
        out[o + c] = (1 - fy) * ((1 - fx) * data[p00 + c] + fx * data[p10 + c]) + fy * ((1 - fx) * data[p01 + c] + fx * data[p11 + c]);
      }
    }
  }
  return out;
}

// MediaPipe face-mesh indices of the five points (image-left = the subject's right).
const MESH_FIVE = { leftEye: [33, 133], rightEye: [362, 263], nose: 1, mouthLeft: 61, mouthRight: 291 } as const;

/** The five alignment points from human's 468-point face mesh. */
export function fivePointsFromMesh(mesh: readonly [number, number][]): [number, number][] {
  if (mesh.length < 468) throw new InvalidArgumentError(`expected the 468-point face mesh, got ${mesh.length} points`);
  const mid = (i: number, j: number): [number, number] => [(mesh[i][0] + mesh[j][0]) / 2, (mesh[i][1] + mesh[j][1]) / 2];
  return [
    mid(MESH_FIVE.leftEye[0], MESH_FIVE.leftEye[1]),
    mid(MESH_FIVE.rightEye[0], MESH_FIVE.rightEye[1]),
    [mesh[MESH_FIVE.nose][0], mesh[MESH_FIVE.nose][1]],
    [mesh[MESH_FIVE.mouthLeft][0], mesh[MESH_FIVE.mouthLeft][1]],
    [mesh[MESH_FIVE.mouthRight][0], mesh[MESH_FIVE.mouthRight][1]],
  ];
}

/** A face aligned to ArcFace's 112 × 112 template from its face-mesh landmarks (RGB, 0–255). */
export function alignFace(img: RgbaImage, mesh: readonly [number, number][], size = 112): Float32Array {
  const s = size / 112;
  const template = ARCFACE_TEMPLATE.map(([x, y]) => [x * s, y * s] as [number, number]);
  return warpToRgb(img, fitSimilarity(fivePointsFromMesh(mesh), template), size);
}
