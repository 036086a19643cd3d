import { withSummary } from "../core/summary";
/**
 * Headless rendering of a patient-space Mesh with three.js 0.162 on headless-gl (WebGL 1).
 * One mesh is uploaded once (createRenderer) and drawn from any number of views.
 */
import type * as THREE from "three";
import { InvalidArgumentError } from "../core/errors";
import type { RgbaImage } from "../image/types";
import type { Mesh } from "../surface/types";
import { decimate } from "../surface/decimate";
import { meshVolume } from "../surface/measure";
import { frameCamera, viewBasis, type ViewBasis } from "./camera";
import { glContext, loadThree } from "./context";
import type { CameraInfo, ColorLike, LightPreset, MeshRenderer, RendererOptions, RenderOptions, RenderResult, View } from "./types";
import { deepFreeze } from "../core/freeze";

/** Default surface colour: a light skin tone (sRGB). */
export const SKIN_COLOR: readonly [number, number, number] = deepFreeze([226, 182, 160]);
/** The seed's matplotlib face colour [0.45, 0.45, 0.75] and alpha 0.70 (Poly3DCollection, unshaded). */
export const SEED_FLAT_COLOR: readonly [number, number, number] = deepFreeze([115, 115, 191]);
const SEED_FLAT_ALPHA = 0.7;
const DEFAULT_MAX_TRIANGLES = 2_000_000;

type Three = typeof THREE;

function parseSize(size: RenderOptions["size"]): [number, number] {
  const s = size ?? 512;
  const [w, h] = typeof s === "number" ? [s, s] : s;
  for (const v of [w, h]) {
    if (!Number.isInteger(v) || v < 1 || v > 8192) throw new InvalidArgumentError(`render: size must be integers in 1–8192, got ${JSON.stringify(size)}`);
  }
  return [w, h];
}

function toColor(T: Three, c: ColorLike, what: string): THREE.Color {
  if (Array.isArray(c)) {
    if (c.length !== 3 || !c.every((v) => Number.isFinite(v) && v >= 0 && v <= 255)) {
      throw new InvalidArgumentError(`render: ${what} must be [r, g, b] in 0–255, got ${JSON.stringify(c)}`);
    }
    return new T.Color().setRGB(c[0] / 255, c[1] / 255, c[2] / 255, T.SRGBColorSpace);
  }
  if (typeof c !== "string") throw new InvalidArgumentError(`render: ${what} must be a CSS colour string or [r, g, b], got ${JSON.stringify(c)}`);
  const col = new T.Color();
  let ok = true;
  // three warns (not throws) on unknown colour names; catch that as an error.
  const warn = console.warn;
  console.warn = () => { ok = false; };
  try { col.setStyle(c); } finally { console.warn = warn; }
  if (!ok) throw new InvalidArgumentError(`render: ${what}: unknown colour "${c}"`);
  return col;
}

function validateMesh(mesh: Mesh): void {
  if (!mesh || !(mesh.positions instanceof Float32Array) || !(mesh.triangles instanceof Uint32Array)) {
    throw new InvalidArgumentError("render: mesh must be { positions: Float32Array, triangles: Uint32Array }");
  }
  if (mesh.positions.length % 3 !== 0 || mesh.triangles.length % 3 !== 0) {
    throw new InvalidArgumentError("render: mesh positions and triangles must hold whole triples");
  }
  if (mesh.triangles.length === 0) throw new InvalidArgumentError("render: the mesh has no triangles (isosurface level outside the data range?)");
  const nv = mesh.positions.length / 3;
  let max = 0;
  const t = mesh.triangles;
  for (let q = 0; q < t.length; q++) if (t[q] > max) max = t[q];
  if (max >= nv) throw new InvalidArgumentError(`render: triangle index ${max} out of range (${nv} vertices)`);
  if (mesh.normals && mesh.normals.length !== mesh.positions.length) {
    throw new InvalidArgumentError("render: mesh normals must have one xyz per vertex");
  }
}

