import { createCanvas, Image } from "canvas";
import { ImageDecodeError, InvalidArgumentError } from "../core/errors";
import type { RgbaImage } from "../image/types";
import type { Volume } from "../volume/types";
import { emit, htmlPage, quietInspect, saveArtefact, type SaveOptions } from "./output";
import { checkFigure, plotHtml, type PlotlyFigure } from "./plot";
import { canvasToPng, imageToCanvas, paintOverlays, toDisplayRgba, withTitle, type Overlays, type ScalarImage } from "./raster";
import { slicesImage, type SlicesOptions, type WindowLevel, type SlicePanel } from "./slices";
import { renderTable, type RenderedTable, type TableInput, type TableOptions } from "./table";
import type { Mesh } from "../surface/types";
import { gridImage, type GridItem, type GridOptions } from "./grid";
import { meshViewerHtml, type MeshLayer, type MeshViewerOptions } from "./mesh";
import { compareExplorer, matchViewer, sliceScroller, thresholdExplorer } from "./explorers";

/** Options for `show.image`: overlays, a title and a display scale. */
export interface ShowImageOptions extends Overlays, SaveOptions {
  title?: string;
  /** Display scale (2 = twice as large); overlay coordinates stay in the input image's pixels. */
  scale?: number;
}

/** Decode PNG/JPEG bytes into an RgbaImage (synchronous, via node-canvas). */
export function decodeImageBytes(bytes: Uint8Array, name = "image bytes"): RgbaImage {
  const im = new Image();
  let failure = "";
  im.onerror = (e: Error) => {
    failure = e.message;
  };
  try {
    im.src = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!im.width || !im.height) throw new ImageDecodeError(name, failure || "no image decoded");
    const c = createCanvas(im.width, im.height);
    const ctx = c.getContext("2d");
    ctx.drawImage(im, 0, 0);
    const d = ctx.getImageData(0, 0, im.width, im.height);
    return { width: im.width, height: im.height, data: new Uint8ClampedArray(d.data) };
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(name, (e as Error).message);
  } finally {
    // Free the decoded pixels now: node-canvas frees them in the Image's finaliser through
    // Isolate::GetCurrent(), which is null while Node tears the isolate down — a segfault at exit
    // when a GC runs then. An empty source clears the data while the isolate is alive.
    im.onerror = () => undefined;
    im.src = Buffer.alloc(0);
  }
}

/** "W×H" of PNG bytes (from the IHDR chunk). */
function imageSize(png: Buffer): string {
  return png.length > 24 ? `${png.readUInt32BE(16)}×${png.readUInt32BE(20)}` : "?";
}

function isImageLike(x: unknown): x is ScalarImage {
  return !!x && typeof x === "object" && "width" in x && "height" in x && "data" in x;
}

/** The PNG that `show.image` displays: the image, scaled, with overlays and an optional title. */
export function imagePng(img: RgbaImage | ScalarImage | Uint8Array, opts: ShowImageOptions = {}): Buffer {
  const rgba = img instanceof Uint8Array ? decodeImageBytes(img) : isImageLike(img) ? toDisplayRgba(img) : null;
  if (!rgba) throw new InvalidArgumentError("show.image expects an RgbaImage, a grey image {width, height, data} or PNG/JPEG bytes");
  const scale = opts.scale ?? 1;
  if (!(scale > 0)) throw new InvalidArgumentError(`show.image: scale must be > 0 (got ${scale})`);
  let c = imageToCanvas(rgba, scale);
  paintOverlays(c.getContext("2d"), opts, scale);
  if (opts.title) c = withTitle(c, opts.title);
  return canvasToPng(c);
}

/** Result of `show.slices`: the PNG, the composed image and each panel's orientation. */
export interface ShownSlices {
  png: Buffer;
  image: RgbaImage;
  panels: SlicePanel[];
  window: WindowLevel;
}

/** Result of `show.plot`: the figure JSON and the HTML that draws it. */
export interface ShownPlot {
  figure: PlotlyFigure;
  html: string;
}

// The plotly bundle (~4.5 MB) goes into the first plot output of a kernel session only; later plots
// reuse window.Plotly (outputs run in page order, in the live notebook and in its HTML export).
// `embedPlotly: true` forces it, e.g. after clearing that first output.
let plotlyShown = false;

/**
 * Notebook display helpers. Inside a tslab kernel each call shows its output in the notebook;
 * from the CLI and tests it only returns (and with `{ save }` writes) the artefact.
 */
