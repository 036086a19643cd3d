import { gunzipSync, gzipSync } from "node:zlib";
import { InvalidArgumentError } from "../core/errors";
import { decimate } from "../surface/decimate";
import type { Mesh } from "../surface/types";
import { escapeHtml, htmlPage, uniqueId } from "./output";
import { scriptJson } from "./plot";
import { viewerBundle } from "./viewer-bundle";

/** Options for `meshViewerHtml` / `show.mesh`. */
export interface MeshViewerOptions {
  /** Decimate to at most this many triangles (all layers together) before embedding (default 200 000). */
  maxTriangles?: number;
  /** Surface colour for a single mesh (CSS, default skin-like #e8c4a8); layers carry their own. */
  color?: string;
  /** Background colour (CSS, default #20242c). */
  background?: string;
  /** Initial view (camera side in patient space): front (anterior, default), back, left, right, top. */
  view?: "front" | "back" | "left" | "right" | "top";
  /** Perspective instead of orthographic projection. */
  perspective?: boolean;
  /** Viewer size in CSS pixels (default 640 × 480). */
  width?: number;
  height?: number;
  title?: string;
  /** Return a full HTML document instead of a fragment. */
  standalone?: boolean;
}

/** Decimate for the viewer only (vertex clustering from the surface module), when over the budget. */
function decimateForViewer(mesh: Mesh, maxTriangles: number): Mesh {
  if (mesh.triangles.length / 3 <= maxTriangles) return mesh;
  return decimate(mesh, { targetTriangles: maxTriangles });
}

function checkMesh(mesh: Mesh): void {
  if (!mesh || !(mesh.positions instanceof Float32Array) || !(mesh.triangles instanceof Uint32Array)) {
    throw new InvalidArgumentError("expected a Mesh {positions: Float32Array, triangles: Uint32Array}");
  }
  if (mesh.positions.length % 3 || mesh.triangles.length % 3) throw new InvalidArgumentError("mesh arrays must hold whole xyz triples / triangles");
  const nv = mesh.positions.length / 3;
  for (let i = 0; i < mesh.triangles.length; i++) {
    if (mesh.triangles[i] >= nv) throw new InvalidArgumentError(`mesh triangle index ${mesh.triangles[i]} ≥ vertex count ${nv}`);
  }
}

/** One surface in a multi-mesh viewer (e.g. the skin and a mask shell, or before/after defacing). */
export interface MeshLayer {
  mesh: Mesh;
  /** CSS colour (default: skin tone for the first layer, then distinct colours). */
  color?: string;
  /** 0–1 (default 1); below 1 the surface is see-through. */
  opacity?: number;
  /** Shown in the viewer's caption. */
  name?: string;
}

/**
 * One packed surface. Positions are quantised to uint16 over the layer's box, each component stored
 * as the difference from the previous vertex's; triangle indices as int32 differences from the
 * previous index; both gzip-compressed and base64 (about 3× smaller than raw typed arrays; the
 * browser inflates them with DecompressionStream).
 */
export interface PackedLayer {
  positions: string;
  triangles: string;
  vertexCount: number;
  min: [number, number, number];
  max: [number, number, number];
  triangleCount: number;
  /** Triangles in the mesh passed in (before decimation). */
  sourceTriangleCount: number;
  color: string;
  opacity: number;
  name: string;
}

/** Everything the browser-side viewer needs: the packed surfaces and the scene settings. */
export interface ViewerPayload {
  encoding: "delta-gzip-1";
  layers: PackedLayer[];
  /** Triangles embedded, all layers. */
  triangleCount: number;
  sourceTriangleCount: number;
  background: string;
  view: string;
  perspective: boolean;
  width: number;
  height: number;
  title: string;
}

const LAYER_COLORS = ["#e8c4a8", "#7fb2ff", "#ffd166", "#90e0a0", "#ff8fa3"];

