import { InvalidArgumentError } from "../core/errors";
import { decimate } from "../surface/decimate";
import type { Mesh } from "../surface/types";
import { escapeHtml, htmlPage, uniqueId } from "./output";
import { scriptJson } from "./plot";
import { viewerBundle } from "./viewer-bundle";

/** Options for `meshViewerHtml` / `show.mesh`. */
export interface MeshViewerOptions {
  /** Decimate to at most this many triangles before embedding (default 200 000). */
  maxTriangles?: number;
  /** Surface colour (CSS, default skin-like #e8c4a8). */
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

/** Everything the browser-side viewer needs, with positions quantised to uint16 and base64 typed arrays. */
export interface ViewerPayload {
  positions: string;
  triangles: string;
  index32: boolean;
  min: [number, number, number];
  max: [number, number, number];
  triangleCount: number;
  /** Triangles in the mesh passed in (before decimation). */
  sourceTriangleCount: number;
  color: string;
  background: string;
  view: string;
  perspective: boolean;
  width: number;
  height: number;
  title: string;
}

/** Prepare a mesh for the viewer: decimate to the budget, drop unused vertices, quantise to uint16. */
export function viewerPayload(mesh: Mesh, opts: MeshViewerOptions = {}): ViewerPayload {
  checkMesh(mesh);
  const maxTriangles = opts.maxTriangles ?? 200_000;
  if (!(maxTriangles >= 1)) throw new InvalidArgumentError(`maxTriangles must be ≥ 1 (got ${maxTriangles})`);
  const m = decimateForViewer(mesh, maxTriangles);
  // Compact: keep only referenced vertices.
  const nv = m.positions.length / 3;
  const newIndex = new Int32Array(nv).fill(-1);
  let used = 0;
  for (let i = 0; i < m.triangles.length; i++) if (newIndex[m.triangles[i]] < 0) newIndex[m.triangles[i]] = used++;
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (let v = 0; v < nv; v++) {
    if (newIndex[v] < 0) continue;
    for (let a = 0; a < 3; a++) {
      min[a] = Math.min(min[a], m.positions[3 * v + a]);
      max[a] = Math.max(max[a], m.positions[3 * v + a]);
    }
  }
  if (used === 0) for (let a = 0; a < 3; a++) (min[a] = 0), (max[a] = 1);
  const q = new Uint16Array(3 * used);
  for (let v = 0; v < nv; v++) {
    const n = newIndex[v];
    if (n < 0) continue;
    for (let a = 0; a < 3; a++) {
      const ext = max[a] - min[a];
      q[3 * n + a] = ext > 0 ? Math.round(((m.positions[3 * v + a] - min[a]) / ext) * 65535) : 0;
    }
  }
  const index32 = used > 65535;
  const idx = index32 ? new Uint32Array(m.triangles.length) : new Uint16Array(m.triangles.length);
  for (let i = 0; i < m.triangles.length; i++) idx[i] = newIndex[m.triangles[i]];
  const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
  return {
    positions: b64(q),
    triangles: b64(idx),
    index32,
    min,
    max,
    triangleCount: m.triangles.length / 3,
    sourceTriangleCount: mesh.triangles.length / 3,
    color: opts.color ?? "#e8c4a8",
    background: opts.background ?? "#20242c",
    view: opts.view ?? "front",
    perspective: !!opts.perspective,
    width: opts.width ?? 640,
    height: opts.height ?? 480,
    title: opts.title ?? "",
  };
}

/**
 * A self-contained interactive three.js viewer (rotate, zoom, pan) for a mesh: the bundled
 * viewer script and the quantised mesh inline, no network. A fragment for notebook outputs, or a
 * full page with `standalone: true`.
 */
export function meshViewerHtml(mesh: Mesh, opts: MeshViewerOptions = {}): string {
  const data = viewerPayload(mesh, opts);
  const id = uniqueId("unmask-viewer");
  const bundle = viewerBundle().replace(/<\/script/gi, "<\\/script");
  const fragment =
    `<div id="${id}" class="unmask-viewer" data-triangles="${data.triangleCount}" ` +
    `style="position:relative;width:${data.width}px;max-width:100%;height:${data.height}px;background:${escapeHtml(data.background)}"></div>\n` +
    `<script type="text/javascript">if(!window.UnmaskViewer){(function(define,module,exports){${bundle}\n}).call(window);}</script>\n` +
    `<script type="text/javascript">(function(){var data=${scriptJson(data)};var n=0;` +
    `function go(){var el=document.getElementById(${JSON.stringify(id)});if(el&&window.UnmaskViewer){window.UnmaskViewer.mount(el,data);}else if(++n<200){setTimeout(go,50);}}go();})();</script>`;
  return opts.standalone ? htmlPage(opts.title ?? "unmask mesh viewer", fragment) : fragment;
}
