/**
 * One scan-to-face pipeline: load → surface → render variants → detect (the scan's fused presence
 * verdict, and the face on the condition's render) → align → encode. Each
 * stage's output is cached on disk under the SHA-256 of its input's key and its own options, so a
 * rerun with one changed option recomputes only the stages downstream of that option. Stages run
 * lazily: asking for an embedding whose entry is cached reads nothing else.
 */
import * as fs from "node:fs";
import { FileNotFoundError, InvalidArgumentError } from "../core/errors";
import type { ProgressFn, WarningFn } from "../core/progress";
import { loadSeries } from "../dicom/load";
import { resample } from "../volume/resample";
import type { Direction, Vec3, Volume } from "../volume/types";
import { marchingCubes } from "../surface/marching-cubes";
import type { Mesh } from "../surface/types";
import { createRenderer } from "../render/renderer";
import type { LightPreset, ViewPreset } from "../render/types";
import type { RgbaImage } from "../image/types";
import { readImage } from "../image/io";
import { detectFaces } from "../face/detect";
import { detectFaceInScan } from "../face/presence";
import type { DetectorName, Face, RecognizerName } from "../face/types";
import { encodeFace, recognizerInfo } from "../face/recognize";
import { ARCFACE_TEMPLATE, fitSimilarity, fivePointsFromMesh, warpToRgb, type Similarity } from "../face/align";
import { StageCache, canonicalJson, contentHash, jsonCodec, packArrays, sha256, unpackArrays, type Stage, type StageCounts } from "./cache";
import { vectorDistance } from "../face/recognize";

/** Bumped when a stage's computation changes, so old cache entries are not reused. */
const STAGE_VERSION: Record<Stage, string> = { load: "1", surface: "2", render: "1", detect: "2", align: "1", encode: "1" };

/** One render of the surface: a camera preset and a light. */
export interface RenderVariant {
  view: ViewPreset;
  light: LightPreset;
}

/** What the pipeline starts from: a DICOM folder (a scan) or an image file (a photograph). */
export interface FaceInput {
  /** DICOM folder, or an image file (PNG, JPEG …). */
  path: string;
  /** SeriesInstanceUID when the folder holds several series. */
  series?: string;
  /** false: skip damaged files with a warning instead of failing (loadSeries' `strict`, default true). */
  strict?: boolean;
}

/** Options of every stage; each stage's key holds only the options it (and its inputs) read. */
export interface FaceOptions {
  /** load: resample to this isotropic voxel size (mm) first; default: the native grid. */
  spacing?: number;
  /** load: interpolation of that resampling (default "linear"). */
  interpolation?: "linear" | "cubic" | "nearest";
  /** surface: isosurface level (default −300 for CT in HU; required for other units). */
  level?: number;
  /** surface: also compute per-vertex normals from the volume gradient (default false). */
  normals?: boolean;
  /** render: the variants, tried in order by the detector (default: front, three-point light). */
  variants?: RenderVariant[];
  /** render: image size in pixels (default 512). */
  size?: number;
  /** detect: face detector (default "human"). */
  detector?: DetectorName;
  /** align: side of the aligned face crop (default 512). */
  alignSize?: number;
  /** encode: recognizer (default "dlib"). */
  recognizer?: RecognizerName;
}

/** The default render variant: the frontal view under three-point light (the one the detectors find most faces on). */
export const DEFAULT_VARIANTS: readonly RenderVariant[] = [{ view: "front", light: "three-point" }];

/** The scan-level face-presence verdict (detectFaceInScan's fused verdict over its own render variants). */
export interface ScanPresence {
  present: "yes" | "no" | "uncertain";
  score: number;
  reason: string;
  /** The variants and detectors it fused. */
  variants: string[];
  detectors: string[];
}

/** The detect stage's verdict: whether the scan shows a face at all, and the face on this input's render(s). */
export interface FaceVerdict {
  /** Index into the variants of the render whose face is used (aligned, encoded); null when none showed a face. */
  variant: number | null;
  face: Face | null;
  /** Faces found on each variant that was tried. */
  faceCounts: number[];
  detector: DetectorName;
  /** Scans only: the fused presence verdict of the surface (null for a photograph). */
  presence: ScanPresence | null;
}

/** The encode stage's result: an embedding, or null when no face was found. */
export interface FaceEmbedding {
  recognizer: RecognizerName;
  distance: "euclidean" | "cosine";
  vector: Float32Array | null;
  /** "aligned": encoded from the aligned crop; "render": the recognizer found no face in the crop and the full image was used. */
  source: "aligned" | "render" | null;
}

