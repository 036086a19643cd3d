/**
 * Interactive explorers: self-contained HTML + JavaScript in one notebook output. No kernel
 * round-trip (tslab has no comm channel), no network: they work in the live notebook, offline and
 * in the exported HTML. Each output is kept under a byte budget (default 5 MB) by decimating or
 * downsampling, and says so on the page when it had to reduce.
 */
import { gzipSync } from "node:zlib";
import { createCanvas } from "canvas";
import { InvalidArgumentError } from "../core/errors";
import { summarize } from "../core/summary";
import type { RgbaImage } from "../image/types";
import type { Mesh } from "../surface/types";
import type { Mask, Volume } from "../volume/types";
import { viewerPayload, viewerScripts, type MeshLayer } from "./mesh";
import { emit, escapeHtml, quietInspect, saveArtefact, htmlPage, uniqueId, type SaveOptions } from "./output";
import { scriptJson } from "./plot";
import { canvasToPng, imageToCanvas, toDisplayRgba, type ScalarImage } from "./raster";
import { HU_WINDOWS } from "./slices";

/** Default byte budget of one explorer output. */
export const EXPLORER_MAX_BYTES = 5_000_000;

/** What every explorer returns: its HTML, its size and what it had to reduce to fit. */
export interface ExplorerOutput {
  html: string;
  bytes: number;
  /** Human-readable notes on decimation / downsampling (empty when nothing was reduced). */
  reduced: string[];
}

interface ExplorerCommon extends SaveOptions {
  title?: string;
  /** Byte budget of the output (default 5 MB). */
  maxBytes?: number;
}

function finish(kind: string, html: string, reduced: string[], plain: string, opts: ExplorerCommon, standalone: () => string): ExplorerOutput {
  const bytes = Buffer.byteLength(html);
  if (opts.save) saveArtefact(opts.save, standalone());
  const note = reduced.length ? ` (reduced: ${reduced.join("; ")})` : "";
  if (!opts.quiet) emit({ mime: "text/html", data: html, bundle: { "text/plain": `${plain}${note}; ${(bytes / 1e6).toFixed(2)} MB, interactive in the notebook and its HTML export` } });
  return quietInspect({ html, bytes, reduced }, `<${kind}: ${(bytes / 1e6).toFixed(2)} MB${note}>`);
}

const reducedNote = (reduced: string[]) =>
  reduced.length ? `<div class="unmask-reduced" style="font:12px sans-serif;color:#a05000">Reduced to fit the output budget: ${escapeHtml(reduced.join("; "))}.</div>` : "";

const imageDataUrl = (img: RgbaImage | ScalarImage | Uint8Array, format: "png" | "jpeg" = "png", maxSide = 0): string => {
  if (img instanceof Uint8Array) return `data:image/png;base64,${Buffer.from(img).toString("base64")}`;
  let c = imageToCanvas(toDisplayRgba(img));
  if (maxSide && Math.max(c.width, c.height) > maxSide) {
    const s = maxSide / Math.max(c.width, c.height);
    const d = createCanvas(Math.max(1, Math.round(c.width * s)), Math.max(1, Math.round(c.height * s)));
    d.getContext("2d").drawImage(c, 0, 0, d.width, d.height);
    c = d;
  }
  return format === "jpeg" ? `data:image/jpeg;base64,${c.toBuffer("image/jpeg", { quality: 0.85 }).toString("base64")}` : `data:image/png;base64,${canvasToPng(c).toString("base64")}`;
};

// ---------------------------------------------------------------------------------------------
// Threshold explorer

/** Options for `thresholdExplorer`. */
export interface ThresholdExplorerOptions extends ExplorerCommon {
  /** Triangles per level before the byte budget is checked (default 60 000). */
  maxTrianglesPerLevel?: number;
  /** Index of the level shown first (default the middle one). */
  initial?: number;
  /** Forces the viewer bundle into this output (e.g. after clearing the first viewer's output). */
  embedViewer?: boolean;
  width?: number;
  height?: number;
}

