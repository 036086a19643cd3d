import { createCanvas } from "canvas";
import { InvalidArgumentError } from "../core/errors";
import type { RgbaImage } from "../image/types";
import { axisCodes } from "../volume/volume";
import { extractSlice } from "../volume/slice";
import type { AnatomicalAxis, Volume } from "../volume/types";
import { canvasToImage, imageToCanvas } from "./raster";
import { deepFreeze } from "../core/freeze";

/** A display window: values in [center − width/2, center + width/2] map to black…white. */
export interface WindowLevel {
  center: number;
  width: number;
}

/** Named CT windows in Hounsfield units (center/width), the usual radiology presets. */
export const HU_WINDOWS = deepFreeze({
  brain: { center: 40, width: 80 },
  "soft-tissue": { center: 40, width: 400 },
  bone: { center: 400, width: 1800 },
  lung: { center: -600, width: 1500 },
  // Centred on the −300 HU isosurface the seed uses for the skin: air black, soft tissue bright.
  skin: { center: -300, width: 1200 },
} as const satisfies Record<string, WindowLevel>);

/** A window preset name or explicit center/width. */
export type WindowSpec = keyof typeof HU_WINDOWS | WindowLevel;

/** The three anatomical planes, in the order `slicesImage` draws them. */
export type Plane = "axial" | "coronal" | "sagittal";

/** Options for `slicesImage` / `show.slices`. */
export interface SlicesOptions {
  /** Window preset or {center, width}. Default: soft-tissue for HU volumes, 1st–99.5th percentile otherwise. */
  window?: WindowSpec;
  /** Voxel index [i, j, k] the three planes pass through (default: the middle voxel). */
  index?: [number, number, number];
  /** Panel height in pixels (default 256). */
  panelSize?: number;
  /** Draw a crosshair at the index (default false). */
  crosshair?: boolean;
  /** A mask with the volume's geometry (e.g. a defacing or skull mask) tinted over the slices where it is non-zero. */
  mask?: { data: Uint8Array };
  /** Mask tint as [r, g, b] (default red) and opacity (default 0.4). */
  maskColor?: [number, number, number];
  maskOpacity?: number;
}

/** One displayed plane: which voxel axis was cut, at which index, and the pixel image. */
export interface SlicePanel {
  plane: Plane;
  voxelAxis: 0 | 1 | 2;
  index: number;
  /** Grey image, radiological orientation (see `slicesImage`). */
  image: RgbaImage;
  /** Anatomical direction at the panel's left, right, top, bottom edges. */
  edges: { left: AnatomicalAxis; right: AnatomicalAxis; top: AnatomicalAxis; bottom: AnatomicalAxis };
}

const LPS_POS: AnatomicalAxis[] = ["L", "P", "S"];
const LPS_NEG: AnatomicalAxis[] = ["R", "A", "I"];

/** Screen axes per plane as (LPS axis, sign): +x to the right, +y downwards. */
const SCREEN: Record<Plane, { normal: number; x: [number, 1 | -1]; y: [number, 1 | -1] }> = {
  // Radiological convention: patient's right on the viewer's left; anterior up; superior up.
  axial: { normal: 2, x: [0, 1], y: [1, 1] },
  coronal: { normal: 1, x: [0, 1], y: [2, -1] },
  // Anterior on the left, superior up.
  sagittal: { normal: 0, x: [1, 1], y: [2, -1] },
};

/** Resolve a window spec (or the default) for a volume. */
export function resolveWindow(vol: Volume, spec?: WindowSpec): WindowLevel {
  if (spec === undefined) {
    if (vol.units === "HU") return HU_WINDOWS["soft-tissue"];
    const [lo, hi] = samplePercentiles(vol.data, [1, 99.5]);
    return { center: (lo + hi) / 2, width: Math.max(hi - lo, 1e-6) };
  }
  if (typeof spec === "string") {
    const w = (HU_WINDOWS as Record<string, WindowLevel>)[spec];
    if (!w) throw new InvalidArgumentError(`unknown window "${spec}"; use one of ${Object.keys(HU_WINDOWS).join(", ")} or {center, width}`);
    return w;
  }
  if (!(spec.width > 0) || !Number.isFinite(spec.center)) throw new InvalidArgumentError(`window width must be > 0 (got ${spec.width})`);
  return spec;
}

