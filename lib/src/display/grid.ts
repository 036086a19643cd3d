import { createCanvas } from "canvas";
import { InvalidArgumentError } from "../core/errors";
import type { RgbaImage } from "../image/types";
import { canvasToImage, imageToCanvas, paintOverlays, toDisplayRgba, type Overlays, type ScalarImage } from "./raster";

/** One cell of a contact sheet: an image, its caption and optional overlays (in its own pixels). */
export interface GridItem extends Overlays {
  /** RGBA, or one value per pixel (shown grey, stretched min–max unless 8-bit). */
  image: RgbaImage | ScalarImage;
  label?: string;
}

/** Options for `gridImage` / `show.grid`. */
export interface GridOptions {
  /** Images per row (default: all in one row up to 4). */
  columns?: number;
  /** Each cell's width in pixels (images are scaled to it, aspect kept; default: the widest image, at most 320). */
  cellWidth?: number;
  /** Sheet background (CSS, default white). */
  background?: string;
  title?: string;
}

/** A contact sheet: images in a grid, each scaled to the same width, captioned underneath. */
export function gridImage(items: GridItem[], opts: GridOptions = {}): RgbaImage {
  if (!Array.isArray(items) || items.length === 0) throw new InvalidArgumentError("show.grid needs at least one image");
  const columns = Math.max(1, Math.min(items.length, Math.round(opts.columns ?? Math.min(items.length, 4))));
  const cellW = Math.max(16, Math.round(opts.cellWidth ?? Math.min(320, Math.max(...items.map((i) => i.image.width)))));
  const scaled = items.map((it) => {
    const s = cellW / it.image.width;
    const c = imageToCanvas(toDisplayRgba(it.image), s);
    paintOverlays(c.getContext("2d"), { ...it, lineWidth: it.lineWidth ?? 2 }, s);
    return c;
  });
  const rows = Math.ceil(items.length / columns);
  const caption = items.some((i) => i.label) ? 20 : 0;
  const pad = 6, titleH = opts.title ? 24 : 0;
  const rowH: number[] = [];
  for (let r = 0; r < rows; r++) rowH.push(Math.max(...scaled.slice(r * columns, (r + 1) * columns).map((c) => c.height)) + caption);
  const width = columns * cellW + (columns + 1) * pad;
  const height = titleH + rowH.reduce((a, b) => a + b, 0) + (rows + 1) * pad;
  const sheet = createCanvas(width, height);
  const ctx = sheet.getContext("2d");
  ctx.fillStyle = opts.background ?? "#ffffff";
  ctx.fillRect(0, 0, width, height);
  if (opts.title) {
    ctx.fillStyle = "#111111";
    ctx.font = "bold 14px DejaVu Sans, sans-serif";
    ctx.fillText(opts.title, pad, 17);
  }
  let y = titleH + pad;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const n = r * columns + c;
      if (n >= items.length) break;
      const x = pad + c * (cellW + pad);
      ctx.drawImage(scaled[n], x, y);
      if (items[n].label) {
        ctx.fillStyle = "#222222";
        ctx.font = "12px DejaVu Sans, sans-serif";
        let text = items[n].label as string;
        while (text.length > 1 && ctx.measureText(text).width > cellW) text = text.slice(0, -2) + "…";
        ctx.fillText(text, x + 2, y + scaled[n].height + 14);
      }
    }
    y += rowH[r] + pad;
  }
  return canvasToImage(sheet);
}