/**
 * Surfaces precomputed at a list of levels (e.g. from `marchingCubes` at −800…400 HU) in one
 * rotatable 3D view; a slider switches between them. Meshes are decimated per level, halving the
 * budget until the output fits `maxBytes`.
 */
export function thresholdExplorer(surfaces: { level: number; mesh: Mesh }[], opts: ThresholdExplorerOptions = {}): ExplorerOutput {
  if (!Array.isArray(surfaces) || surfaces.length === 0) throw new InvalidArgumentError("thresholdExplorer needs at least one {level, mesh}");
  const maxBytes = opts.maxBytes ?? EXPLORER_MAX_BYTES;
  const layers: MeshLayer[] = surfaces.map((s) => ({ mesh: s.mesh, name: `${s.level} HU`, color: "#e8c4a8" }));
  let perLevel = opts.maxTrianglesPerLevel ?? 60_000;
  const reduced: string[] = [];
  let payload;
  for (;;) {
    const packs = layers.map((l) => viewerPayload(l.mesh, { maxTriangles: perLevel, color: l.color, width: opts.width, height: opts.height, title: opts.title }));
    payload = { ...packs[0], layers: packs.map((p, i) => ({ ...p.layers[0], name: layers[i].name })) };
    payload.triangleCount = payload.layers.reduce((s, l) => s + l.triangleCount, 0);
    payload.sourceTriangleCount = payload.layers.reduce((s, l) => s + l.sourceTriangleCount, 0);
    const bytes = payload.layers.reduce((s, l) => s + l.positions.length + l.triangles.length, 0);
    if (bytes < maxBytes - 1_500_000 || perLevel <= 2_000) break;
    perLevel = Math.floor(perLevel / 2);
  }
  const decimated = payload.layers.filter((l) => l.triangleCount < l.sourceTriangleCount);
  if (decimated.length) reduced.push(`surfaces decimated to ≤ ${perLevel.toLocaleString("en-US")} triangles per level (from up to ${Math.max(...payload.layers.map((l) => l.sourceTriangleCount)).toLocaleString("en-US")})`);
  const id = uniqueId("unmask-threshold");
  const levels = surfaces.map((s) => s.level);
  const initial = Math.min(levels.length - 1, Math.max(0, opts.initial ?? Math.floor(levels.length / 2)));
  const w = payload.width, h = payload.height;
  const body =
    `<div id="${id}" class="unmask-explorer unmask-threshold" data-levels="${levels.join(",")}">` +
    `<div style="font:13px sans-serif;margin:4px 0">${escapeHtml(opts.title ?? "Threshold explorer")} — level <b class="unmask-level-label">${levels[initial]} HU</b> ` +
    `<input type="range" class="unmask-level" min="0" max="${levels.length - 1}" step="1" value="${initial}" style="width:300px;vertical-align:middle"> ` +
    `<span style="color:#666">(${levels.join(", ")} HU)</span></div>` +
    `<div class="unmask-viewer" data-unmask-wait="1" data-triangles="${payload.triangleCount}" style="position:relative;width:${w}px;max-width:100%;height:${h}px;background:${payload.background}"></div>` +
    reducedNote(reduced) +
    `</div>`;
  const ready =
    `function(){var root=document.getElementById(${JSON.stringify(id)});if(!root)return;var el=root.querySelector(".unmask-viewer");var levels=${JSON.stringify(levels)};` +
    `window.UnmaskViewer.mount(el,${scriptJson(payload)});` +
    `function show(i){var v=el.unmaskViewer;if(!v)return;var ms=v.scene.children.filter(function(o){return o.isMesh;});ms.forEach(function(m,k){m.visible=k===i;});` +
    `root.querySelector(".unmask-level-label").textContent=levels[i]+" HU";root.dataset.level=String(levels[i]);var info=el.querySelector(".unmask-viewer-info");if(info)info.textContent=levels[i]+" HU — drag rotate · wheel zoom · double-click reset";v.render();}` +
    `var slider=root.querySelector(".unmask-level");slider.addEventListener("input",function(){show(+slider.value);});` +
    `(function wait(){if(el.dataset.ready){show(+slider.value);root.dataset.ready="1";}else if(!el.dataset.error){setTimeout(wait,50);}})();}`;
  const html = body + "\n" + viewerScripts(ready, { embed: opts.embedViewer });
  return finish("threshold explorer", html, reduced, `threshold explorer: ${levels.length} levels (${levels.join(", ")} HU), ${payload.triangleCount.toLocaleString("en-US")} triangles`, opts, () =>
    htmlPage(opts.title ?? "threshold explorer", body + "\n" + viewerScripts(ready, { embed: true })),
  );
}

