import type { Box } from "../image/types";
import type { Face } from "./types";

/** Bounding box of points, clipped to the image. */
export function boundsOf(points: [number, number][], width: number, height: number): Box {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of points) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  x0 = Math.max(0, x0); y0 = Math.max(0, y0);
  x1 = Math.min(width, x1); y1 = Math.min(height, y1);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/** Intersection area over the smaller box's area (1 when one box holds the other). */
export function overlapOfSmaller(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.min(a.width * a.height, b.width * b.height);
}

/** Greedy suppression: of faces overlapping by more than `threshold` (of the smaller box), keep the higher score. */
export function dedupeFaces(faces: Face[], threshold = 0.6): Face[] {
  const order = [...faces].sort((a, b) => b.score - a.score);
  const kept: Face[] = [];
  for (const f of order) if (!kept.some((k) => overlapOfSmaller(k.box, f.box) > threshold)) kept.push(f);
  return kept;
}
