import { withSummary } from "../core/summary";
/**
 * Face presence in a scan: render a set of variants of the skin surface, run every detector of the
 * panel on each, project each 2D detection back onto the skin (depth map → patient mm), cluster the
 * detections in 3D and fuse them into one verdict ("yes" | "no" | "uncertain").
 */
import type { Box, RgbaImage } from "../image/types";
import { closeImage } from "../image/ops";
import type { Vec3, Volume } from "../volume/types";
import type { Mesh } from "../surface/types";
import type { CameraInfo } from "../render/types";
import { InvalidArgumentError } from "../core/errors";
import { resample } from "../volume/resample";
import { voxelToPatient } from "../volume/volume";
import { marchingCubes } from "../surface/marching-cubes";
import { createRenderer } from "../render/renderer";
import { imageToPatient } from "../render/camera";
import { detectFaces, detectors as panel } from "./detect";
import type { DetectorName } from "./types";
import { presenceVariants, presenceViewDirection, variantRenderOptions, type PresenceVariant } from "./presence-variants";
import { fuseEvidence, type FusionParams, type HeadGeometry, type PresenceCluster, type PresenceEvidence } from "./presence-fusion";
import { skinLevel } from "./skin";
import { faceProfile } from "./profile";

/** Detectors that work on the volume, not on renders: one evidence item per scan (variant "volume"). */
export const VOLUME_DETECTORS: readonly string[] = ["profile"];
import { DEFAULT_DETECTORS, DEFAULT_FUSION } from "./presence-params";

/** How the isosurface level was chosen: given, −300 HU for CT, Otsu on the histogram, or none (a mesh). */
export type LevelSource = "given" | "ct-hu" | "otsu" | "mesh";

/** Where the face is, in patient LPS millimetres. */
export interface FaceLocation {
  /** Bounding box of the skin under the best detection's box. */
  box3d: { min: Vec3; max: Vec3 };
  /** Landmarks on the skin where a detector gives them (human: eyes, nose tip, mouth, chin); `center` always. */
  landmarks: Partial<Record<"center" | "rightEye" | "leftEye" | "noseTip" | "mouth" | "chin", Vec3>>;
  /** The detection they come from. */
  detector: string;
  variant: string;
}

/** The verdict of `detectFaceInScan`. */
export interface FacePresence {
  present: "yes" | "no" | "uncertain";
  /** Fused probability of the best 3D cluster (0 when there is none). */
  score: number;
  /** Isosurface level used and how it was chosen (null for a mesh input), with one sentence saying how. */
  level: { value: number | null; source: LevelSource; how: string };
  /** Every detection, with its variant, score, box, skin position and cluster. */
  evidence: PresenceEvidence[];
  /** 3D clusters of the evidence with their fused probability; `best` indexes the winner (−1: none). */
  clusters: PresenceCluster[];
  best: number;
  /** Where the face is (present "yes" or "uncertain" with a cluster). */
  face?: FaceLocation;
  /** Why: always set; for "uncertain" it says which detectors disagree and by how much. */
  reason: string;
  /** Variants rendered and detectors run. */
  variants: string[];
  detectors: string[];
  /** Milliseconds: whole call, meshing, rendering, and per detector. */
  timing: { total: number; surface: number; render: number; detect: Record<string, number> };
  /** Renders with their detections, when `keepRenders` was set (for a contact sheet). */
  renders?: PresenceRender[];
  /** True when the verdict comes from the second look at despeckled renders (see PresenceOptions.secondLook). */
  secondLook?: boolean;
}

/** One rendered variant and the boxes found on it. */
export interface PresenceRender {
  variant: string;
  image: RgbaImage;
  boxes: { detector: string; score: number; box: Box }[];
}