// ---------------------------------------------------------------------------------------------
// Before/after comparer

/** Options for `compareExplorer`. */
export interface CompareExplorerOptions extends ExplorerCommon {
  labels?: [string, string];
  /** Start position of the split, 0–1 (default 0.5). */
  split?: number;
}

/**
 * Two images of the same size (a render before and after defacing, masked vs stripped) stacked
 * with a split slider: left of the split shows `before`, right shows `after`.
 */
export function compareExplorer(before: RgbaImage | ScalarImage | Uint8Array, after: RgbaImage | ScalarImage | Uint8Array, opts: CompareExplorerOptions = {}): ExplorerOutput {
  const maxBytes = opts.maxBytes ?? EXPLORER_MAX_BYTES;
  const reduced: string[] = [];
  let a = imageDataUrl(before);
  let b = imageDataUrl(after);
  if (a.length + b.length > maxBytes - 20_000) {
    a = imageDataUrl(before, "jpeg", 1024);
    b = imageDataUrl(after, "jpeg", 1024);
    reduced.push("images re-encoded as JPEG, at most 1024 px");
  }
  const size = (img: typeof before) => (img instanceof Uint8Array ? { width: Buffer.from(img).readUInt32BE(16), height: Buffer.from(img).readUInt32BE(20) } : { width: img.width, height: img.height });
  const sa = size(before);
  const sb = size(after);
  if (sa.width !== sb.width || sa.height !== sb.height) throw new InvalidArgumentError(`compareExplorer: images differ in size (${sa.width}×${sa.height} vs ${sb.width}×${sb.height})`);
  const [la, lb] = opts.labels ?? ["before", "after"];
  const split = Math.min(1, Math.max(0, opts.split ?? 0.5));
  const id = uniqueId("unmask-compare");
  const html =
    `<div id="${id}" class="unmask-explorer unmask-compare" style="font:13px sans-serif">` +
    `<div style="margin:4px 0">${escapeHtml(opts.title ?? "Before / after")} — left: <b>${escapeHtml(la)}</b>, right: <b>${escapeHtml(lb)}</b> ` +
    `<input type="range" class="unmask-split" min="0" max="1000" value="${Math.round(split * 1000)}" style="width:300px;vertical-align:middle"></div>` +
    `<div class="unmask-compare-stage" style="position:relative;display:inline-block;width:${sa.width}px;max-width:100%;line-height:0">` +
    `<img class="unmask-after" src="${b}" style="display:block;width:100%" alt="${escapeHtml(lb)}">` +
    `<img class="unmask-before" src="${a}" style="position:absolute;left:0;top:0;width:100%;clip-path:inset(0 ${(100 - split * 100).toFixed(1)}% 0 0)" alt="${escapeHtml(la)}">` +
    `<div class="unmask-split-line" style="position:absolute;top:0;bottom:0;left:${(split * 100).toFixed(1)}%;width:2px;background:#ffd166"></div></div>` +
    reducedNote(reduced) +
    `<script type="text/javascript">(function(){var r=document.getElementById(${JSON.stringify(id)});if(!r)return;var s=r.querySelector(".unmask-split"),im=r.querySelector(".unmask-before"),ln=r.querySelector(".unmask-split-line");` +
    `function u(){var p=s.value/10;im.style.clipPath="inset(0 "+(100-p)+"% 0 0)";ln.style.left=p+"%";r.dataset.split=String(s.value/1000);}s.addEventListener("input",u);u();r.dataset.ready="1";})();</script></div>`;
  return finish("before/after comparer", html, reduced, `before/after comparer: ${la} | ${lb}, ${sa.width}×${sa.height}`, opts, () => htmlPage(opts.title ?? "before / after", html));
}