function packLayer(mesh: Mesh, budget: number, color: string, opacity: number, name: string): PackedLayer {
  const m = decimateForViewer(mesh, budget);
  // Compact: keep only referenced vertices, numbered by first use (keeps index differences small).
  const nv = m.positions.length / 3;
  const newIndex = new Int32Array(nv).fill(-1);
  const order: number[] = [];
  for (let i = 0; i < m.triangles.length; i++) {
    if (newIndex[m.triangles[i]] < 0) {
      newIndex[m.triangles[i]] = order.length;
      order.push(m.triangles[i]);
    }
  }
  const used = order.length;
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (const v of order)
    for (let a = 0; a < 3; a++) {
      min[a] = Math.min(min[a], m.positions[3 * v + a]);
      max[a] = Math.max(max[a], m.positions[3 * v + a]);
    }
  if (used === 0) for (let a = 0; a < 3; a++) (min[a] = 0), (max[a] = 1);
  const dq = new Uint16Array(3 * used);
  const prev = [0, 0, 0];
  for (let n = 0; n < used; n++) {
    const v = order[n];
    for (let a = 0; a < 3; a++) {
      const ext = max[a] - min[a];
      const q = ext > 0 ? Math.round(((m.positions[3 * v + a] - min[a]) / ext) * 65535) : 0;
      dq[3 * n + a] = (q - prev[a]) & 0xffff;
      prev[a] = q;
    }
  }
  const di = new Int32Array(m.triangles.length);
  let last = 0;
  for (let i = 0; i < m.triangles.length; i++) {
    const t = newIndex[m.triangles[i]];
    di[i] = t - last;
    last = t;
  }
  const pack = (a: ArrayBufferView) => gzipSync(Buffer.from(a.buffer, a.byteOffset, a.byteLength), { level: 6 }).toString("base64");
  return {
    positions: pack(dq),
    triangles: pack(di),
    vertexCount: used,
    min,
    max,
    triangleCount: m.triangles.length / 3,
    sourceTriangleCount: mesh.triangles.length / 3,
    color,
    opacity,
    name,
  };
}

/**
 * Prepare one mesh or several layers for the viewer: decimate to the budget (shared between layers
 * in proportion to their size), drop unused vertices, quantise and pack.
 */
export function viewerPayload(input: Mesh | MeshLayer[], opts: MeshViewerOptions = {}): ViewerPayload {
  const layers: MeshLayer[] = Array.isArray(input) ? input : [{ mesh: input, color: opts.color }];
  if (layers.length === 0) throw new InvalidArgumentError("the mesh viewer needs at least one mesh");
  layers.forEach((l) => checkMesh(l?.mesh));
  const maxTriangles = opts.maxTriangles ?? 200_000;
  if (!(maxTriangles >= layers.length)) throw new InvalidArgumentError(`maxTriangles must be ≥ ${layers.length} (got ${maxTriangles})`);
  const total = layers.reduce((s, l) => s + l.mesh.triangles.length / 3, 0);
  const packed = layers.map((l, i) => {
    const nt = l.mesh.triangles.length / 3;
    const budget = total <= maxTriangles ? nt : Math.max(1, Math.floor((maxTriangles * nt) / total));
    const opacity = l.opacity ?? 1;
    if (!(opacity > 0 && opacity <= 1)) throw new InvalidArgumentError(`layer opacity must be in (0, 1], got ${opacity}`);
    return packLayer(l.mesh, budget, l.color ?? LAYER_COLORS[i % LAYER_COLORS.length], opacity, l.name ?? "");
  });
  return {
    encoding: "delta-gzip-1",
    layers: packed,
    triangleCount: packed.reduce((s, l) => s + l.triangleCount, 0),
    sourceTriangleCount: total,
    background: opts.background ?? "#20242c",
    view: opts.view ?? "front",
    perspective: !!opts.perspective,
    width: opts.width ?? 640,
    height: opts.height ?? 480,
    title: opts.title ?? "",
  };
}

