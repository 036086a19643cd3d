import * as fs from "node:fs";
import { EnvironmentError, InvalidArgumentError } from "../core/errors";
import type { Histogram } from "../volume/stats";
import { uniqueId } from "./output";

/** A plotly figure: traces and layout, as plain JSON (https://plotly.com/javascript/reference/). */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

let plotlySource: string | null = null;

/** The plotly.js-dist-min bundle, read once from node_modules (offline, no CDN). */
export function plotlyBundle(): string {
  if (plotlySource) return plotlySource;
  let file: string;
  try {
    file = require.resolve("plotly.js-dist-min/plotly.min.js");
  } catch (e) {
    throw new EnvironmentError("plotly.js-dist-min is not installed (needed for inline plots)", undefined, { cause: e });
  }
  plotlySource = fs.readFileSync(file, "utf8");
  return plotlySource;
}

/** JSON safe to put inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v))
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * The plotly bundle as an inline <script>, wrapped so that a RequireJS `define` on the page
 * (classic Jupyter) does not capture it: it always sets `window.Plotly`.
 */
export function plotlyScriptTag(): string {
  return `<script type="text/javascript">if(!window.Plotly){(function(define,module,exports){${plotlyBundle().replace(/<\/script/gi, "<\\/script")}\n}).call(window);}</script>`;
}

/** Options for `plotHtml`. */
export interface PlotHtmlOptions {
  /** Inline the plotly bundle (~4.5 MB). Without it the plot waits for `window.Plotly` from an earlier output. */
  includePlotly?: boolean;
  /** Height in pixels (default: layout.height or 420). */
  height?: number;
}

/** Check a figure's shape and throw a clear error otherwise. */
export function checkFigure(fig: PlotlyFigure): void {
  if (!fig || !Array.isArray(fig.data)) throw new InvalidArgumentError("a plotly figure needs a `data` array of traces");
}

/** An HTML fragment drawing `fig` with plotly; works offline. */
export function plotHtml(fig: PlotlyFigure, opts: PlotHtmlOptions = {}): string {
  checkFigure(fig);
  const id = uniqueId("unmask-plot");
  const height = opts.height ?? (typeof fig.layout?.height === "number" ? (fig.layout.height as number) : 420);
  const config = { responsive: true, displaylogo: false, ...(fig.config ?? {}) };
  const draw =
    `<script type="text/javascript">(function(){var fig=${scriptJson({ data: fig.data, layout: fig.layout ?? {} })};` +
    `var cfg=${scriptJson(config)};var id=${JSON.stringify(id)};var n=0;` +
    `function draw(){var el=document.getElementById(id);if(!el)return false;if(!window.Plotly)return false;` +
    `window.Plotly.newPlot(el,fig.data,fig.layout,cfg);return true;}` +
    `if(!draw()){var t=setInterval(function(){if(draw()){clearInterval(t);}else if(++n>150){clearInterval(t);` +
    `var el=document.getElementById(id);if(el)el.textContent="plotly.js is not on this page (its first plot output was cleared): restart the kernel and run all, or pass { embedPlotly: true }";}},100);}})();</script>`;
  return (
    (opts.includePlotly ? plotlyScriptTag() + "\n" : "") +
    `<div id="${id}" class="unmask-plot" data-unmask-figure="plotly" style="width:100%;height:${height}px"></div>\n` +
    draw
  );
}

/** A bar-chart figure of a histogram (bin centres on x). */
export function histogramFigure(
  hist: Histogram,
  opts: { title?: string; xTitle?: string; logY?: boolean; name?: string } = {},
): PlotlyFigure {
  const x: number[] = [], y: number[] = [];
  for (let b = 0; b < hist.counts.length; b++) {
    x.push((hist.edges[b] + hist.edges[b + 1]) / 2);
    y.push(hist.counts[b]);
  }
  return {
    data: [{ type: "bar", x, y, name: opts.name ?? "voxels", marker: { color: "#4a78b0" } }],
    layout: {
      title: { text: opts.title ?? "Histogram" },
      bargap: 0,
      xaxis: { title: { text: opts.xTitle ?? "value" } },
      yaxis: { title: { text: "count" }, type: opts.logY ? "log" : "linear" },
      margin: { t: 40, r: 10, b: 50, l: 60 },
    },
  };
}

/** A line-chart figure from named series of (x, y) points. */
export function lineFigure(
  series: { name: string; x: ArrayLike<number>; y: ArrayLike<number> }[],
  opts: { title?: string; xTitle?: string; yTitle?: string } = {},
): PlotlyFigure {
  return {
    data: series.map((s) => ({ type: "scatter", mode: "lines+markers", name: s.name, x: Array.from(s.x), y: Array.from(s.y) })),
    layout: {
      title: { text: opts.title ?? "" },
      xaxis: { title: { text: opts.xTitle ?? "" } },
      yaxis: { title: { text: opts.yTitle ?? "" } },
      margin: { t: 40, r: 10, b: 50, l: 60 },
    },
  };
}

/** A heatmap figure of a matrix (e.g. a face-distance matrix), rows top to bottom, values annotated when small. */
export function heatmapFigure(
  z: ArrayLike<number>[],
  opts: { x?: string[]; y?: string[]; title?: string; zTitle?: string; colorscale?: string; reversescale?: boolean; annotate?: boolean; digits?: number } = {},
): PlotlyFigure {
  const rows = z.map((r) => Array.from(r));
  const nx = Math.max(0, ...rows.map((r) => r.length));
  const x = opts.x ?? Array.from({ length: nx }, (_v, i) => String(i));
  const y = opts.y ?? rows.map((_r, i) => String(i));
  const annotate = opts.annotate ?? rows.length * nx <= 400;
  const digits = opts.digits ?? 2;
  return {
    data: [{
      type: "heatmap", z: rows, x, y, colorscale: opts.colorscale ?? "Viridis", reversescale: !!opts.reversescale,
      colorbar: { title: { text: opts.zTitle ?? "" } },
      ...(annotate ? { text: rows.map((r) => r.map((v) => (Number.isFinite(v) ? v.toFixed(digits) : ""))), texttemplate: "%{text}", hoverinfo: "x+y+z" } : {}),
    }],
    layout: {
      title: { text: opts.title ?? "" },
      yaxis: { autorange: "reversed", type: "category" },
      xaxis: { type: "category" },
      margin: { t: 40, r: 10, b: 80, l: 100 },
    },
  };
}
