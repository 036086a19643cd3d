import { createCanvas, createImageData, type Canvas, type CanvasRenderingContext2D } from "canvas";
import { InvalidArgumentError } from "../core/errors";
import type { Box, RgbaImage } from "../image/types";

/** A box to draw, with an optional label and CSS colour. */
export type OverlayBox = Box & { label?: string; color?: string };
/** A line between two image points (e.g. a matched keypoint pair), with an optional CSS colour. */
export interface OverlayLine {
  a: [number, number];
  b: [number, number];
  color?: string;
}
/** What `drawOverlays` draws on an image (coordinates in the image's pixels). */
export interface Overlays {
  boxes?: OverlayBox[];
  /** Points drawn as small dots (e.g. face landmarks). */
  landmarks?: [number, number][];
  /** Dot colour for landmarks (default lime). */
  landmarkColor?: string;
  lines?: OverlayLine[];
  /** Line width in output pixels (default 2). */
  lineWidth?: number;
}

/** Copy an RgbaImage onto a new canvas, scaled by `scale` (nearest-neighbour for crisp pixels). */
export function imageToCanvas(img: RgbaImage, scale = 1): Canvas {
  checkImage(img);
  const src = createCanvas(img.width, img.height);
  const sctx = src.getContext("2d");
  const id = createImageData(new Uint8ClampedArray(img.data), img.width, img.height);
  sctx.putImageData(id, 0, 0);
  if (scale === 1) return src;
  const w = Math.max(1, Math.round(img.width * scale)), h = Math.max(1, Math.round(img.height * scale));
  const dst = createCanvas(w, h);
  const ctx = dst.getContext("2d");
  ctx.imageSmoothingEnabled = scale < 1;
  ctx.drawImage(src, 0, 0, w, h);
  return dst;
}

/** Read a canvas back as an RgbaImage. */
export function canvasToImage(c: Canvas): RgbaImage {
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height);
  return { width: c.width, height: c.height, data: new Uint8ClampedArray(d.data) };
}

/** Encode a canvas as PNG bytes. */
export function canvasToPng(c: Canvas): Buffer {
  return c.toBuffer("image/png");
}

/** Encode an RgbaImage as PNG bytes. */
export function rgbaToPng(img: RgbaImage): Buffer {
  return canvasToPng(imageToCanvas(img));
}

/** Throw a clear error for something that is not an RgbaImage. */
export function checkImage(img: RgbaImage): void {
  if (!img || !Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width <= 0 || img.height <= 0) {
    throw new InvalidArgumentError("expected an RgbaImage {width, height, data} with positive integer size");
  }
  if (!img.data || img.data.length !== img.width * img.height * 4) {
    throw new InvalidArgumentError(`RgbaImage data has ${img.data?.length} bytes, expected ${img.width}×${img.height}×4 = ${img.width * img.height * 4}`);
  }
}

/** Draw overlays on a 2D context whose coordinates are image pixels × `scale`. */
export function paintOverlays(ctx: CanvasRenderingContext2D, o: Overlays, scale = 1, offsetY = 0): void {
  const lw = o.lineWidth ?? 2;
  ctx.lineWidth = lw;
  for (const l of o.lines ?? []) {
    ctx.strokeStyle = l.color ?? "#00e0ff";
    ctx.beginPath();
    ctx.moveTo(l.a[0] * scale, l.a[1] * scale + offsetY);
    ctx.lineTo(l.b[0] * scale, l.b[1] * scale + offsetY);
    ctx.stroke();
  }
  for (const b of o.boxes ?? []) {
    const color = b.color ?? "#ff3030";
    ctx.strokeStyle = color;
    ctx.lineWidth = lw;
    // Inset by half the line width so the stroke lies inside the box's pixels.
    ctx.strokeRect(b.x * scale + lw / 2, b.y * scale + offsetY + lw / 2, Math.max(0, b.width * scale - lw), Math.max(0, b.height * scale - lw));
    if (b.label) {
      ctx.font = "bold 13px DejaVu Sans, sans-serif";
      const tw = ctx.measureText(b.label).width + 6;
      const ty = Math.max(offsetY, b.y * scale + offsetY - 17);
      ctx.fillStyle = color;
      ctx.fillRect(b.x * scale, ty, tw, 17);
      ctx.fillStyle = "#ffffff";
      ctx.fillText(b.label, b.x * scale + 3, ty + 13);
    }
  }
  const r = Math.max(1.5, lw);
  ctx.fillStyle = o.landmarkColor ?? "#30ff30";
  for (const [x, y] of o.landmarks ?? []) {
    ctx.beginPath();
    ctx.arc(x * scale, y * scale + offsetY, r, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** Draw boxes, landmarks and lines on a copy of `img` (same size); the input is not modified. */
export function drawOverlays(img: RgbaImage, overlays: Overlays): RgbaImage {
  const c = imageToCanvas(img);
  paintOverlays(c.getContext("2d"), overlays);
  return canvasToImage(c);
}

/** Put a title band above a canvas. */
export function withTitle(c: Canvas, title: string): Canvas {
  const band = 24;
  const out = createCanvas(c.width, c.height + band);
  const ctx = out.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, out.width, band);
  ctx.fillStyle = "#111111";
  ctx.font = "14px DejaVu Sans, sans-serif";
  ctx.fillText(title, 4, 17);
  ctx.drawImage(c, 0, band);
  return out;
}

/** A single-channel image (e.g. GrayImage, or a float map such as a depth image): one value per pixel. */
export interface ScalarImage {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/**
 * RGBA for display: RGBA images pass through; one-value-per-pixel images become grey — 8-bit data
 * as is, other data stretched from its finite min (black) to max (white), non-finite values black.
 */
export function toDisplayRgba(img: RgbaImage | ScalarImage): RgbaImage {
  const n = img.width * img.height;
  if (img.data.length === 4 * n && (img.data instanceof Uint8ClampedArray || img.data instanceof Uint8Array)) {
    return { width: img.width, height: img.height, data: img.data instanceof Uint8ClampedArray ? img.data : new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length) };
  }
  if (img.data.length !== n) return img as RgbaImage; // let checkImage report the size mismatch
  const d = img.data;
  const eightBit = d instanceof Uint8Array || d instanceof Uint8ClampedArray;
  let lo = 0, hi = 255;
  if (!eightBit) {
    lo = Infinity;
    hi = -Infinity;
    for (let p = 0; p < n; p++) if (Number.isFinite(d[p])) { lo = Math.min(lo, d[p]); hi = Math.max(hi, d[p]); }
    if (!(hi > lo)) hi = lo + 1;
  }
  const out = new Uint8ClampedArray(4 * n);
  for (let p = 0; p < n; p++) {
    const v = d[p];
    const g = Number.isFinite(v) ? Math.round(((v - lo) / (hi - lo)) * 255) : 0;
    out[4 * p] = out[4 * p + 1] = out[4 * p + 2] = g;
    out[4 * p + 3] = 255;
  }
  return { width: img.width, height: img.height, data: out };
}