const DEPTH_VERTEX = /* glsl */ `
varying float vDepth;
void main() {
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  vDepth = -mv.z;
  gl_Position = projectionMatrix * mv;
}`;
// Depth packed into 24 bits of RGB between near and far (WebGL 1 here has no float readback); alpha marks coverage.
const DEPTH_FRAGMENT = /* glsl */ `
uniform float uNear;
uniform float uFar;
varying float vDepth;
void main() {
  float v = floor(clamp((vDepth - uNear) / (uFar - uNear), 0.0, 1.0) * 16777215.0 + 0.5);
  float r = floor(v / 65536.0);
  float g = floor((v - r * 65536.0) / 256.0);
  float b = v - r * 65536.0 - g * 256.0;
  gl_FragColor = vec4(r / 255.0, g / 255.0, b / 255.0, 1.0);
}`;
const NORMAL_VERTEX = /* glsl */ `
varying vec3 vNormal;
varying vec3 vView;
void main() {
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  vNormal = normalMatrix * normal;
  vView = mv.xyz;
  gl_Position = projectionMatrix * mv;
}`;
// Visible surfaces face the camera whatever the triangle winding: flip normals that point away.
const NORMAL_FRAGMENT = /* glsl */ `
uniform float uOrtho;
varying vec3 vNormal;
varying vec3 vView;
void main() {
  vec3 n = normalize(vNormal);
  vec3 toCamera = uOrtho > 0.5 ? vec3(0.0, 0.0, 1.0) : -vView;
  if (dot(n, toCamera) < 0.0) n = -n;
  gl_FragColor = vec4(n * 0.5 + 0.5, 1.0);
}`;

const SHADED_VERTEX = /* glsl */ `
varying vec3 vNormal;
void main() {
  vNormal = normalMatrix * normal;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}`;
// Lambert diffuse + a faint Blinn-Phong sheen from up to three directional lights fixed in camera
// space, then the sRGB transfer curve. One varying and no light loops over scene objects: on
// llvmpipe this costs ~20 % less a frame than MeshStandardMaterial for the same picture.
const SHADED_FRAGMENT = /* glsl */ `
uniform vec3 uColor;
uniform float uAmbient;
uniform vec3 uLightDir[N_LIGHTS];
uniform float uLightI[N_LIGHTS];
uniform float uSpecular;
varying vec3 vNormal;
// Linear → sRGB with square roots instead of pow (Chilliant's fit, within 1/255 of the exact curve; pow is slow on llvmpipe).
vec3 toSrgb(vec3 c) {
  vec3 s1 = sqrt(c);
  vec3 s2 = sqrt(s1);
  vec3 s3 = sqrt(s2);
  return 0.662002687 * s1 + 0.684122060 * s2 - 0.323583601 * s3 - 0.0225411470 * c;
}
float pow16(float x) {
  x *= x;
  x *= x;
  x *= x;
  return x * x;
}
void main() {
  vec3 n = normalize(vNormal);
  // Visible surfaces face the camera whatever the winding (inside-out or double-sided meshes).
  if (n.z < 0.0) n = -n;
  vec3 lit = vec3(uAmbient);
  float spec = 0.0;
  for (int i = 0; i < N_LIGHTS; i++) {
    float d = dot(n, uLightDir[i]);
    lit += uLightI[i] * max(d, 0.0);
    vec3 h = normalize(uLightDir[i] + vec3(0.0, 0.0, 1.0));
    spec += uLightI[i] * uSpecular * pow16(max(dot(n, h), 0.0)) * step(0.0, d);
  }
  gl_FragColor = vec4(toSrgb(clamp(uColor * lit + spec, 0.0, 1.0)), 1.0);
}`;

/**
 * Light rigs in camera space (x = image right, y = image up, z = towards the viewer): unit
 * directions towards each light, radiance factors (intensity / π of three's physical lights they
 * were tuned with), ambient factor.
 */