/** Unpack one layer of a viewer payload back into a mesh (what the browser does; for checks and tools). */
export function decodeViewerPayload(payload: ViewerPayload, layer = 0): Mesh {
  const p = payload.layers[layer];
  if (!p) throw new InvalidArgumentError(`viewer payload has no layer ${layer}`);
  const unpack = (s: string) => {
    const b = gunzipSync(Buffer.from(s, "base64"));
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice().buffer;
  };
  const dq = new Uint16Array(unpack(p.positions));
  const positions = new Float32Array(dq.length);
  const q = [0, 0, 0];
  for (let i = 0; i < dq.length; i++) {
    const a = i % 3;
    q[a] = (q[a] + dq[i]) & 0xffff;
    positions[i] = p.min[a] + (q[a] / 65535) * (p.max[a] - p.min[a]);
  }
  const di = new Int32Array(unpack(p.triangles));
  const triangles = new Uint32Array(di.length);
  let t = 0;
  for (let i = 0; i < di.length; i++) triangles[i] = t += di[i];
  return { positions, triangles };
}

// The viewer bundle goes into the first viewer output of a kernel session only (like plotly);
// later outputs find window.UnmaskViewer. Fallbacks for a cleared first output or cells run out
// of order: later outputs wait for the script (page order in an export), then load it from the
// copy the first output left in localStorage, then say how to re-embed it.
let viewerEmbedded = false;

/**
 * The script tags that make `window.UnmaskViewer` available: the whole bundle when `embed` is true
 * (or on first use in this process), else a small loader. `whenReady` is JS run with the viewer.
 */
export function viewerScripts(whenReady: string, opts: { embed?: boolean } = {}): string {
  const embed = opts.embed ?? !viewerEmbedded;
  viewerEmbedded = true;
  let out = "";
  if (embed) {
    const bundle = viewerBundle().replace(/<\/script/gi, "<\\/script");
    out +=
      `<script type="text/javascript" data-unmask-viewer-bundle="1">if(!window.UnmaskViewer){(function(define,module,exports){${bundle}\n}).call(window);}` +
      // Keep a copy for later outputs of this notebook whose bundle-carrying output is gone.
      `try{var s=document.currentScript;if(s&&window.localStorage){localStorage.setItem("unmask-viewer-bundle",s.textContent);}}catch(e){}</script>\n`;
  }
  out +=
    `<script type="text/javascript">(function(){var n=0;function go(){if(window.UnmaskViewer){(${whenReady})();return;}` +
    `if(++n===100){try{var src=window.localStorage&&localStorage.getItem("unmask-viewer-bundle");if(src){(0,eval)(src);}}catch(e){}}` +
    `if(n<400){setTimeout(go,50);}else{var m=document.querySelectorAll("[data-unmask-wait]");for(var i=0;i<m.length;i++){if(!m[i].dataset.ready){m[i].dataset.error="no-viewer-script";m[i].textContent="The 3D viewer script is not on this page (the output that carried it was cleared?): re-run this cell with { embedViewer: true }.";}}}}go();})();</script>`;
  return out;
}

/**
 * A self-contained interactive three.js viewer (rotate, zoom, pan) for a mesh: the bundled
 * viewer script (once per notebook; `embedViewer` forces it) and the quantised mesh inline, no
 * network. A fragment for notebook outputs, or a full page with `standalone: true`.
 */
export function meshViewerHtml(mesh: Mesh | MeshLayer[], opts: MeshViewerOptions & { embedViewer?: boolean } = {}): string {
  const data = viewerPayload(mesh, opts);
  const id = uniqueId("unmask-viewer");
  const fragment =
    `<div id="${id}" class="unmask-viewer" data-unmask-wait="1" data-triangles="${data.triangleCount}" ` +
    `style="position:relative;width:${data.width}px;max-width:100%;height:${data.height}px;background:${escapeHtml(data.background)}"></div>\n` +
    viewerScripts(`function(){window.UnmaskViewer.mount(document.getElementById(${JSON.stringify(id)}),${scriptJson(data)});}`, { embed: opts.standalone ? true : opts.embedViewer });
  return opts.standalone ? htmlPage(opts.title ?? "unmask mesh viewer", fragment) : fragment;
}