// ---------------------------------------------------------------------------------------------
// Slice scroller

/** Options for `sliceScroller`. */
export interface SliceScrollerOptions extends ExplorerCommon {
  /** A mask or segmentation with the volume's shape, drawn in colour over the slices. */
  overlay?: Mask | { data: ArrayLike<number>; shape: [number, number, number] };
  /** Window preset shown first (default "soft-tissue" for CT). */
  window?: keyof typeof HU_WINDOWS;
  /** Display scale (1 = the longer side 512 CSS pixels). */
  scale?: number;
}

// 8-bit companding of Hounsfield units: fine steps where the windows are narrow (brain, soft
// tissue), coarse ones in air and dense bone. Breakpoints in HU; each segment linear.
const HU_CODES: [number, number][] = [
  [0, -1024],
  [32, -224],
  [224, 544],
  [255, 3071],
];
function huToCode(v: number): number {
  if (v <= HU_CODES[0][1]) return 0;
  for (let s = 1; s < HU_CODES.length; s++) {
    const [c1, h1] = HU_CODES[s];
    const [c0, h0] = HU_CODES[s - 1];
    if (v <= h1) return Math.round(c0 + ((v - h0) / (h1 - h0)) * (c1 - c0));
  }
  return 255;
}
function codeTable(): number[] {
  const t: number[] = [];
  for (let c = 0; c < 256; c++) {
    let s = 1;
    while (s < HU_CODES.length - 1 && c > HU_CODES[s][0]) s++;
    const [c0, h0] = HU_CODES[s - 1];
    const [c1, h1] = HU_CODES[s];
    t.push(Math.round(h0 + ((c - c0) / (c1 - c0)) * (h1 - h0)));
  }
  return t;
}

/**
 * Scroll through the axial slices of a volume with HU window presets (brain, soft tissue, bone,
 * lung, skin) and an optional mask overlay. Voxels are stored as 8-bit codes (4 HU steps within
 * −224…544 HU, coarser outside) and gzip-compressed; in-plane resolution halves until the output
 * fits the budget. Patient left on the right (radiological), anterior at the top.
 */
