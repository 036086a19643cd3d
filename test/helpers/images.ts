import { type RgbaImage } from "unmask";
import { decodeImage, foregroundFraction } from "unmask/image";

/** Simple content statistics of an image, to tell a real picture from a blank one. */
export interface ImageStats {
  width: number;
  height: number;
  /** Fraction of pixels that differ from the corner (background) colour. */
  foreground: number;
  /** Number of distinct grey levels (0–255) used. */
  greyLevels: number;
  /** Standard deviation of the grey values. */
  std: number;
}

/** Statistics of an RGBA image. */
export function imageStats(img: RgbaImage): ImageStats {
  const seen = new Uint8Array(256);
  let s = 0, s2 = 0;
  const n = img.width * img.height;
  for (let q = 0; q < img.data.length; q += 4) {
    const g = Math.round((img.data[q] + img.data[q + 1] + img.data[q + 2]) / 3);
    seen[g] = 1;
    s += g;
    s2 += g * g;
  }
  const mean = s / n;
  return {
    width: img.width,
    height: img.height,
    foreground: foregroundFraction(img),
    greyLevels: seen.reduce((a, b) => a + b, 0),
    std: Math.sqrt(Math.max(0, s2 / n - mean * mean)),
  };
}

/** Decode PNG bytes and return their statistics. */
export async function pngStats(png: Uint8Array): Promise<ImageStats & { image: RgbaImage }> {
  const image = await decodeImage(png, "png output");
  return { ...imageStats(image), image };
}