/** Options of `detectFaceInScan`. */
export interface PresenceOptions {
  /** Isosurface level in the volume's units. Default: −300 for Hounsfield units, else from the histogram. */
  level?: number;
  /** Voxel size the volume is resampled to before meshing when it is finer (mm, default 2). */
  spacing?: number;
  /** Variants to render: "default" (the fitted cheapest set), "full" (the 90-render grid) or a list. */
  variants?: "default" | "full" | PresenceVariant[];
  /** Detectors of the panel to run (default: the fitted default panel). */
  detectors?: readonly string[];
  /** Fusion parameters (default: the committed fit). */
  params?: FusionParams;
  /** Keep every render with its boxes in the result (memory: size² × 4 bytes each). */
  keepRenders?: boolean;
  /**
   * Also run the human detector on each render despeckled (`closeImage`, 3 × 3: dark specks such as a
   * perforated mask's holes filled), merged per variant with the plain render's detections. Human is
   * the detector a perforation pattern defeats (its landmarks); Haar still responds to the shaded
   * face through the holes. Default false.
   */
  despeckle?: boolean;
  /**
   * When the verdict is not "yes", look again with `despeckle` (recall first: a face behind a
   * perforated immobilization mask). Default true; the result says when the second look decided.
   */
  secondLook?: boolean;
}

/** Internal output of the evidence pass: everything fusion and its fit need. */
export interface CollectedEvidence {
  evidence: Omit<PresenceEvidence, "cluster" | "anterior">[];
  /** Parallel to `evidence`: where the detection puts the face (null without a surface under it). */
  located: (Omit<FaceLocation, "detector" | "variant"> | null)[];
  head: HeadGeometry;
  runs: Record<string, number>;
  level: FacePresence["level"];
  variants: string[];
  detectors: string[];
  /** Milliseconds per render and per (detector, variant) run. */
  renderMs: Record<string, number>;
  detectMs: Record<string, Record<string, number>>;
  surfaceMs: number;
  renders?: PresenceRender[];
  /** Set when there was nothing to render. */
  empty?: string;
}

const ANTERIOR: Vec3 = [0, -1, 0];

function isVolume(x: Volume | Mesh): x is Volume {
  return !!x && (x as Volume).shape !== undefined && (x as Volume).data instanceof Float32Array;
}

/** Level and its source for a volume (skinLevel: −300 HU for CT, Otsu's threshold otherwise). */
export function chooseLevel(volume: Volume, given?: number): FacePresence["level"] {
  if (given !== undefined && !Number.isFinite(given)) throw new InvalidArgumentError(`detectFaceInScan: level must be a finite number, got ${given}`);
  const s = skinLevel(volume, given !== undefined ? { level: given } : {});
  return { value: s.level, source: s.method, how: s.how };
}

/** Head centre (mass centre of the voxels above the level) and anterior reach of the surface. */
function headGeometry(volume: Volume | null, level: number, mesh: Mesh): HeadGeometry {
  let center: Vec3 = [0, 0, 0];
  if (volume) {
    const [nx, ny, nz] = volume.shape;
    let sx = 0, sy = 0, sz = 0, n = 0;
    const step = 2;
    for (let k = 0; k < nz; k += step)
      for (let j = 0; j < ny; j += step)
        for (let i = 0; i < nx; i += step) {
          if (volume.data[i + nx * (j + ny * k)] > level) { sx += i; sy += j; sz += k; n++; }
        }
    if (n > 0) center = voxelToPatient(volume, [sx / n, sy / n, sz / n]);
  }
  const p = mesh.positions;
  if (!volume || center.every((v) => v === 0)) {
    let sx = 0, sy = 0, sz = 0;
    for (let q = 0; q < p.length; q += 3) { sx += p[q]; sy += p[q + 1]; sz += p[q + 2]; }
    const m = p.length / 3;
    center = [sx / m, sy / m, sz / m];
  }
  let reach = 0;
  for (let q = 0; q < p.length; q += 3) {
    const a = (p[q] - center[0]) * ANTERIOR[0] + (p[q + 1] - center[1]) * ANTERIOR[1] + (p[q + 2] - center[2]) * ANTERIOR[2];
    if (a > reach) reach = a;
  }
  return { center, anterior: ANTERIOR, reach: Math.max(reach, 1) };
}

