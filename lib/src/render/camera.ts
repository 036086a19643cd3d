/**
 * Camera geometry in patient space (LPS mm): view presets, framing on a mesh, and the mapping
 * between image pixels and patient millimetres. Pure functions, no WebGL.
 */
import { InvalidArgumentError } from "../core/errors";
import type { Direction, Vec3 } from "../volume/types";
import type { CameraInfo, Projection, View, ViewPreset } from "./types";
import { deepFreeze } from "../core/freeze";

/** An orthonormal view basis; `mirrored` when `right` is −(direction × up) (a left-handed voxel frame). */
export interface ViewBasis {
  name: string;
  direction: Vec3;
  up: Vec3;
  right: Vec3;
  mirrored: boolean;
}

const OBLIQUE = (30 * Math.PI) / 180;

/** Viewing direction (camera → object) and image-up of each preset, in LPS. */
const PRESETS: Record<Exclude<ViewPreset, "seed">, { direction: Vec3; up: Vec3 }> = {
  front: { direction: [0, 1, 0], up: [0, 0, 1] },
  back: { direction: [0, -1, 0], up: [0, 0, 1] },
  left: { direction: [-1, 0, 0], up: [0, 0, 1] },
  right: { direction: [1, 0, 0], up: [0, 0, 1] },
  "oblique-left": { direction: [-Math.sin(OBLIQUE), Math.cos(OBLIQUE), 0], up: [0, 0, 1] },
  "oblique-right": { direction: [Math.sin(OBLIQUE), Math.cos(OBLIQUE), 0], up: [0, 0, 1] },
  top: { direction: [0, 0, -1], up: [0, -1, 0] },
  bottom: { direction: [0, 0, 1], up: [0, -1, 0] },
};

/** Names of the view presets, in the order notebooks show them. */
export const VIEW_PRESETS: readonly ViewPreset[] = deepFreeze([
  "front",
  "oblique-left",
  "oblique-right",
  "left",
  "right",
  "top",
  "bottom",
  "back",
  "seed",
]);

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
function normalize(a: Vec3, what: string): Vec3 {
  const n = Math.hypot(a[0], a[1], a[2]);
  if (!(n > 1e-12) || !Number.isFinite(n)) throw new InvalidArgumentError(`render: ${what} must be a non-zero finite vector, got [${a.join(", ")}]`);
  return scale(a, 1 / n);
}

/** Orthonormal basis from a direction and an approximate up (up is made orthogonal to direction). */
function basisFrom(name: string, direction: Vec3, upHint: Vec3, wantedRight?: Vec3): ViewBasis {
  const d = normalize(direction, "view direction");
  const upRaw: Vec3 = add(upHint, scale(d, -dot(upHint, d)));
  const up = normalize(upRaw, "view up (parallel to the view direction?)");
  let right = cross(d, up);
  let mirrored = false;
  if (wantedRight && dot(wantedRight, right) < 0) {
    right = scale(right, -1);
    mirrored = true;
  }
  return { name, direction: d, up, right, mirrored };
}

/**
 * The view basis of a preset or custom view. The "seed" view uses the voxel axes of
 * `voxelAxes` (Volume.direction): i to the right, camera on the −j side, k (sorted by
 * increasing z, as the seed sorted slices) up; a left-handed voxel frame gives a mirrored image,
 * as matplotlib would have drawn it.
 */
export function viewBasis(view: View = "front", voxelAxes?: Direction): ViewBasis {
  if (typeof view === "object") {
    return basisFrom(view.name ?? "custom", view.direction, view.up);
  }
  if (view === "seed") {
    const a = voxelAxes ?? [1, 0, 0, 0, 1, 0, 0, 0, 1];
    const i: Vec3 = [a[0], a[1], a[2]];
    const j: Vec3 = [a[3], a[4], a[5]];
    let k: Vec3 = [a[6], a[7], a[8]];
    if (k[2] < 0) k = scale(k, -1);
    return basisFrom("seed", j, k, i);
  }
  const p = PRESETS[view];
  if (!p) throw new InvalidArgumentError(`render: unknown view "${String(view)}" (use one of ${VIEW_PRESETS.join(", ")} or { direction, up })`);
  return basisFrom(view, p.direction, p.up);
}

