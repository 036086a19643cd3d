import type { Direction, Vec3 } from "../volume/types";
import type { SliceHeader } from "./types";

/** Slice normal = row direction × column direction (DICOM's right-handed slice stacking axis). */
export function sliceNormal(iop: NonNullable<SliceHeader["imageOrientation"]>): Vec3 {
  const [r0, r1, r2, c0, c1, c2] = iop;
  const n: Vec3 = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
  const len = Math.hypot(...n) || 1;
  return [n[0] / len, n[1] / len, n[2] / len];
}

/** Position of a slice along the normal (mm). */
export function positionAlongNormal(h: SliceHeader, normal: Vec3): number {
  const p = h.imagePosition!;
  return p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
}

/** Direction columns (i = row direction, j = column direction, k = normal) from an orientation. */
export function directionFromOrientation(iop: NonNullable<SliceHeader["imageOrientation"]>): Direction {
  const unit = (v: number[]) => {
    const l = Math.hypot(...v) || 1;
    return v.map((x) => x / l);
  };
  const r = unit(iop.slice(0, 3));
  const c = unit(iop.slice(3, 6));
  const n = sliceNormal(iop);
  return [r[0], r[1], r[2], c[0], c[1], c[2], n[0], n[1], n[2]];
}

/** Slices ordered along their normal: the one place slice spacing is computed (listing and loading). */
export interface SliceStack {
  /** Header indices, lowest position along the normal first. */
  order: number[];
  /** Position of each header (input order) along the normal, mm. */
  positions: number[];
  /** Distance between consecutive slices in `order` (length order.length - 1). */
  gaps: number[];
  /** Median gap (the lower median for an even count), mm; null for a single slice. */
  spacing: number | null;
}

/** Order slices by ImagePositionPatient along the normal of ImageOrientationPatient; null when positions or orientation are missing. */
export function sliceStack(hs: SliceHeader[]): SliceStack | null {
  const iop = hs[0]?.imageOrientation;
  if (!iop || hs.some((h) => !h.imagePosition)) return null;
  const normal = sliceNormal(iop);
  const positions = hs.map((h) => positionAlongNormal(h, normal));
  const order = hs.map((_, n) => n).sort((a, b) => positions[a] - positions[b] || a - b);
  const gaps = order.slice(1).map((idx, k) => positions[idx] - positions[order[k]]);
  const sorted = [...gaps].sort((a, b) => a - b);
  return { order, positions, gaps, spacing: sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null };
}

/** Geometry summary of a set of slices: direction and median spacing along the normal, when known. */
export function seriesGeometry(hs: SliceHeader[]): { direction: Direction | null; medianSpacing: number | null } {
  const iop = hs[0].imageOrientation;
  return { direction: iop ? directionFromOrientation(iop) : null, medianSpacing: sliceStack(hs)?.spacing ?? null };
}