const RIGS: Record<Exclude<LightPreset, "flat">, { lights: [number, number, number, number][]; ambient: number }> = {
  // Just above the camera (~19°, like a miner's lamp): brows and nose gain shading. Tuned on the
  // shipped CT and MRI: human 1.00 and Haar 1 face on front and ±30° views (on-axis: 0.28–0.96 or none).
  headlight: { lights: [[0, 0.35, 1, 3.2 / Math.PI]], ambient: 0.25 / Math.PI },
  "three-point": {
    lights: [
      [-0.8, 0.6, 1, 2.2 / Math.PI], // key: upper left of the camera
      [0.9, -0.1, 1, 0.9 / Math.PI], // fill: right, weaker
      [0.2, 0.8, -1, 1.4 / Math.PI], // rim: from behind, above
    ],
    ambient: 0.35 / Math.PI,
  },
};

/**
 * Materials live as long as the process's GL context and are shared by all meshes: disposing them
 * would recompile their shaders (~40 ms on llvmpipe) at every renderMesh call. Only one render runs
 * at a time (WebGL calls are synchronous), so per-render uniforms can be set on shared materials.
 */
const materials = new Map<string, THREE.Material>();
function cachedMaterial<M extends THREE.Material>(key: string, make: () => M): M {
  let m = materials.get(key);
  if (!m) {
    m = make();
    materials.set(key, m);
  }
  return m as M;
}

/** Scene objects for one uploaded mesh. */
interface SceneState {
  T: Three;
  scene: THREE.Scene;
  /** Draw chunks: geometries sharing the uploaded attributes, each drawing a range of triangles. */
  chunks: THREE.Mesh[];
  side: THREE.Side;
  flat: THREE.MeshBasicMaterial;
  depth: THREE.ShaderMaterial;
  normal: THREE.ShaderMaterial;
  released: boolean;
}

/**
 * Which side to draw. Culling back faces halves the rasterizer's work on llvmpipe; the winding is
 * read from the sign of the enclosed volume so an inside-out mesh (a left-handed voxel frame fed to
 * a marching cubes that ignores it) still shows its outside.
 */
function visibleSide(T: Three, mesh: Mesh, cull: boolean): THREE.Side {
  if (!cull) return T.DoubleSide;
  return meshVolume(mesh) < 0 ? T.BackSide : T.FrontSide;
}

/**
 * Triangles per draw call. llvmpipe bins a whole scene before rasterizing it; flushing every ~32 k
 * triangles keeps its bins small and lets its threads rasterize one chunk while the next is binned:
 * ~15 % less CPU a frame for 1 M triangles (measured 109 → 92 ms; without the flushes no gain).
 */
const CHUNK_TRIANGLES = 32_768;

function buildScene(T: Three, mesh: Mesh, cull: boolean, gl: WebGLRenderingContext): SceneState {
  const whole = new T.BufferGeometry();
  const position = new T.BufferAttribute(mesh.positions, 3);
  const index = new T.BufferAttribute(mesh.triangles, 1);
  whole.setAttribute("position", position);
  whole.setIndex(index);
  if (mesh.normals) whole.setAttribute("normal", new T.BufferAttribute(mesh.normals, 3));
  else whole.computeVertexNormals();
  const normalAttr = whole.getAttribute("normal");
  const side = visibleSide(T, mesh, cull);
  // The seed's look: unshaded translucent polygons; painter's order does not matter for one colour, so no depth test.
  const flat = cachedMaterial("flat", () => new T.MeshBasicMaterial({ transparent: true, opacity: SEED_FLAT_ALPHA, depthWrite: false, depthTest: false, side: T.DoubleSide }));
  const depth = cachedMaterial(`depth:${side}`, () => new T.ShaderMaterial({ vertexShader: DEPTH_VERTEX, fragmentShader: DEPTH_FRAGMENT, uniforms: { uNear: { value: 0 }, uFar: { value: 1 } }, side }));
  const normal = cachedMaterial(`normal:${side}`, () => new T.ShaderMaterial({ vertexShader: NORMAL_VERTEX, fragmentShader: NORMAL_FRAGMENT, uniforms: { uOrtho: { value: 1 } }, side }));
  const scene = new T.Scene();
  const chunks: THREE.Mesh[] = [];
  const flush = (): void => gl.flush();
  const nIdx = mesh.triangles.length;
  for (let start = 0; start < nIdx; start += 3 * CHUNK_TRIANGLES) {
    // Same BufferAttribute objects: three uploads each buffer once for all chunks.
    const g = new T.BufferGeometry();
    g.setAttribute("position", position);
    g.setAttribute("normal", normalAttr);
    g.setIndex(index);
    g.setDrawRange(start, Math.min(3 * CHUNK_TRIANGLES, nIdx - start));
    const m = new T.Mesh(g, flat);
    m.frustumCulled = false;
    m.renderOrder = chunks.length;
    m.onAfterRender = flush;
    scene.add(m);
    chunks.push(m);
  }
  return { T, scene, chunks, side, flat, depth, normal, released: false };
}