export const show = Object.freeze({
  /** Show an image (RgbaImage, grey/scalar image, or PNG/JPEG bytes) with optional boxes, landmarks and lines; returns the PNG. */
  image(img: RgbaImage | ScalarImage | Uint8Array, opts: ShowImageOptions = {}): Buffer {
    const png = imagePng(img, opts);
    saveArtefact(opts.save, png);
    if (!opts.quiet) emit({ mime: "image/png", data: png, bundle: { "text/plain": opts.title ? `${opts.title} (image ${imageSize(png)})` : `image ${imageSize(png)}` } });
    return quietInspect(png, `<PNG ${png.length} bytes>`);
  },

  /** Show axial, coronal and sagittal slices with a window (HU preset or {center, width}); returns the PNG and panels. */
  slices(vol: Volume, opts: SlicesOptions & SaveOptions & { title?: string } = {}): ShownSlices {
    const r = slicesImage(vol, opts);
    let c = imageToCanvas(r.image);
    if (opts.title) c = withTitle(c, opts.title);
    const png = canvasToPng(c);
    saveArtefact(opts.save, png);
    if (!opts.quiet) {
      const text = `${opts.title ? opts.title + ": " : ""}slices ${r.panels.map((p) => p.plane).join(", ")}, window ${r.window.center}/${r.window.width}`;
      emit({ mime: "image/png", data: png, bundle: { "text/plain": text } });
    }
    return quietInspect({ png, ...r }, `<slices ${r.image.width}×${r.image.height}>`);
  },

  /** Show a plotly figure inline (offline); returns the figure and the HTML; `save` writes a standalone page. */
  plot(figure: PlotlyFigure, opts: SaveOptions & { height?: number; embedPlotly?: boolean } = {}): ShownPlot {
    checkFigure(figure);
    if (opts.save) {
      const title = String((figure.layout?.title as { text?: string } | undefined)?.text ?? "plot");
      saveArtefact(opts.save, htmlPage(title, plotHtml(figure, { includePlotly: true, height: opts.height })));
    }
    const html = plotHtml(figure, { includePlotly: opts.embedPlotly ?? !plotlyShown, height: opts.height });
    if (!opts.quiet) {
      const title = (figure.layout?.title as { text?: string } | string | undefined) ?? "";
      const name = typeof title === "string" ? title : title.text ?? "";
      emit({ mime: "text/html", data: html, bundle: { "text/plain": `plot${name ? ` "${name}"` : ""}: ${figure.data.length} trace(s) (interactive in the notebook)` } });
      plotlyShown = true;
    }
    return quietInspect({ figure, html }, `<plot: ${figure.data.length} trace(s)>`);
  },

  /** Show a table of row objects or {columns, rows}; returns its HTML and Markdown. */
  table(rows: TableInput, opts: TableOptions & SaveOptions = {}): RenderedTable {
    const t = renderTable(rows, opts);
    if (opts.save) saveArtefact(opts.save, opts.save.endsWith(".md") ? t.markdown : htmlPage(opts.title ?? "table", t.html));
    if (!opts.quiet) emit({ mime: "text/html", data: t.html, bundle: { "text/markdown": t.markdown, "text/plain": t.markdown } });
    return quietInspect(t, t.markdown);
  },

  /** Show Markdown text; returns `{ markdown }`. */
  markdown(md: string, opts: SaveOptions = {}): { markdown: string } {
    if (typeof md !== "string") throw new InvalidArgumentError("show.markdown expects a string");
    saveArtefact(opts.save, md);
    if (!opts.quiet) emit({ mime: "text/markdown", data: md, bundle: { "text/plain": md } });
    return quietInspect({ markdown: md }, md);
  },

  /** Show images side by side in a captioned grid (a contact sheet: views, galleries); returns the PNG. */
  grid(items: GridItem[], opts: GridOptions & SaveOptions = {}): Buffer {
    const png = canvasToPng(imageToCanvas(gridImage(items, opts)));
    saveArtefact(opts.save, png);
    if (!opts.quiet) emit({ mime: "image/png", data: png, bundle: { "text/plain": `grid of ${items.length} image(s): ${items.map((i) => i.label ?? "").filter(Boolean).join(", ").slice(0, 300)}` } });
    return quietInspect(png, `<PNG ${png.length} bytes>`);
  },

  /** Show an interactive three.js viewer of a mesh or of layers {mesh, color, opacity, name} (offline, decimated to `maxTriangles`); returns the HTML; `save` writes a standalone page. */
  mesh(mesh: Mesh | MeshLayer[], opts: MeshViewerOptions & SaveOptions & { embedViewer?: boolean } = {}): { html: string; triangles: number } {
    const html = meshViewerHtml(mesh, { ...opts, standalone: false });
    if (opts.save) saveArtefact(opts.save, meshViewerHtml(mesh, { ...opts, standalone: true }));
    const triangles = Number(/data-triangles="(\d+)"/.exec(html)?.[1] ?? 0);
    if (!opts.quiet) emit({ mime: "text/html", data: html, bundle: { "text/plain": `mesh viewer${opts.title ? ` "${opts.title}"` : ""}: ${triangles} triangles (interactive in the notebook and its HTML export)` } });
    return quietInspect({ html, triangles }, `<mesh viewer: ${triangles} triangles>`);
  },

  /** Threshold explorer: surfaces at several levels in one rotatable 3D view, a slider switches them (offline). */
  thresholds: thresholdExplorer,
  /** Before/after comparer: two same-size images with a split slider (offline). */
  compare: compareExplorer,
  /** Slice scroller: axial slices with HU window presets and an optional mask overlay (offline). */
  sliceScroller,
  /** Match viewer: per probe, the ranked gallery thumbnails with distances, per recognizer (offline). */
  matches: matchViewer,

  /** Show raw HTML; returns `{ html }`. */
  html(html: string, opts: SaveOptions = {}): { html: string } {
    if (typeof html !== "string") throw new InvalidArgumentError("show.html expects a string");
    saveArtefact(opts.save, html);
    if (!opts.quiet) emit({ mime: "text/html", data: html, bundle: { "text/plain": html.replace(/<script[\s\S]*?<\/script>/gi, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim().slice(0, 500) || "(html)" } });
    return quietInspect({ html }, `<html ${html.length} chars>`);
  },
});