/** A surface with the direction cosines of the volume it came from (the "seed" view needs them). */
export interface ScanSurface {
  mesh: Mesh;
  direction: Direction;
  units: string;
  level: number;
  /** Grid of the volume it was extracted from (after any resampling). */
  shape: Vec3;
  spacing: Vec3;
}

/** Options of a pipeline instance. */
export interface FacePipelineOptions {
  /** Cache folder (default: `defaultCacheDir()`); null: store nothing (compute every stage). */
  cache?: string | StageCache | null;
  /** Worker threads of marching cubes (default: up to 2; 1 = the calling thread). Does not change the result. */
  surfaceWorkers?: number;
  onProgress?: ProgressFn;
  onWarning?: WarningFn;
}

const IMAGE_EXT = /\.(png|jpe?g|webp|tiff?|bmp|gif)$/i;

/** An image file (photograph) rather than DICOM: a file with an image extension. */
function isImageFile(p: string): boolean {
  return IMAGE_EXT.test(p) && fs.statSync(p).isFile();
}

const volumeCodec = {
  encode: (v: Volume) => packArrays({ shape: v.shape, spacing: v.spacing, origin: v.origin, direction: v.direction, modality: v.modality, units: v.units }, { data: v.data }),
  decode: (b: Buffer): Volume => {
    const { header: h, arrays } = unpackArrays(b);
    return { data: arrays.data as Float32Array, shape: h.shape, spacing: h.spacing, origin: h.origin, direction: h.direction, modality: h.modality, units: h.units } as Volume;
  },
};

const surfaceCodec = {
  encode: (s: ScanSurface) => packArrays({ direction: s.direction, units: s.units, level: s.level, shape: s.shape, spacing: s.spacing },
    { positions: s.mesh.positions, triangles: s.mesh.triangles, ...(s.mesh.normals ? { normals: s.mesh.normals } : {}) }),
  decode: (b: Buffer): ScanSurface => {
    const { header: h, arrays } = unpackArrays(b);
    const mesh: Mesh = { positions: arrays.positions as Float32Array, triangles: arrays.triangles as Uint32Array };
    if (arrays.normals) mesh.normals = arrays.normals as Float32Array;
    return { mesh, direction: h.direction as Direction, units: h.units as string, level: h.level as number, shape: h.shape as Vec3, spacing: h.spacing as Vec3 };
  },
};

const imagesCodec = {
  encode: (imgs: RgbaImage[]) => packArrays({ sizes: imgs.map((i) => [i.width, i.height]) }, Object.fromEntries(imgs.map((im, n) => [`i${n}`, im.data]))),
  decode: (b: Buffer): RgbaImage[] => {
    const { header, arrays } = unpackArrays(b);
    return (header.sizes as [number, number][]).map(([width, height], n) => ({ width, height, data: arrays[`i${n}`] as Uint8ClampedArray }));
  },
};

const alignedCodec = {
  encode: (img: RgbaImage | null) => (img ? imagesCodec.encode([img]) : packArrays({ sizes: [] }, {})),
  decode: (b: Buffer): RgbaImage | null => imagesCodec.decode(b)[0] ?? null,
};

const embeddingCodec = {
  encode: (e: FaceEmbedding) => JSON.stringify({ ...e, vector: e.vector ? Array.from(e.vector) : null }),
  decode: (b: Buffer): FaceEmbedding => {
    const o = JSON.parse(b.toString("utf8"));
    return { ...o, vector: o.vector ? Float32Array.from(o.vector) : null };
  },
};

/**
 * The face on this input's own renders (the condition's view and light), the one that is aligned
 * and encoded: `detectFaces` on each variant in order, the largest face of the first that has one.
 * Whether the scan shows a face at all is the presence verdict (`FacePipeline.presence`).
 */
async function faceOnRenders(images: RgbaImage[], detector: DetectorName, presence: ScanPresence | null): Promise<FaceVerdict> {
  const faceCounts: number[] = [];
  for (let v = 0; v < images.length; v++) {
    const faces = await detectFaces(images[v], { detector });
    faceCounts.push(faces.length);
    if (faces.length) return { variant: v, face: largestFace(faces), faceCounts, detector, presence };
  }
  return { variant: null, face: null, faceCounts, detector, presence };
}

function largestFace(faces: Face[]): Face {
  return faces.reduce((a, b) => (b.box.width * b.box.height > a.box.width * a.box.height ? b : a));
}

/**
 * An upright face crop: with the 468-point mesh, the five ArcFace points are mapped onto the
 * template scaled so the face spans the middle 40 % of a size² image (eyes level, fixed scale);
 * without landmarks (Haar), a square around the box (2.5× its size). Background black.
 */