function setMaterial(s: SceneState, material: THREE.Material): void {
  for (const m of s.chunks) m.material = material;
}

/** The shaded material for a light preset, with its colour set. */
function shadedMaterial(s: SceneState, preset: Exclude<LightPreset, "flat">, color: THREE.Color): THREE.ShaderMaterial {
  const rig = Object.prototype.hasOwnProperty.call(RIGS, preset) ? RIGS[preset] : undefined;
  if (!rig) throw new InvalidArgumentError(`render: light must be "headlight", "three-point" or "flat", got "${String(preset)}"`);
  const { T } = s;
  const mat = cachedMaterial(`shaded:${preset}:${s.side}`, () =>
    new T.ShaderMaterial({
      vertexShader: SHADED_VERTEX,
      fragmentShader: SHADED_FRAGMENT,
      defines: { N_LIGHTS: rig.lights.length },
      uniforms: {
        uColor: { value: new T.Color() },
        uAmbient: { value: rig.ambient },
        uLightDir: { value: rig.lights.map((l) => new T.Vector3(l[0], l[1], l[2]).normalize()) },
        uLightI: { value: rig.lights.map((l) => l[3]) },
        uSpecular: { value: 0.12 },
      },
      side: s.side,
    }),
  );
  (mat.uniforms.uColor.value as THREE.Color).copy(color); // Color holds linear RGB (three's colour management)
  return mat;
}

function makeCamera(T: Three, c: CameraInfo): THREE.Camera {
  let cam: THREE.OrthographicCamera | THREE.PerspectiveCamera;
  if (c.projection === "orthographic") {
    const hw = (c.width / 2) * c.pixelSize, hh = (c.height / 2) * c.pixelSize;
    cam = new T.OrthographicCamera(-hw, hw, hh, -hh, c.near, c.far);
  } else {
    cam = new T.PerspectiveCamera(c.fovY, c.width / c.height, c.near, c.far);
  }
  cam.position.set(...c.position);
  cam.up.set(...c.up);
  cam.lookAt(c.center[0], c.center[1], c.center[2]);
  cam.updateMatrixWorld();
  cam.updateProjectionMatrix();
  return cam;
}

/** Average ss × ss blocks of an RGBA image (W·ss × H·ss) into W × H. */
function boxDownsample(src: Uint8ClampedArray, W: number, H: number, ss: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(W * H * 4);
  const sw = W * ss, n = ss * ss;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let dy = 0; dy < ss; dy++) {
        let q = 4 * ((y * ss + dy) * sw + x * ss);
        for (let dx = 0; dx < ss; dx++, q += 4) {
          r += src[q]; g += src[q + 1]; b += src[q + 2]; a += src[q + 3];
        }
      }
      const d = 4 * (y * W + x);
      out[d] = r / n; out[d + 1] = g / n; out[d + 2] = b / n; out[d + 3] = a / n;
    }
  }
  return out;
}

