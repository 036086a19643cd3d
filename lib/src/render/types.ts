import type { RgbaImage } from "../image/types";
import type { Direction, Vec3 } from "../volume/types";
import type { ProgressFn, WarningFn } from "../core/progress";

/**
 * Camera presets in patient space (LPS: +x Left, +y Posterior, +z Superior):
 * - "front": from anterior (−y) towards +y, superior up; the patient's right on the image's left.
 * - "back": from posterior (+y).
 * - "left" / "right": profiles seen from the patient's left (+x) / right (−x) side.
 * - "oblique-left" / "oblique-right": "front" turned 30° about the superior axis towards the
 *   patient's left / right side.
 * - "top": from superior (+z) looking down, anterior at the top of the image; "bottom" from inferior.
 * - "seed": the seed's matplotlib `view_init(0, 270)` applied to voxel-index axes (i right,
 *   camera on the −j side looking along +j, k up) — needs the volume's `voxelAxes`.
 */
export type ViewPreset =
  | "front"
  | "back"
  | "left"
  | "right"
  | "oblique-left"
  | "oblique-right"
  | "top"
  | "bottom"
  | "seed";

/** A custom view: the viewing direction (camera → object) and the image's up, both in patient LPS. */
export interface ViewDirection {
  /** Direction the camera looks along (from camera towards the object), LPS. */
  direction: Vec3;
  /** Patient direction that appears upwards in the image (made orthogonal to `direction`). */
  up: Vec3;
  /** Label kept in CameraInfo.view. */
  name?: string;
}

/** A view preset name or an explicit viewing direction. */
export type View = ViewPreset | ViewDirection;

/** Light presets: "headlight" (at the camera, raised ~19°), "three-point" (key/fill/rim), "flat" (the seed's unshaded translucent look). */
export type LightPreset = "headlight" | "three-point" | "flat";

/** Camera projection. */
export type Projection = "orthographic" | "perspective";

/** A colour: CSS string ("#e0b49b", "black", "rgb(…)") or [r, g, b] in 0–255. */
export type ColorLike = string | readonly [number, number, number];

/** Extra per-pixel outputs besides the shaded image. */
export type RenderMap = "depth" | "normal";

/** Options of one render (view-independent ones can also be given to createRenderer). */
export interface RenderOptions {
  /** Camera preset or custom direction (default "front"). */
  view?: View;
  /** Image size in pixels: one number for a square image or [width, height] (default 512). */
  size?: number | [number, number];
  /** Antialiasing: draw at supersample × the size and average blocks down (1–4, default 1). Maps stay 1×. */
  supersample?: number;
  /** Default "orthographic" (the seed's and the paper's frontal renders are parallel projections). */
  projection?: Projection;
  /** Vertical field of view in degrees for perspective (default 30). */
  fovY?: number;
  /** Background colour, or "transparent" (alpha 0). Default black. */
  background?: ColorLike | "transparent";
  /** Light preset (default "headlight"). */
  light?: LightPreset;
  /** Surface colour (default a skin tone; "flat" defaults to the seed's [0.45, 0.45, 0.75] blue). */
  color?: ColorLike;
  /** Orthographic only: millimetres per pixel. Default: fit the mesh with `margin`. */
  pixelSize?: number;
  /** Patient point at the image centre (mm). Default: centre of the mesh's extent in the view. */
  center?: Vec3;
  /** Blank border around the fitted mesh, as a fraction of its extent on each side (default 0.05). */
  margin?: number;
  /** Extra outputs: "depth" (mm along the view axis) and "normal" (view-space normals as RGB). */
  maps?: readonly RenderMap[];
  /**
   * Direction cosines (Volume.direction) of the volume the mesh came from: the "seed" view is
   * defined on its voxel axes. Default identity (voxel axes = LPS axes).
   */
  voxelAxes?: Direction;
}

/** Options fixed when a mesh is uploaded. */
export interface RendererOptions extends RenderOptions {
  /** Triangle budget: larger meshes are decimated for rendering only (default 2,000,000). */
  maxTriangles?: number;
  /** Set false to render every triangle whatever the budget. Default true. */
  decimate?: boolean;
  /**
   * Draw only the faces turned towards the camera (default true): half the rasterizer's work, the
   * same picture for a closed surface. Set false to also see the inside through a cut (an open
   * scan's bottom). The "flat" light always draws both sides, like the seed's translucent polygons.
   */
  cullBackFaces?: boolean;
  onProgress?: ProgressFn;
  onWarning?: WarningFn;
}

/**
 * Where the camera was, so that pixels map back to patient millimetres (see projectToImage and
 * imageToPatient). Image coordinates: x right, y down, pixel (i, j) covers [i, i+1) × [j, j+1).
 */
export interface CameraInfo {
  /** Preset name or the custom view's name ("custom"). */
  view: string;
  projection: Projection;
  width: number;
  height: number;
  /** Camera position (LPS mm). */
  position: Vec3;
  /** Unit viewing direction (camera → scene), LPS. */
  direction: Vec3;
  /** Unit patient direction of image +x (right). */
  right: Vec3;
  /** Unit patient direction of image up (−y in image coordinates). */
  up: Vec3;
  /** Patient point projected to the image centre (LPS mm). */
  center: Vec3;
  /** Orthographic: millimetres per pixel. Perspective: millimetres per pixel at the centre's depth. */
  pixelSize: number;
  /** Perspective: vertical field of view (degrees); 0 for orthographic. */
  fovY: number;
  /** Clipping planes: depths (mm along `direction` from `position`) that bound the rendered scene. */
  near: number;
  far: number;
}

/** A rendered image and the camera that made it. */
export interface RenderResult {
  image: RgbaImage;
  camera: CameraInfo;
  /** Depth in mm along the view axis from the camera per pixel (row 0 = top); Infinity where no surface. */
  depth?: Float32Array;
  /** View-space unit normals as RGB (n·0.5+0.5: R = image right, G = image up, B = towards the camera); alpha 0 where no surface. */
  normal?: RgbaImage;
  /** Triangles drawn (after any decimation). */
  triangles: number;
  /** Milliseconds for draw + readback of the shaded image. */
  ms: number;
}

/** A mesh uploaded once to the GPU, rendered from many views. */
export interface MeshRenderer {
  /** Triangles uploaded (after any decimation). */
  readonly triangles: number;
  /** True when the mesh was decimated to fit `maxTriangles`. */
  readonly decimated: boolean;
  /** Render one view (options override those given at creation). */
  render(view?: View, opts?: RenderOptions): Promise<RenderResult>;
  /** Free the GPU buffers; the renderer cannot be used afterwards. */
  release(): void;
}