/** Percentiles of at most ~1 M evenly strided samples (fast on big volumes, exact on small ones). */
function samplePercentiles(data: Float32Array, ps: number[]): number[] {
  const step = Math.max(1, Math.floor(data.length / 1_000_000));
  const s = new Float32Array(Math.ceil(data.length / step));
  for (let n = 0, m = 0; n < data.length; n += step) s[m++] = data[n];
  s.sort();
  return ps.map((p) => {
    const f = (p / 100) * (s.length - 1);
    const lo = Math.floor(f), hi = Math.min(s.length - 1, lo + 1);
    return s[lo] + (s[hi] - s[lo]) * (f - lo);
  });
}

/** Which voxel axis points mostly along LPS axis `lps`, and with which sign. */
function voxelAxisAlong(codes: AnatomicalAxis[], lps: number): { axis: 0 | 1 | 2; sign: 1 | -1 } {
  for (let a = 0; a < 3; a++) {
    if (codes[a] === LPS_POS[lps]) return { axis: a as 0 | 1 | 2, sign: 1 };
    if (codes[a] === LPS_NEG[lps]) return { axis: a as 0 | 1 | 2, sign: -1 };
  }
  throw new InvalidArgumentError(`volume direction has no axis along ${LPS_POS[lps]}/${LPS_NEG[lps]} (axis codes ${codes.join("")})`);
}

/** One plane through `index`, windowed and oriented for display, pixels square in mm. */
export function slicePanel(vol: Volume, plane: Plane, opts: SlicesOptions = {}): SlicePanel {
  const codes = axisCodes(vol.direction);
  const spec = SCREEN[plane];
  const cut = voxelAxisAlong(codes, spec.normal);
  const index = opts.index?.[cut.axis] ?? Math.floor(vol.shape[cut.axis] / 2);
  const sl = extractSlice(vol, cut.axis, index);
  const [uAxis, vAxis] = cut.axis === 0 ? [1, 2] : cut.axis === 1 ? [0, 2] : [0, 1];
  const sx = voxelAxisAlong(codes, spec.x[0]);
  const sy = voxelAxisAlong(codes, spec.y[0]);
  // Screen x runs along voxel axis sx.axis; it is flipped when that axis points against the screen direction.
  const xIsU = sx.axis === uAxis;
  if (!xIsU && sx.axis !== vAxis) throw new InvalidArgumentError(`cannot orient ${plane} slice (axis codes ${codes.join("")})`);
  if (sy.axis !== (xIsU ? vAxis : uAxis)) throw new InvalidArgumentError(`cannot orient ${plane} slice (axis codes ${codes.join("")})`);
  const flipX = sx.sign !== spec.x[1];
  const flipY = sy.sign !== spec.y[1];
  const nX = vol.shape[sx.axis], nY = vol.shape[sy.axis];
  const mmX = nX * vol.spacing[sx.axis], mmY = nY * vol.spacing[sy.axis];
  const height = Math.max(8, Math.round(opts.panelSize ?? 256));
  const width = Math.max(8, Math.round((height * mmX) / mmY));
  const win = resolveWindow(vol, opts.window);
  const lo = win.center - win.width / 2;
  const mask = opts.mask?.data;
  if (mask && mask.length !== vol.data.length) throw new InvalidArgumentError(`mask has ${mask.length} voxels, the volume ${vol.data.length}`);
  const [mr, mg, mb] = opts.maskColor ?? [255, 0, 0];
  const ma = opts.maskOpacity ?? 0.4;
  const stride = [1, vol.shape[0], vol.shape[0] * vol.shape[1]];
  const out = new Uint8ClampedArray(width * height * 4);
  for (let py = 0; py < height; py++) {
    // Fractional voxel coordinate of the pixel centre along the screen-y voxel axis.
    let fy = ((py + 0.5) / height) * nY - 0.5;
    if (flipY) fy = nY - 1 - fy;
    for (let px = 0; px < width; px++) {
      let fx = ((px + 0.5) / width) * nX - 0.5;
      if (flipX) fx = nX - 1 - fx;
      const [fu, fv] = xIsU ? [fx, fy] : [fy, fx];
      const v = bilinear(sl.data, sl.width, sl.height, fu, fv);
      const g = Math.round(((v - lo) / win.width) * 255);
      const o = 4 * (px + width * py);
      out[o] = out[o + 1] = out[o + 2] = g;
      out[o + 3] = 255;
      if (mask) {
        const iu = Math.min(sl.width - 1, Math.max(0, Math.round(fu))), iv = Math.min(sl.height - 1, Math.max(0, Math.round(fv)));
        if (mask[index * stride[cut.axis] + iu * stride[uAxis] + iv * stride[vAxis]]) {
          const gg = Math.min(255, Math.max(0, g));
          out[o] = gg + (mr - gg) * ma;
          out[o + 1] = gg + (mg - gg) * ma;
          out[o + 2] = gg + (mb - gg) * ma;
        }
      }
    }
  }
  const name = (lps: number, sign: number): AnatomicalAxis => (sign > 0 ? LPS_POS[lps] : LPS_NEG[lps]);
  const edges = {
    left: name(spec.x[0], -spec.x[1]),
    right: name(spec.x[0], spec.x[1]),
    top: name(spec.y[0], -spec.y[1]),
    bottom: name(spec.y[0], spec.y[1]),
  };
  const image: RgbaImage = { width, height, data: out };
  if (opts.crosshair) {
    const at = (a: number) => opts.index?.[a] ?? Math.floor(vol.shape[a] / 2);
    const toPx = (a: number, flip: boolean, n: number, size: number) => {
      const f = flip ? n - 1 - at(a) : at(a);
      return Math.round(((f + 0.5) / n) * size - 0.5);
    };
    const cx = toPx(sx.axis, flipX, nX, width), cy = toPx(sy.axis, flipY, nY, height);
    for (let x = 0; x < width; x++) setRed(out, width, x, cy);
    for (let y = 0; y < height; y++) setRed(out, width, cx, y);
  }
  return { plane, voxelAxis: cut.axis, index, image, edges };
}