/** Read the drawing buffer into top-to-bottom rows (and mirror columns for a left-handed view). */
function readRgba(gl: WebGLRenderingContext, w: number, h: number, mirrored: boolean, scratch: Uint8Array): Uint8ClampedArray {
  gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, scratch);
  const out = new Uint8ClampedArray(w * h * 4);
  const row = w * 4;
  for (let y = 0; y < h; y++) {
    const src = (h - 1 - y) * row;
    if (!mirrored) {
      out.set(scratch.subarray(src, src + row), y * row);
    } else {
      const dst = y * row;
      for (let x = 0; x < w; x++) {
        const s = src + 4 * (w - 1 - x), d = dst + 4 * x;
        out[d] = scratch[s]; out[d + 1] = scratch[s + 1]; out[d + 2] = scratch[s + 2]; out[d + 3] = scratch[s + 3];
      }
    }
  }
  return out;
}

let scratchBuf = new Uint8Array(0);
function scratch(n: number): Uint8Array {
  if (scratchBuf.length < n) scratchBuf = new Uint8Array(n);
  return scratchBuf.subarray(0, n);
}

/**
 * Upload a mesh once and get a renderer that draws it from any view (`render(view)`), with
 * `release()` to free the GPU buffers. Meshes over `maxTriangles` are decimated for rendering only.
 */
export function createRenderer(mesh: Mesh, opts: RendererOptions = {}): MeshRenderer {
  validateMesh(mesh);
  const T = loadThree();
  let drawn = mesh;
  let decimated = false;
  const budget = opts.maxTriangles ?? DEFAULT_MAX_TRIANGLES;
  if (!(budget >= 1)) throw new InvalidArgumentError(`render: maxTriangles must be ≥ 1, got ${budget}`);
  const nTri = mesh.triangles.length / 3;
  if (opts.decimate !== false && nTri > budget) {
    opts.onProgress?.(0, 1, "decimate");
    const d = decimate(mesh, { targetTriangles: budget });
    drawn = { positions: d.positions, triangles: d.triangles, normals: d.normals };
    decimated = true;
    opts.onProgress?.(1, 1, "decimate");
    opts.onWarning?.(`render: ${nTri} triangles over maxTriangles ${budget}: rendering ${drawn.triangles.length / 3} after decimation (cell ${d.cellSize.toFixed(2)} mm); decimate: false renders all`);
  }
  const state = buildScene(T, drawn, opts.cullBackFaces !== false, glContext().gl);
  const base = opts;
  return {
    triangles: drawn.triangles.length / 3,
    decimated,
    render: async (view?: View, o: RenderOptions = {}) => {
      if (state.released) throw new InvalidArgumentError("render: this renderer was released");
      return drawView(state, drawn, { ...base, ...o, view: view ?? o.view ?? base.view });
    },
    release: () => {
      if (state.released) return;
      state.released = true;
      for (const m of state.chunks) m.geometry.dispose();
    },
  };
}

