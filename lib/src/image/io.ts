import { withSummary } from "../core/summary";
import * as fs from "node:fs";
import sharp from "sharp";
import { FileNotFoundError, ImageDecodeError } from "../core/errors";
import { writeFileAtomic } from "../core/fs";
import type { RgbaImage } from "./types";

/** Decode an image file (PNG, JPEG, WebP, TIFF …) to RGBA. EXIF rotation is applied. */
export async function readImage(file: string): Promise<RgbaImage> {
  if (!fs.existsSync(file)) throw new FileNotFoundError(file, "image");
  return decodeImage(fs.readFileSync(file), file);
}

/** Decode encoded image bytes to RGBA; `name` is used in error messages. */
export async function decodeImage(bytes: Uint8Array, name = "<bytes>"): Promise<RgbaImage> {
  try {
    const { data, info } = await sharp(bytes).rotate().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return withSummary({ width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) });
  } catch (e) {
    throw new ImageDecodeError(name, (e as Error).message);
  }
}

/** Encode an RGBA image as PNG bytes. */
export async function encodePng(img: RgbaImage): Promise<Buffer> {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: 4 },
  }).png({ compressionLevel: 6 }).toBuffer();
}

/** Write an RGBA image as a PNG file, atomically. */
export async function writePng(file: string, img: RgbaImage): Promise<void> {
  writeFileAtomic(file, await encodePng(img));
}