/** Framing options (see RenderOptions). */
export interface FrameOptions {
  projection?: Projection;
  width: number;
  height: number;
  fovY?: number;
  pixelSize?: number;
  center?: Vec3;
  margin?: number;
}

/**
 * Place a camera for `basis` so that every vertex in `positions` (xyz triples, LPS mm) is in
 * the image with a `margin` border; orthographic unless `projection` says otherwise.
 */
export function frameCamera(positions: Float32Array, basis: ViewBasis, opts: FrameOptions): CameraInfo {
  const { width: W, height: H } = opts;
  const projection = opts.projection ?? "orthographic";
  const margin = opts.margin ?? 0.05;
  if (!(margin >= 0 && margin < 10)) throw new InvalidArgumentError(`render: margin must be in [0, 10), got ${margin}`);
  const n = positions.length / 3;
  if (n < 1) throw new InvalidArgumentError("render: the mesh has no vertices");
  if (opts.pixelSize !== undefined && !(opts.pixelSize > 0 && Number.isFinite(opts.pixelSize))) {
    throw new InvalidArgumentError(`render: pixelSize must be a positive number of mm, got ${opts.pixelSize}`);
  }
  if (opts.center !== undefined && !(opts.center.length === 3 && opts.center.every(Number.isFinite))) {
    throw new InvalidArgumentError(`render: center must be three finite numbers (LPS mm), got ${JSON.stringify(opts.center)}`);
  }
  const { direction: d, up: u, right: r } = basis;
  let umin = Infinity, umax = -Infinity, vmin = Infinity, vmax = -Infinity, wmin = Infinity, wmax = -Infinity;
  for (let q = 0; q < positions.length; q += 3) {
    const x = positions[q], y = positions[q + 1], z = positions[q + 2];
    const pu = x * r[0] + y * r[1] + z * r[2];
    const pv = x * u[0] + y * u[1] + z * u[2];
    const pw = x * d[0] + y * d[1] + z * d[2];
    if (pu < umin) umin = pu;
    if (pu > umax) umax = pu;
    if (pv < vmin) vmin = pv;
    if (pv > vmax) vmax = pv;
    if (pw < wmin) wmin = pw;
    if (pw > wmax) wmax = pw;
  }
  if (!Number.isFinite(umin + umax + vmin + vmax + wmin + wmax)) throw new InvalidArgumentError("render: mesh positions contain NaN or Infinity");
  const cu = opts.center ? dot(opts.center, r) : (umin + umax) / 2;
  const cv = opts.center ? dot(opts.center, u) : (vmin + vmax) / 2;
  const cw = opts.center ? dot(opts.center, d) : (wmin + wmax) / 2;
  const center: Vec3 = add(add(scale(r, cu), scale(u, cv)), scale(d, cw));
  const halfU = Math.max(Math.abs(umin - cu), Math.abs(umax - cu));
  const halfV = Math.max(Math.abs(vmin - cv), Math.abs(vmax - cv));
  const depthExtent = wmax - wmin;
  const pad = Math.max(1, 0.1 * depthExtent);
  const grow = 1 + 2 * margin;

  if (projection === "orthographic") {
    let ps = opts.pixelSize ?? Math.max((2 * halfU * grow) / W, (2 * halfV * grow) / H);
    if (!(ps > 0)) ps = 1; // a single point or a degenerate mesh: 1 mm per pixel
    // Camera in front of the nearest vertex (or the centre, whichever is nearer the camera).
    const dist = Math.max(cw - wmin, 0) + pad;
    const position = add(center, scale(d, -dist));
    return {
      view: basis.name, projection, width: W, height: H, position, direction: d, right: r, up: u, center,
      pixelSize: ps, fovY: 0, near: pad / 2, far: dist + Math.max(wmax - cw, 0) + pad,
    };
  }
  if (projection !== "perspective") throw new InvalidArgumentError(`render: projection must be "orthographic" or "perspective", got "${String(projection)}"`);
  if (opts.pixelSize !== undefined) throw new InvalidArgumentError("render: pixelSize applies to orthographic projection only");
  const fovY = opts.fovY ?? 30;
  if (!(fovY > 0 && fovY < 179)) throw new InvalidArgumentError(`render: fovY must be in (0, 179) degrees, got ${fovY}`);
  const tanV = Math.tan((fovY * Math.PI) / 360);
  const tanH = (tanV * W) / H;
  // Smallest distance D (camera → centre along d) for which every vertex fits inside the margin.
  let dist = cw - wmin + pad;
  for (let q = 0; q < positions.length; q += 3) {
    const x = positions[q], y = positions[q + 1], z = positions[q + 2];
    const pu = x * r[0] + y * r[1] + z * r[2] - cu;
    const pv = x * u[0] + y * u[1] + z * u[2] - cv;
    const pw = x * d[0] + y * d[1] + z * d[2] - cw;
    const need = Math.max((Math.abs(pu) * grow) / tanH, (Math.abs(pv) * grow) / tanV) - pw;
    if (need > dist) dist = need;
  }
  const position = add(center, scale(d, -dist));
  const nearest = dist - (cw - wmin);
  return {
    view: basis.name, projection, width: W, height: H, position, direction: d, right: r, up: u, center,
    pixelSize: (2 * dist * tanV) / H, fovY,
    near: Math.max(nearest * 0.5, dist * 1e-3), far: dist + Math.max(wmax - cw, 0) + pad,
  };
}