function drawView(s: SceneState, mesh: Mesh, o: RenderOptions): RenderResult {
  const { T } = s;
  const [W, H] = parseSize(o.size);
  const basis: ViewBasis = viewBasis(o.view ?? "front", o.voxelAxes);
  const info = frameCamera(mesh.positions, basis, {
    projection: o.projection, width: W, height: H, fovY: o.fovY, pixelSize: o.pixelSize, center: o.center, margin: o.margin,
  });
  const light = o.light ?? "headlight";
  const bg = o.background ?? "black";
  const bgColor = bg === "transparent" ? new T.Color(0, 0, 0) : toColor(T, bg, "background");
  const bgAlpha = bg === "transparent" ? 0 : 1;
  if (light === "flat") {
    s.flat.color = toColor(T, o.color ?? SEED_FLAT_COLOR, "color");
    setMaterial(s, s.flat);
  } else {
    setMaterial(s, shadedMaterial(s, light, toColor(T, o.color ?? SKIN_COLOR, "color")));
  }
  const maps = o.maps ?? [];
  for (const m of maps) if (m !== "depth" && m !== "normal") throw new InvalidArgumentError(`render: unknown map "${String(m)}" (use "depth" or "normal")`);
  const ss = o.supersample ?? 1;
  if (!Number.isInteger(ss) || ss < 1 || ss > 4 || W * ss > 8192 || H * ss > 8192) {
    throw new InvalidArgumentError(`render: supersample must be an integer 1–4 with size × supersample ≤ 8192, got ${o.supersample}`);
  }
  const { renderer, gl } = glContext(W * ss, H * ss);
  renderer.setRenderTarget(null);
  renderer.setViewport(0, 0, W * ss, H * ss);

  const t0 = performance.now();
  renderer.setClearColor(bgColor, bgAlpha);
  // Same projection on an ss-times finer pixel grid, then a box filter down to W × H.
  renderer.render(s.scene, makeCamera(T, ss === 1 ? info : { ...info, width: W * ss, height: H * ss, pixelSize: info.pixelSize / ss }));
  let data = readRgba(gl, W * ss, H * ss, basis.mirrored, scratch(W * H * ss * ss * 4));
  if (ss > 1) data = boxDownsample(data, W, H, ss);
  const ms = performance.now() - t0;
  const result: RenderResult = { image: { width: W, height: H, data }, camera: info, triangles: mesh.triangles.length / 3, ms };

  const cam = makeCamera(T, info);
  if (maps.length && ss > 1) {
    glContext(W, H);
    renderer.setViewport(0, 0, W, H);
  }
  if (maps.includes("depth")) {
    s.depth.uniforms.uNear.value = info.near;
    s.depth.uniforms.uFar.value = info.far;
    setMaterial(s, s.depth);
    renderer.setClearColor(new T.Color(0, 0, 0), 0);
    renderer.render(s.scene, cam);
    const px = readRgba(gl, W, H, basis.mirrored, scratch(W * H * 4));
    const depth = new Float32Array(W * H);
    const span = info.far - info.near;
    for (let q = 0; q < W * H; q++) {
      const a = px[4 * q + 3];
      depth[q] = a === 0 ? Infinity : info.near + ((px[4 * q] * 65536 + px[4 * q + 1] * 256 + px[4 * q + 2]) / 16777215) * span;
    }
    result.depth = depth;
  }
  if (maps.includes("normal")) {
    s.normal.uniforms.uOrtho.value = info.projection === "orthographic" ? 1 : 0;
    setMaterial(s, s.normal);
    renderer.setClearColor(new T.Color(0, 0, 0), 0);
    renderer.render(s.scene, cam);
    const px = readRgba(gl, W, H, basis.mirrored, scratch(W * H * 4));
    // A mirrored view's image right is −(GL right): flip the x component to keep R = image right.
    if (basis.mirrored) for (let q = 0; q < W * H; q++) if (px[4 * q + 3] !== 0) px[4 * q] = 255 - px[4 * q];
    const normal: RgbaImage = { width: W, height: H, data: px };
    result.normal = normal;
  }
  return result;
}

/** Render a mesh (patient LPS mm) headlessly: default front view, orthographic, 512 × 512, headlight, skin colour. */
export async function renderMesh(mesh: Mesh, opts: RendererOptions = {}): Promise<RenderResult> {
  const r = createRenderer(mesh, opts);
  try {
    return withSummary(await r.render(opts.view, opts));
  } finally {
    r.release();
  }
}

/** Render one mesh from several views, uploading it once. */
export async function renderViews(mesh: Mesh, views: View[], opts: RendererOptions = {}): Promise<RenderResult[]> {
  const r = createRenderer(mesh, opts);
  try {
    const out: RenderResult[] = [];
    for (let i = 0; i < views.length; i++) {
      out.push(withSummary(await r.render(views[i], opts)));
      opts.onProgress?.(i + 1, views.length, "render");
    }
    return out;
  } finally {
    r.release();
  }
}