/** Depth under pixel (x, y), or NaN off the surface. */
function depthAt(depth: Float32Array, w: number, h: number, x: number, y: number): number {
  const i = Math.floor(x), j = Math.floor(y);
  if (i < 0 || j < 0 || i >= w || j >= h) return NaN;
  const d = depth[i + w * j];
  return Number.isFinite(d) ? d : NaN;
}

/** Skin point under a box's centre: the median depth of the central fifth of the box. */
function skinUnderBox(camera: CameraInfo, depth: Float32Array, box: Box): Vec3 | null {
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const rx = Math.max(1, box.width * 0.1), ry = Math.max(1, box.height * 0.1);
  const ds: number[] = [];
  for (let y = cy - ry; y <= cy + ry; y += Math.max(1, ry / 3))
    for (let x = cx - rx; x <= cx + rx; x += Math.max(1, rx / 3)) {
      const d = depthAt(depth, camera.width, camera.height, x, y);
      if (!Number.isNaN(d)) ds.push(d);
    }
  if (ds.length < 3) return null;
  ds.sort((a, b) => a - b);
  return imageToPatient(camera, cx, cy, ds[ds.length >> 1]);
}

/**
 * Relief under a box: how far the skin in the box's central 60 % stands out towards the camera
 * from the plane fitted to it (97th percentile, mm). A face has a nose (~15–30 mm); a cut surface
 * is flat. The plane is refitted without points lying deep behind it (holes, eye sockets).
 */
function reliefUnderBox(camera: CameraInfo, depth: Float32Array, box: Box): number | null {
  const pts: [number, number, number][] = [];
  const n = 16;
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) {
      const x = box.x + box.width * (0.2 + (0.6 * (a + 0.5)) / n), y = box.y + box.height * (0.2 + (0.6 * (b + 0.5)) / n);
      const d = depthAt(depth, camera.width, camera.height, x, y);
      // Millimetres in the image plane, so the plane's slope is unit-free.
      if (!Number.isNaN(d)) pts.push([(x - camera.width / 2) * camera.pixelSize, (y - camera.height / 2) * camera.pixelSize, d]);
    }
  if (pts.length < 20) return null;
  let use = pts;
  let coef = fitPlane(use);
  if (!coef) return null;
  const resid = (p: [number, number, number], c: [number, number, number]): number => p[2] - (c[0] + c[1] * p[0] + c[2] * p[1]);
  const med = median(use.map((p) => resid(p, coef!)));
  use = pts.filter((p) => resid(p, coef!) < med + 5);
  coef = fitPlane(use) ?? coef;
  const protrusion = use.map((p) => -resid(p, coef!)).sort((a, b) => a - b);
  return Math.max(0, protrusion[Math.floor(0.97 * (protrusion.length - 1))]);
}

/**
 * Nose relief under a box: how far the skin in the box's centre (the middle 40 % across, 30–75 % down:
 * where a detector's box puts the nose) stands out towards the camera from a quadric fitted to the rest
 * of the box (90th percentile, mm). A face's nose stands 15–30 mm out of the cheeks and brow around it;
 * a dome (a bare skull, a brain) is itself a quadric, and a cut surface is flat in its middle even when
 * its edge steps up to uncut skin — both have no nose. Holes (eye sockets, a cut's cavities) are left
 * out of the fit by a second pass without points lying deep behind it.
 */