/** Focal length in pixels of a perspective camera. */
function focalPixels(c: CameraInfo): number {
  return c.height / 2 / Math.tan((c.fovY * Math.PI) / 360);
}

/**
 * Project a patient point (LPS mm) into the image: [x, y, depth] with x right, y down in pixels
 * (pixel (i, j) covers [i, i+1) × [j, j+1)) and depth in mm along the view axis from the camera.
 */
export function projectToImage(camera: CameraInfo, p: Vec3): [number, number, number] {
  const rel: Vec3 = [p[0] - camera.position[0], p[1] - camera.position[1], p[2] - camera.position[2]];
  const depth = dot(rel, camera.direction);
  const xc = dot(rel, camera.right);
  const yc = dot(rel, camera.up);
  if (camera.projection === "orthographic") {
    const cRel: Vec3 = [camera.center[0] - camera.position[0], camera.center[1] - camera.position[1], camera.center[2] - camera.position[2]];
    return [
      camera.width / 2 + (xc - dot(cRel, camera.right)) / camera.pixelSize,
      camera.height / 2 - (yc - dot(cRel, camera.up)) / camera.pixelSize,
      depth,
    ];
  }
  const f = focalPixels(camera);
  return [camera.width / 2 + (f * xc) / depth, camera.height / 2 - (f * yc) / depth, depth];
}

/** The patient point (LPS mm) seen at image position (x, y) at `depth` mm along the view axis (inverse of projectToImage). */
export function imageToPatient(camera: CameraInfo, x: number, y: number, depth: number): Vec3 {
  const { position: e, right: r, up: u, direction: d } = camera;
  let xc: number, yc: number;
  if (camera.projection === "orthographic") {
    const cRel: Vec3 = [camera.center[0] - e[0], camera.center[1] - e[1], camera.center[2] - e[2]];
    xc = dot(cRel, r) + (x - camera.width / 2) * camera.pixelSize;
    yc = dot(cRel, u) - (y - camera.height / 2) * camera.pixelSize;
  } else {
    const f = focalPixels(camera);
    xc = ((x - camera.width / 2) * depth) / f;
    yc = (-(y - camera.height / 2) * depth) / f;
  }
  return [
    e[0] + xc * r[0] + yc * u[0] + depth * d[0],
    e[1] + xc * r[1] + yc * u[1] + depth * d[1],
    e[2] + xc * r[2] + yc * u[2] + depth * d[2],
  ];
}