export function sliceScroller(volume: Volume, opts: SliceScrollerOptions = {}): ExplorerOutput {
  if (!volume || !(volume.data instanceof Float32Array) || !Array.isArray(volume.shape)) throw new InvalidArgumentError("sliceScroller expects a Volume");
  const [nx, ny, nz] = volume.shape;
  if (opts.overlay && (opts.overlay.shape[0] !== nx || opts.overlay.shape[1] !== ny || opts.overlay.shape[2] !== nz)) {
    throw new InvalidArgumentError(`sliceScroller: overlay shape ${opts.overlay.shape.join("×")} differs from the volume's ${nx}×${ny}×${nz}`);
  }
  const maxBytes = opts.maxBytes ?? EXPLORER_MAX_BYTES;
  const hu = volume.units === "HU";
  let lo = 0, hi = 1;
  if (!hu) {
    lo = Infinity; hi = -Infinity;
    for (const v of volume.data) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    if (!(hi > lo)) hi = lo + 1;
  }
  const reduced: string[] = [];
  let step = 1;
  let voxels = "", mask = "", w = nx, h = ny;
  for (;;) {
    w = Math.ceil(nx / step);
    h = Math.ceil(ny / step);
    const codes = new Uint8Array(w * h * nz);
    const m = opts.overlay ? new Uint8Array(w * h * nz) : null;
    for (let k = 0; k < nz; k++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const src = x * step + nx * (y * step + ny * k);
          const v = volume.data[src];
          codes[x + w * (y + h * k)] = hu ? huToCode(v) : Math.round(((v - lo) / (hi - lo)) * 255);
          if (m) m[x + w * (y + h * k)] = opts.overlay!.data[src] ? 1 : 0;
        }
    voxels = gzipSync(codes, { level: 6 }).toString("base64");
    mask = m ? gzipSync(m, { level: 9 }).toString("base64") : "";
    if (voxels.length + mask.length < maxBytes - 30_000 || w <= 32) break;
    step *= 2;
  }
  if (step > 1) reduced.push(`in-plane resolution ÷${step} (${nx}×${ny} → ${w}×${h})`);
  const table = hu ? codeTable() : Array.from({ length: 256 }, (_, c) => lo + (c / 255) * (hi - lo));
  const windows = hu ? HU_WINDOWS : { full: { center: (lo + hi) / 2, width: hi - lo } };
  const first = hu ? opts.window ?? "soft-tissue" : "full";
  // Square millimetres on screen: the longer side fits 512 CSS pixels (times `scale`).
  const mmW = nx * volume.spacing[0], mmH = ny * volume.spacing[1];
  const fit = (512 / Math.max(mmW, mmH)) * (opts.scale ?? 1);
  const dispW = Math.round(mmW * fit);
  const dispH = Math.round(mmH * fit);
  const id = uniqueId("unmask-slices");
  const k0 = Math.floor(nz / 2);
  const data = { w, h, nz, voxels, mask, table, windows, first };
  const html =
    `<div id="${id}" class="unmask-explorer unmask-slices" style="font:13px sans-serif">` +
    `<div style="margin:4px 0">${escapeHtml(opts.title ?? "Slice scroller")} — slice <b class="unmask-slice-label">${k0 + 1}/${nz}</b> ` +
    `<input type="range" class="unmask-slice" min="0" max="${nz - 1}" value="${k0}" style="width:260px;vertical-align:middle"> window ` +
    `<select class="unmask-window">${Object.keys(windows).map((k) => `<option value="${k}"${k === first ? " selected" : ""}>${k}</option>`).join("")}</select>` +
    (mask ? ` <label><input type="checkbox" class="unmask-overlay" checked> overlay</label>` : "") +
    `</div><canvas class="unmask-slice-canvas" width="${w}" height="${h}" style="width:${dispW}px;height:${dispH}px;image-rendering:pixelated;background:#000"></canvas>` +
    `<div style="color:#666;font-size:11px">axial, patient left on the right, anterior at the top${hu ? "; 8-bit HU codes (4 HU steps within −224…544 HU)" : ""}</div>` +
    reducedNote(reduced) +
    `<script type="text/javascript">(function(){var r=document.getElementById(${JSON.stringify(id)});if(!r)return;var d=${scriptJson(data)};` +
    `function b64(s){var t=atob(s),o=new Uint8Array(t.length);for(var i=0;i<t.length;i++)o[i]=t.charCodeAt(i);return o;}` +
    `function gun(s){return new Response(new Blob([b64(s)]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer().then(function(a){return new Uint8Array(a);});}` +
    `Promise.all([gun(d.voxels),d.mask?gun(d.mask):Promise.resolve(null)]).then(function(res){var vox=res[0],msk=res[1];` +
    `var cv=r.querySelector("canvas"),ctx=cv.getContext("2d"),img=ctx.createImageData(d.w,d.h),sl=r.querySelector(".unmask-slice"),ws=r.querySelector(".unmask-window"),ov=r.querySelector(".unmask-overlay");` +
    `function draw(){var k=+sl.value,win=d.windows[ws.value],lo=win.center-win.width/2,lut=new Uint8Array(256);for(var c=0;c<256;c++){lut[c]=Math.max(0,Math.min(255,Math.round((d.table[c]-lo)/win.width*255)));}` +
    `var n=d.w*d.h,off=k*n,px=img.data,show=msk&&(!ov||ov.checked);for(var i=0;i<n;i++){var g=lut[vox[off+i]],o=4*i;if(show&&msk[off+i]){px[o]=Math.round(g*0.5+127);px[o+1]=Math.round(g*0.5);px[o+2]=Math.round(g*0.5);}else{px[o]=px[o+1]=px[o+2]=g;}px[o+3]=255;}` +
    `ctx.putImageData(img,0,0);r.querySelector(".unmask-slice-label").textContent=(k+1)+"/"+d.nz;r.dataset.slice=String(k);r.dataset.window=ws.value;}` +
    `sl.addEventListener("input",draw);ws.addEventListener("change",draw);if(ov)ov.addEventListener("change",draw);draw();r.dataset.ready="1";},function(e){r.dataset.error=String(e);r.appendChild(document.createTextNode("Cannot decode the slices: "+e));});})();</script></div>`;
  return finish("slice scroller", html, reduced, `slice scroller: ${summarize(volume) ?? "volume"}${mask ? ", with overlay" : ""}`, opts, () => htmlPage(opts.title ?? "slice scroller", html));
}