function noseReliefUnderBox(camera: CameraInfo, depth: Float32Array, box: Box): number | null {
  const ring: [number, number, number][] = [], centre: [number, number, number][] = [];
  const n = 20;
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) {
      const u = 0.05 + (0.9 * (a + 0.5)) / n, v = 0.05 + (0.9 * (b + 0.5)) / n;
      const x = box.x + box.width * u, y = box.y + box.height * v;
      const d = depthAt(depth, camera.width, camera.height, x, y);
      if (Number.isNaN(d)) continue;
      const pt: [number, number, number] = [(x - camera.width / 2) * camera.pixelSize, (y - camera.height / 2) * camera.pixelSize, d];
      (Math.abs(u - 0.5) < 0.2 && v > 0.3 && v < 0.75 ? centre : ring).push(pt);
    }
  if (ring.length < 40 || centre.length < 10) return null;
  // A detector's face box lies on the face: a box mostly over background frames a whole object (a
  // brain, a skull seen whole), and what stands out in its middle is that object's front, not a nose.
  if (ring.length < 0.6 * (n * n - 8 * 9)) return 0;
  let coef = fitQuadric(ring);
  if (!coef) return null;
  const resid = (p: [number, number, number], c: number[]): number => p[2] - quadricAt(c, p[0], p[1]);
  const med = median(ring.map((p) => resid(p, coef!)));
  coef = fitQuadric(ring.filter((p) => resid(p, coef!) < med + 5)) ?? coef;
  const out = centre.filter((p) => resid(p, coef!) < med + 5).map((p) => -resid(p, coef!)).sort((a, b) => a - b);
  if (out.length < 5) return 0;
  return Math.max(0, out[Math.floor(0.9 * (out.length - 1))]);
}

const quadricAt = (c: number[], x: number, y: number): number => c[0] + c[1] * x + c[2] * y + c[3] * x * x + c[4] * x * y + c[5] * y * y;

