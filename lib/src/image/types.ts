/** An 8-bit RGBA image, rows top to bottom: pixel (x, y) at data[4·(x + width·y)]. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** An axis-aligned box in image pixels (x, y = top-left corner). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