export function alignFaceCrop(image: RgbaImage, face: Face, size = 512): RgbaImage {
  let m: Similarity;
  if (face.landmarks && face.landmarks.length >= 468) {
    const frac = 0.4, s = (size / 112) * frac, off = (size * (1 - frac)) / 2;
    m = fitSimilarity(fivePointsFromMesh(face.landmarks), ARCFACE_TEMPLATE.map(([x, y]) => [x * s + off, y * s + off] as [number, number]));
  } else {
    const side = 2.5 * Math.max(face.box.width, face.box.height);
    const cx = face.box.x + face.box.width / 2, cy = face.box.y + face.box.height / 2;
    const a = size / side;
    m = { a, b: 0, tx: size / 2 - a * cx, ty: size / 2 - a * cy };
  }
  const rgb = warpToRgb(image, m, size);
  const data = new Uint8ClampedArray(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    data[4 * i] = rgb[3 * i];
    data[4 * i + 1] = rgb[3 * i + 1];
    data[4 * i + 2] = rgb[3 * i + 2];
    data[4 * i + 3] = 255;
  }
  return { width: size, height: size, data };
}

/** The scan-to-face pipeline with its cache (see the module comment). */
export class FacePipeline {
  readonly cache: StageCache;
  private readonly onProgress?: ProgressFn;
  private readonly onWarning?: WarningFn;
  private readonly surfaceWorkers?: number;

  constructor(options: FacePipelineOptions = {}) {
    this.cache = options.cache instanceof StageCache ? options.cache : new StageCache(options.cache === undefined ? undefined : options.cache);
    this.surfaceWorkers = options.surfaceWorkers;
    this.onProgress = options.onProgress;
    this.onWarning = options.onWarning;
  }

  /** Hits and misses per stage so far. */
  get counts(): StageCounts {
    return this.cache.snapshot();
  }

  /** Cache keys of every stage for this input and options (no stage is run). */
  keys(input: FaceInput, o: FaceOptions = {}): Record<Stage | "presence", string> {
    if (!fs.existsSync(input.path)) throw new FileNotFoundError(input.path, "DICOM folder or image file");
    const image = isImageFile(input.path);
    const load = sha256("load", STAGE_VERSION.load, image ? "image" : "dicom", contentHash(input.path),
      canonicalJson(image ? {} : { series: input.series, strict: input.strict === false ? false : undefined, spacing: o.spacing, interpolation: o.spacing ? o.interpolation ?? "linear" : undefined }));
    const surface = image ? load : sha256("surface", STAGE_VERSION.surface, load, canonicalJson({ level: o.level, normals: o.normals ? true : undefined }));
    const render = image ? load : sha256("render", STAGE_VERSION.render, surface, canonicalJson({ variants: o.variants ?? DEFAULT_VARIANTS, size: o.size ?? 512 }));
    const detect = sha256("detect", STAGE_VERSION.detect, render, canonicalJson({ detector: o.detector ?? "human" }));
    // The presence verdict depends on the surface only: rows that share a surface share it.
    const presence = image ? "" : sha256("presence", STAGE_VERSION.detect, surface);
    const align = sha256("align", STAGE_VERSION.align, detect, canonicalJson({ size: o.alignSize ?? 512 }));
    const encode = sha256("encode", STAGE_VERSION.encode, align, canonicalJson({ recognizer: o.recognizer ?? "dlib" }));
    return { load, surface, render, detect, presence, align, encode };
  }

  /** Stage 1: the volume (DICOM series, optionally resampled). */
  async volume(input: FaceInput, o: FaceOptions = {}): Promise<Volume> {
    const k = this.keys(input, o);
    if (isImageFile(input.path)) throw new InvalidArgumentError(`${input.path}: an image file has no volume`);
    return this.cache.get("load", k.load, "bin", volumeCodec, async () => {
      if (o.spacing !== undefined) {
        // A resampled volume is its own entry, made from the native one (shared by every spacing).
        if (!(o.spacing > 0)) throw new InvalidArgumentError(`spacing must be positive, got ${o.spacing}`);
        const native = await this.volume(input, { ...o, spacing: undefined });
        return resample(native, { spacing: o.spacing, interpolation: o.interpolation ?? "linear", onProgress: this.onProgress });
      }
      // Loader warnings are printed when the volume is loaded, not again when it comes from the cache.
      const loaded = await loadSeries(input.path, { seriesUid: input.series, strict: input.strict, onProgress: this.onProgress, onWarning: this.onWarning });
      return loaded.volume;
    });
  }