/** Least-squares quadric z = c0 + c1·x + c2·y + c3·x² + c4·xy + c5·y² (normal equations, Gaussian elimination), or null. */
function fitQuadric(pts: [number, number, number][]): number[] | null {
  if (pts.length < 6) return null;
  const M = Array.from({ length: 6 }, () => new Array(7).fill(0));
  for (const [x, y, z] of pts) {
    const f = [1, x, y, x * x, x * y, y * y];
    for (let i = 0; i < 6; i++) { for (let j = 0; j < 6; j++) M[i][j] += f[i] * f[j]; M[i][6] += f[i] * z; }
  }
  for (let c = 0; c < 6; c++) {
    let piv = c;
    for (let r = c + 1; r < 6; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    if (Math.abs(M[piv][c]) < 1e-9) return null;
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let r = 0; r < 6; r++) {
      if (r === c) continue;
      const k = M[r][c] / M[c][c];
      for (let j = c; j < 7; j++) M[r][j] -= k * M[c][j];
    }
  }
  return M.map((row, i) => row[6] / row[i]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Least-squares plane z = c0 + c1·x + c2·y, or null when degenerate. */
function fitPlane(pts: [number, number, number][]): [number, number, number] | null {
  if (pts.length < 3) return null;
  let sx = 0, sy = 0, sz = 0, sxx = 0, sxy = 0, syy = 0, sxz = 0, syz = 0;
  for (const [x, y, z] of pts) { sx += x; sy += y; sz += z; sxx += x * x; sxy += x * y; syy += y * y; sxz += x * z; syz += y * z; }
  const m = pts.length;
  // Normal equations, solved by Cramer's rule.
  const A = [[m, sx, sy], [sx, sxx, sxy], [sy, sxy, syy]], r = [sz, sxz, syz];
  const det3 = (M: number[][]): number => M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) + M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
  const D = det3(A);
  if (Math.abs(D) < 1e-9) return null;
  const col = (k: number): number[][] => A.map((row, i) => row.map((v, j) => (j === k ? r[i] : v)));
  return [det3(col(0)) / D, det3(col(1)) / D, det3(col(2)) / D];
}

function pointAt(camera: CameraInfo, depth: Float32Array, x: number, y: number): Vec3 | undefined {
  // A landmark can sit a pixel off the silhouette: take the nearest finite depth in a 5×5 window.
  for (let r = 0; r <= 2; r++)
    for (let dy = -r; dy <= r; dy++)
      for (let dx = -r; dx <= r; dx++) {
        const d = depthAt(depth, camera.width, camera.height, x + dx, y + dy);
        if (!Number.isNaN(d)) return imageToPatient(camera, x, y, d);
      }
  return undefined;
}

/** 468-point face mesh indices (MediaPipe topology) of the landmarks reported in patient mm. */
const MESH_LANDMARKS: Record<"rightEye" | "leftEye" | "noseTip" | "mouth" | "chin", number[]> = { rightEye: [33, 133], leftEye: [362, 263], noseTip: [1], mouth: [13, 14], chin: [152] };

function locate(camera: CameraInfo, depth: Float32Array, box: Box, landmarks: [number, number][] | undefined, center: Vec3): Omit<FaceLocation, "detector" | "variant"> {
  const min: Vec3 = [Infinity, Infinity, Infinity], max: Vec3 = [-Infinity, -Infinity, -Infinity];
  const step = Math.max(1, Math.min(box.width, box.height) / 24);
  for (let y = box.y; y < box.y + box.height; y += step)
    for (let x = box.x; x < box.x + box.width; x += step) {
      const d = depthAt(depth, camera.width, camera.height, x, y);
      if (Number.isNaN(d)) continue;
      const p = imageToPatient(camera, x, y, d);
      for (let a = 0; a < 3; a++) { if (p[a] < min[a]) min[a] = p[a]; if (p[a] > max[a]) max[a] = p[a]; }
    }
  const out: FaceLocation["landmarks"] = { center };
  if (landmarks && landmarks.length >= 468) {
    for (const [name, idx] of Object.entries(MESH_LANDMARKS)) {
      const x = idx.reduce((s, i) => s + landmarks[i][0], 0) / idx.length;
      const y = idx.reduce((s, i) => s + landmarks[i][1], 0) / idx.length;
      const p = pointAt(camera, depth, x, y);
      if (p) out[name as keyof typeof MESH_LANDMARKS] = p;
    }
  }
  return { box3d: { min, max }, landmarks: out };
}

function resolveVariants(v: PresenceOptions["variants"]): PresenceVariant[] {
  if (v === undefined || v === "default") return presenceVariants("default");
  if (v === "full") return presenceVariants("full");
  if (!Array.isArray(v) || v.length === 0) throw new InvalidArgumentError('detectFaceInScan: variants must be "default", "full" or a non-empty list of variants');
  return v;
}

/**
 * The evidence pass alone: mesh, render every variant (one upload), run every detector, project
 * each box centre onto the skin. Fusion (`fuseEvidence`) and its fit work on this output.
 */
export async function collectPresenceEvidence(input: Volume | Mesh, options: PresenceOptions = {}): Promise<CollectedEvidence> {
  const variants = resolveVariants(options.variants);
  const detectors = [...(options.detectors ?? DEFAULT_DETECTORS)];
  if (detectors.length === 0) throw new InvalidArgumentError("detectFaceInScan: give at least one detector");
  const known = [...panel, ...VOLUME_DETECTORS];
  for (const d of detectors) {
    if (!known.includes(d)) throw new InvalidArgumentError(`detectFaceInScan: unknown detector "${d}" (choose from ${known.join(", ")})`);
  }
  const t0 = Date.now();
  let mesh: Mesh, level: FacePresence["level"], volume: Volume | null = null;
  if (isVolume(input)) {
    level = chooseLevel(input, options.level);
    const target = options.spacing ?? 2;
    if (!(target > 0)) throw new InvalidArgumentError(`detectFaceInScan: spacing must be positive mm, got ${target}`);
    volume = Math.min(...input.spacing) < target - 1e-6 ? resample(input, { spacing: target }) : input;
    mesh = await marchingCubes(volume, { level: level.value as number });
  } else {
    if (!input || !(input.positions instanceof Float32Array)) throw new InvalidArgumentError("detectFaceInScan: give a Volume or a Mesh");
    if (options.level !== undefined) throw new InvalidArgumentError("detectFaceInScan: level applies to a volume, not to a mesh");
    mesh = input;
    level = { value: null, source: "mesh", how: "a mesh was given: no level" };
  }
  const surfaceMs = Date.now() - t0;
  const runs: Record<string, number> = Object.fromEntries(detectors.map((d) => [d, VOLUME_DETECTORS.includes(d) ? 1 : 0]));
  const base: CollectedEvidence = {
    evidence: [], located: [], head: { center: [0, 0, 0], anterior: ANTERIOR, reach: 1 }, runs, level,
    variants: variants.map((v) => v.name), detectors, renderMs: {}, detectMs: Object.fromEntries(detectors.map((d) => [d, {}])), surfaceMs,
    ...(options.keepRenders ? { renders: [] } : {}),
  };
  if (mesh.triangles.length === 0) return { ...base, empty: `no surface at level ${level.value}` };
  base.head = headGeometry(volume, level.value ?? 0, mesh);
  if (detectors.includes("profile")) {
    const t = Date.now();
    // On a volume at the verdict's level; on a mesh from the mesh's own skin.
    const p = isVolume(input) ? faceProfile(input, { level: level.value as number }) : faceProfile(mesh);
    base.detectMs.profile = { volume: Date.now() - t };
    runs.profile = 1;
    if (p.found && p.landmarks) {
      const L = p.landmarks;
      base.evidence.push({ detector: "profile", variant: "volume", score: p.score, box: null, position: L.noseTip, relief: null, nose: null });
      base.located.push({
        box3d: p.box3d ? { min: p.box3d.min, max: p.box3d.max } : { min: L.noseTip, max: L.noseTip },
        landmarks: {
          center: L.noseTip, noseTip: L.noseTip,
          ...(L.eyes ? { rightEye: L.eyes[0], leftEye: L.eyes[1] } : {}),
          ...(L.lips ? { mouth: L.lips } : {}), ...(L.chin ? { chin: L.chin } : {}),
        },
      });
    }
  }
  const renderer = createRenderer(mesh, { ...(volume ? { voxelAxes: volume.direction } : {}) });
  try {
    for (const v of variants) {
      let t = Date.now();
      const r = await renderer.render(presenceViewDirection(v.view), { ...variantRenderOptions(v), maps: ["depth"] });
      base.renderMs[v.name] = Date.now() - t;
      const depth = r.depth as Float32Array;
      const boxes: PresenceRender["boxes"] = [];
      let closed: RgbaImage | undefined;
      for (const d of detectors) {
        if (VOLUME_DETECTORS.includes(d)) continue;
        t = Date.now();
        const faces = await detectFaces(r.image, { detector: d as DetectorName });
        if (options.despeckle && d === "human") {
          closed ??= closeImage(r.image, 1);
          for (const f of await detectFaces(closed, { detector: d as DetectorName })) faces.push({ ...f, despeckled: true } as typeof f);
        }
        base.detectMs[d][v.name] = Date.now() - t;
        runs[d] = (runs[d] ?? 0) + 1;
        for (const f of faces) {
          const position = skinUnderBox(r.camera, depth, f.box);
          const relief = position ? reliefUnderBox(r.camera, depth, f.box) : null;
          const nose = position ? noseReliefUnderBox(r.camera, depth, f.box) : null;
          base.evidence.push({ detector: d, variant: v.name, score: f.score, box: f.box, position, relief, nose, ...((f as { despeckled?: boolean }).despeckled ? { despeckled: true } : {}) });
          base.located.push(position ? locate(r.camera, depth, f.box, f.landmarks, position) : null);
          boxes.push({ detector: d, score: f.score, box: f.box });
        }
      }
      base.renders?.push({ variant: v.name, image: r.image, boxes });
    }
  } finally {
    renderer.release();
  }
  return base;
}

/** Fuse collected evidence into a FacePresence (pure; `only` restricts to some variants/detectors). */
export function presenceFromEvidence(
  c: CollectedEvidence,
  params: FusionParams = DEFAULT_FUSION,
  only: { variants?: readonly string[]; detectors?: readonly string[] } = {},
  total = 0,
): FacePresence {
  const vs = new Set(only.variants ?? c.variants), ds = new Set(only.detectors ?? c.detectors);
  const keep = c.evidence.map((e) => (e.variant === "volume" || vs.has(e.variant)) && ds.has(e.detector));
  const evidence = c.evidence.filter((_, i) => keep[i]);
  const located = c.located.filter((_, i) => keep[i]);
  const runs: Record<string, number> = {};
  for (const d of c.detectors) if (ds.has(d)) runs[d] = VOLUME_DETECTORS.includes(d) ? 1 : c.variants.filter((v) => vs.has(v)).length;
  const variants = c.variants.filter((v) => vs.has(v));
  const detectors = c.detectors.filter((d) => ds.has(d));
  const detect: Record<string, number> = {};
  let render = 0;
  for (const v of variants) render += c.renderMs[v] ?? 0;
  for (const d of detectors) detect[d] = [...variants, "volume"].reduce((s, v) => s + (c.detectMs[d]?.[v] ?? 0), 0);
  const timing = { total, surface: c.surfaceMs, render, detect };
  const level = c.level;
  if (c.empty) {
    return { present: "no", score: 0, level, evidence: [], clusters: [], best: -1, reason: c.empty, variants, detectors, timing };
  }
  const fused = fuseEvidence(evidence, c.head, runs, params);
  const out: FacePresence = {
    present: fused.present, score: fused.score, level, evidence: fused.evidence, clusters: fused.clusters, best: fused.best,
    reason: fused.reason, variants, detectors, timing,
    ...(c.renders ? { renders: c.renders.filter((r) => vs.has(r.variant)) } : {}),
  };
  if (fused.best >= 0 && fused.present !== "no") {
    // The located face: the geometric profile's (measured on the volume) when it agrees, else the
    // cluster's item with the most landmarks, then the best score.
    const items = fused.clusters[fused.best].items.filter((i) => located[i]);
    const rank = (i: number): number => (evidence[i].detector === "profile" ? 1 : 0);
    items.sort((a, b) => rank(b) - rank(a) || Object.keys(located[b]!.landmarks).length - Object.keys(located[a]!.landmarks).length || evidence[b].score - evidence[a].score);
    if (items.length) {
      const i = items[0];
      out.face = { ...(located[i] as Omit<FaceLocation, "detector" | "variant">), detector: evidence[i].detector, variant: evidence[i].variant };
    }
  }
  return out;
}

/**
 * Is there a face in this scan? Renders the skin surface of a volume (or a mesh) in a set of
 * variants (views front, yaw ±30°, pitch ±15°; lights; margins; sizes), runs the detector panel on
 * each, locates each detection on the skin in patient mm and fuses them. "no" is a normal answer;
 * "uncertain" comes with a reason saying which detectors disagree.
 *
 * @example const v = await detectFaceInScan(volume); v.present // "yes"
 */
export async function detectFaceInScan(input: Volume | Mesh, options: PresenceOptions = {}): Promise<FacePresence> {
  const t = Date.now();
  const params = options.params ?? DEFAULT_FUSION;
  const collected = await collectPresenceEvidence(input, options);
  const first = presenceFromEvidence(collected, params, {}, Date.now() - t);
  if (first.present === "yes" || options.secondLook === false || options.despeckle || collected.empty) return withSummary(first);
  const again = presenceFromEvidence(await collectPresenceEvidence(input, { ...options, despeckle: true }), params, {}, Date.now() - t);
  const rank = { no: 0, uncertain: 1, yes: 2 } as const;
  if (rank[again.present] > rank[first.present] || (again.present === first.present && again.score > first.score)) {
    return withSummary({ ...again, secondLook: true, reason: `second look at despeckled renders (dark specks of 3 px or less closed, as a perforated mask's holes): ${again.reason}` });
  }
  return withSummary({ ...first, timing: { ...first.timing, total: Date.now() - t } });
}