// ---------------------------------------------------------------------------------------------
// Match viewer

/** Input of `matchViewer`: probes, gallery identities and, per recognizer, probe × gallery distances. */
export interface MatchViewerInput {
  probes: { label: string; image: RgbaImage | ScalarImage | Uint8Array; /** Gallery label of the same person, when known. */ identity?: string }[];
  gallery: { label: string; image: RgbaImage | ScalarImage | Uint8Array }[];
  /** distances[recognizer][p][g]; lower is more similar. */
  distances: Record<string, number[][]>;
}

/** Options for `matchViewer`. */
export interface MatchViewerOptions extends ExplorerCommon {
  /** Gallery thumbnails shown per probe (default 5). */
  top?: number;
  /** Thumbnail side in pixels (default 96). */
  thumb?: number;
}

/**
 * For each probe, the ranked gallery thumbnails with their distances; a menu switches the
 * recognizer. The genuine identity (when given) is outlined green, others grey; rank-1 hits are
 * counted per recognizer. Thumbnails are JPEG, shrinking until the output fits the budget.
 */
export function matchViewer(input: MatchViewerInput, opts: MatchViewerOptions = {}): ExplorerOutput {
  const names = Object.keys(input.distances ?? {});
  if (!input.probes?.length || !input.gallery?.length || !names.length) throw new InvalidArgumentError("matchViewer needs probes, gallery and distances for at least one recognizer");
  for (const r of names) {
    const d = input.distances[r];
    if (d.length !== input.probes.length || d.some((row) => row.length !== input.gallery.length)) throw new InvalidArgumentError(`matchViewer: distances["${r}"] must be ${input.probes.length} × ${input.gallery.length}`);
  }
  const maxBytes = opts.maxBytes ?? EXPLORER_MAX_BYTES;
  const top = Math.min(opts.top ?? 5, input.gallery.length);
  let thumb = opts.thumb ?? 96;
  const reduced: string[] = [];
  let probes: string[] = [], gallery: string[] = [];
  for (;;) {
    probes = input.probes.map((p) => imageDataUrl(p.image, "jpeg", thumb));
    gallery = input.gallery.map((g) => imageDataUrl(g.image, "jpeg", thumb));
    const bytes = [...probes, ...gallery].reduce((s, x) => s + x.length, 0);
    if (bytes < maxBytes - 100_000 || thumb <= 24) break;
    thumb = Math.floor(thumb * 0.7);
  }
  if (thumb < (opts.thumb ?? 96)) reduced.push(`thumbnails ${thumb} px instead of ${opts.thumb ?? 96}`);
  const id = uniqueId("unmask-match");
  const data = {
    probes: input.probes.map((p, i) => ({ label: p.label, identity: p.identity ?? null, src: i })),
    gallery: input.gallery.map((g) => g.label),
    distances: input.distances,
    top,
    thumb,
  };
  // Images once each, referenced by index from the rows.
  const imgs = `<div style="display:none">${probes.map((s, i) => `<img data-probe="${i}" src="${s}">`).join("")}${gallery.map((s, i) => `<img data-gallery="${i}" src="${s}">`).join("")}</div>`;
  const html =
    `<div id="${id}" class="unmask-explorer unmask-match" style="font:12px sans-serif">` +
    `<div style="margin:4px 0;font-size:13px">${escapeHtml(opts.title ?? "Match viewer")} — recognizer <select class="unmask-recognizer">${names.map((n) => `<option value="${escapeHtml(n)}">${escapeHtml(n)}</option>`).join("")}</select> <span class="unmask-match-summary"></span></div>` +
    imgs +
    `<div class="unmask-match-rows"></div>` +
    reducedNote(reduced) +
    `<script type="text/javascript">(function(){var r=document.getElementById(${JSON.stringify(id)});if(!r)return;var d=${scriptJson(data)};var sel=r.querySelector(".unmask-recognizer"),rows=r.querySelector(".unmask-match-rows");` +
    `function src(kind,i){return r.querySelector("img[data-"+kind+"=\\""+i+"\\"]").src;}` +
    `function cell(s,cap,border){return '<div style="display:inline-block;margin:2px;text-align:center;vertical-align:top"><img src="'+s+'" style="width:'+d.thumb+'px;height:'+d.thumb+'px;object-fit:contain;background:#000;border:3px solid '+border+'"><div>'+cap+'</div></div>';}` +
    `function esc(s){return String(s).replace(/[&<>"]/g,function(c){return{"&":"&amp;","<":"&lt;",">":"&gt;","\\"":"&quot;"}[c];});}` +
    `function draw(){var dist=d.distances[sel.value],hits=0,known=0,h="";d.probes.forEach(function(p,pi){var order=d.gallery.map(function(_,g){return g;}).sort(function(a,b){return dist[pi][a]-dist[pi][b];});` +
    `if(p.identity!==null){known++;if(d.gallery[order[0]]===p.identity)hits++;}` +
    `h+='<div class="unmask-match-row" data-probe="'+esc(p.label)+'" data-ranked="'+esc(order.slice(0,d.top).map(function(g){return d.gallery[g];}).join("|"))+'">'+cell(src("probe",pi),"<b>"+esc(p.label)+"</b>","#7fb2ff")+' → ';` +
    `order.slice(0,d.top).forEach(function(g,rank){var ok=p.identity!==null&&d.gallery[g]===p.identity;h+=cell(src("gallery",g),"#"+(rank+1)+" "+esc(d.gallery[g])+"<br>"+dist[pi][g].toFixed(3),ok?"#2ca02c":"#888");});h+="</div>";});` +
    `rows.innerHTML=h;r.querySelector(".unmask-match-summary").textContent=known?("rank-1: "+hits+"/"+known+" probes"):"";r.dataset.recognizer=sel.value;r.dataset.rank1=String(hits);}` +
    `sel.addEventListener("change",draw);draw();r.dataset.ready="1";})();</script></div>`;
  return finish("match viewer", html, reduced, `match viewer: ${input.probes.length} probe(s) × ${input.gallery.length} gallery, recognizers ${names.join(", ")}`, opts, () => htmlPage(opts.title ?? "match viewer", html));
}