  /** Stage 2: the isosurface at `level`. */
  async surface(input: FaceInput, o: FaceOptions = {}): Promise<ScanSurface> {
    const k = this.keys(input, o);
    return this.cache.get("surface", k.surface, "bin", surfaceCodec, async () => {
      const volume = await this.volume(input, o);
      const level = o.level ?? (volume.units === "HU" ? -300 : undefined);
      if (level === undefined) throw new InvalidArgumentError(`${input.path}: give an isosurface level for a ${volume.modality || volume.units} scan (the −300 default is for CT in HU)`);
      const mesh = await marchingCubes(volume, { level, normals: !!o.normals, workers: this.surfaceWorkers, onProgress: this.onProgress });
      return { mesh, direction: volume.direction, units: volume.units, level, shape: volume.shape, spacing: volume.spacing };
    });
  }

  /** Stage 3: the render variants (an image file is its own single "render"). */
  async renders(input: FaceInput, o: FaceOptions = {}): Promise<RgbaImage[]> {
    const k = this.keys(input, o);
    if (isImageFile(input.path)) return [await readImage(input.path)];
    return this.cache.get("render", k.render, "bin", imagesCodec, async () => {
      const s = await this.surface(input, o);
      if (s.mesh.triangles.length === 0) throw new InvalidArgumentError(`${input.path}: the isosurface at ${s.level} is empty (level outside the data range?)`);
      const r = createRenderer(s.mesh, { size: o.size ?? 512, voxelAxes: s.direction, onWarning: this.onWarning });
      try {
        const out: RgbaImage[] = [];
        for (const v of o.variants ?? DEFAULT_VARIANTS) out.push((await r.render(v.view, { light: v.light })).image);
        return out;
      } finally {
        r.release();
      }
    });
  }

  /**
   * Stage 4a (scans): is there a face in this surface? `detectFaceInScan`'s fused verdict over its
   * own variant set, on the surface of the surface stage (cached under the detect stage).
   */
  async presence(input: FaceInput, o: FaceOptions = {}): Promise<ScanPresence | null> {
    const k = this.keys(input, o);
    if (isImageFile(input.path)) return null;
    return this.cache.get("detect", `presence-${k.presence}`, "json", jsonCodec, async () => {
      const s = await this.surface(input, o);
      const v = await detectFaceInScan(s.mesh);
      return { present: v.present, score: v.score, reason: v.reason, variants: v.variants, detectors: v.detectors };
    });
  }

  /** Stage 4: the presence verdict and the face on this input's render(s). */
  async detect(input: FaceInput, o: FaceOptions = {}): Promise<FaceVerdict> {
    const k = this.keys(input, o);
    return this.cache.get("detect", k.detect, "json", jsonCodec, async () => faceOnRenders(await this.renders(input, o), o.detector ?? "human", await this.presence(input, o)));
  }

  /** Stage 5: the aligned face crop, or null when no face was found. */
  async align(input: FaceInput, o: FaceOptions = {}): Promise<RgbaImage | null> {
    const k = this.keys(input, o);
    return this.cache.get("align", k.align, "bin", alignedCodec, async () => {
      const verdict = await this.detect(input, o);
      if (verdict.variant === null || !verdict.face) return null;
      return alignFaceCrop((await this.renders(input, o))[verdict.variant], verdict.face, o.alignSize ?? 512);
    });
  }

  /** Stage 6: the embedding of the face with one recognizer (null vector: no face). */
  async encode(input: FaceInput, o: FaceOptions = {}): Promise<FaceEmbedding> {
    const k = this.keys(input, o);
    const recognizer = o.recognizer ?? "dlib";
    const info = recognizerInfo(recognizer);
    return this.cache.get("encode", k.encode, "json", embeddingCodec, async () => {
      const none: FaceEmbedding = { recognizer, distance: info.distance, vector: null, source: null };
      const aligned = await this.align(input, o);
      if (!aligned) return none;
      const a = await encodeFace(aligned, { recognizer });
      if (a.face) return { recognizer, distance: info.distance, vector: a.embedding.vector, source: "aligned" };
      // The recognizer's own detector may miss the face on the crop it did not choose: try the full render.
      const verdict = await this.detect(input, o);
      const full = (await this.renders(input, o))[verdict.variant!];
      const b = await encodeFace(full, { recognizer });
      if (b.face) return { recognizer, distance: info.distance, vector: b.embedding.vector, source: "render" };
      return none;
    });
  }

  /** The image a person would look at for this input: the variant the face was found on (else the first). */
  async displayImage(input: FaceInput, o: FaceOptions = {}): Promise<RgbaImage> {
    const imgs = await this.renders(input, o);
    const v = await this.detect(input, o);
    return imgs[v.variant ?? 0];
  }
}

/** Distance between two pipeline embeddings (Euclidean or 1 − cosine); Infinity when either has no face. */
export function pipelineDistance(a: FaceEmbedding, b: FaceEmbedding): number {
  if (!a.vector || !b.vector) return Infinity;
  return vectorDistance(a.vector, b.vector, a.distance);
}