function setRed(d: Uint8ClampedArray, w: number, x: number, y: number): void {
  if (x < 0 || y < 0 || x >= w || 4 * (x + w * y) >= d.length) return;
  const o = 4 * (x + w * y);
  d[o] = 255; d[o + 1] = 40; d[o + 2] = 40;
}

function bilinear(d: Float32Array, w: number, h: number, x: number, y: number): number {
  x = Math.min(w - 1, Math.max(0, x));
  y = Math.min(h - 1, Math.max(0, y));
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const x1 = Math.min(w - 1, x0 + 1), y1 = Math.min(h - 1, y0 + 1);
  const fx = x - x0, fy = y - y0;
  const a = d[x0 + w * y0], b = d[x1 + w * y0], c = d[x0 + w * y1], e = d[x1 + w * y1];
  return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + e * fx) * fy;
}

/**
 * Axial, coronal and sagittal planes through `index` side by side, labelled, in radiological
 * orientation (patient's right on the left; anterior up in axial; superior up in coronal and
 * sagittal; anterior on the left in sagittal), with square millimetre pixels.
 */
export function slicesImage(vol: Volume, opts: SlicesOptions = {}): { image: RgbaImage; panels: SlicePanel[]; window: WindowLevel } {
  const planes: Plane[] = ["axial", "coronal", "sagittal"];
  // Resolve the window once (an MR percentile window sorts a million samples).
  const window = resolveWindow(vol, opts.window);
  const panels = planes.map((p) => slicePanel(vol, p, { ...opts, window }));
  const band = 22, gap = 14, foot = 16;
  const width = panels.reduce((s, p) => s + p.image.width, 0) + gap * (panels.length - 1);
  const height = band + Math.max(...panels.map((p) => p.image.height)) + foot;
  const c = createCanvas(width, height);
  const ctx = c.getContext("2d");
  ctx.fillStyle = "#000000";
  ctx.fillRect(0, 0, width, height);
  let x0 = 0;
  const letter = ["i", "j", "k"];
  for (const p of panels) {
    ctx.drawImage(imageToCanvas(p.image), x0, band);
    ctx.fillStyle = "#ffffff";
    ctx.font = "13px DejaVu Sans, sans-serif";
    ctx.fillText(`${p.plane} (${letter[p.voxelAxis]}=${p.index})`, x0 + 3, 15);
    ctx.fillStyle = "#ffd040";
    ctx.font = "bold 13px DejaVu Sans, sans-serif";
    const w = p.image.width, h = p.image.height;
    ctx.fillText(p.edges.top, x0 + w / 2 - 4, band + 14);
    ctx.fillText(p.edges.bottom, x0 + w / 2 - 4, band + h - 4);
    ctx.fillText(p.edges.left, x0 + 3, band + h / 2 + 5);
    ctx.fillText(p.edges.right, x0 + w - 12, band + h / 2 + 5);
    x0 += w + gap;
  }
  const wtxt = `W ${window.width.toFixed(0)} / L ${window.center.toFixed(0)}${vol.units === "HU" ? " HU" : ""}`;
  ctx.fillStyle = "#aaaaaa";
  ctx.font = "11px DejaVu Sans, sans-serif";
  ctx.fillText(wtxt, width - ctx.measureText(wtxt).width - 4, height - 4);
  return { image: canvasToImage(c), panels, window };
}
