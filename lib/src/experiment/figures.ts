/**
 * The experiment's figures, described once as a small chart model and drawn twice: as a PNG
 * (node-canvas, for the report and notebooks) and as a plotly figure (interactive HTML).
 */
import { createCanvas } from "canvas";
import type { PlotlyFigure } from "../display/plot";

/** One series of a chart; `low`/`high` draw a shaded band (an interval) around it. */
export interface ChartSeries {
  name: string;
  x: number[];
  y: number[];
  low?: number[];
  high?: number[];
  color?: string;
  /** "lines" (default), "markers", or "steps" (a step function, e.g. a CMC or ROC). */
  mode?: "lines" | "markers" | "steps";
  dash?: boolean;
  /** Leave this series out of the legend (default: shown). */
  legend?: boolean;
}

/** A line chart. */
export interface Chart {
  title: string;
  xTitle: string;
  yTitle: string;
  series: ChartSeries[];
  logX?: boolean;
  xRange?: [number, number];
  yRange?: [number, number];
  /** Category labels of the integer y positions 0, 1, … (instead of numeric ticks). */
  yLabels?: string[];
  /** Text under the title (e.g. "model, not a measurement"). */
  note?: string;
}

/** A colour per series index (colour-blind-safe Okabe–Ito). */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

function finite(xs: number[]): number[] {
  return xs.filter(Number.isFinite);
}

/** Draw a chart as PNG bytes (width × height pixels). */
export function chartPng(chart: Chart, width = 720, height = 440): Buffer {
  const c = createCanvas(width, height);
  const ctx = c.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  const left = 84, right = 180, top = chart.note ? 56 : 40, bottom = 56;
  const pw = width - left - right, ph = height - top - bottom;
  const tx = (v: number) => (chart.logX ? Math.log10(Math.max(v, 1e-12)) : v);
  const xs = chart.series.flatMap((s) => finite(s.x.map(tx)));
  const ys = chart.series.flatMap((s) => finite([...s.y, ...(s.low ?? []), ...(s.high ?? [])]));
  let [x0, x1] = chart.xRange ? chart.xRange.map(tx) : [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = chart.yRange ?? [Math.min(...ys), Math.max(...ys)];
  if (!(x1 > x0)) { x0 -= 0.5; x1 += 0.5; }
  if (!(y1 > y0)) { y0 -= 0.5; y1 += 0.5; }
  const X = (v: number) => left + ((tx(v) - x0) / (x1 - x0)) * pw;
  const Y = (v: number) => top + ph - ((v - y0) / (y1 - y0)) * ph;
  ctx.fillStyle = "#000";
  ctx.font = "bold 15px sans-serif";
  ctx.fillText(chart.title, left, 22);
  if (chart.note) {
    ctx.font = "italic 12px sans-serif";
    ctx.fillStyle = "#444";
    ctx.fillText(chart.note, left, 40);
  }
  // Axes and ticks.
  ctx.strokeStyle = "#000";
  ctx.lineWidth = 1;
  ctx.strokeRect(left, top, pw, ph);
  ctx.font = "11px sans-serif";
  ctx.fillStyle = "#000";
  const ticks = (a: number, b: number) => {
    const raw = (b - a) / 5, mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((st) => st >= raw) ?? raw;
    const out: number[] = [];
    for (let t = Math.ceil(a / step - 1e-9) * step; t <= b + 1e-9; t += step) out.push(Math.abs(t) < 1e-12 ? 0 : t);
    return out;
  };
  const yTicks = chart.yLabels ? chart.yLabels.map((_l, i) => i) : ticks(y0, y1);
  for (const t of yTicks) {
    { const lab = chart.yLabels ? chart.yLabels[t] : String(+t.toFixed(3)); ctx.fillText(lab, left - 6 - ctx.measureText(lab).width, Y(t) + 4); }
    ctx.strokeStyle = "#e5e5e5";
    ctx.beginPath(); ctx.moveTo(left, Y(t)); ctx.lineTo(left + pw, Y(t)); ctx.stroke();
  }
  const xt = chart.logX ? Array.from({ length: Math.floor(x1) - Math.ceil(x0) + 1 }, (_v, i) => Math.ceil(x0) + i) : ticks(x0, x1);
  for (const t of xt) {
    const px = left + ((t - x0) / (x1 - x0)) * pw;
    const label = chart.logX ? String(Math.round(10 ** t)) : String(+t.toFixed(3));
    ctx.fillText(label, px - ctx.measureText(label).width / 2, top + ph + 16);
  }
  ctx.font = "13px sans-serif";
  ctx.fillText(chart.xTitle, left + pw / 2 - ctx.measureText(chart.xTitle).width / 2, height - 14);
  ctx.save();
  ctx.translate(20, top + ph / 2 + ctx.measureText(chart.yTitle).width / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(chart.yTitle, 0, 0);
  ctx.restore();
  ctx.save();
  ctx.beginPath(); ctx.rect(left, top, pw, ph); ctx.clip();
  chart.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const pts = s.x.map((x, k) => [x, s.y[k]] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (s.low && s.high) {
      ctx.fillStyle = color + "33";
      ctx.beginPath();
      s.x.forEach((x, k) => (k ? ctx.lineTo(X(x), Y(s.high![k])) : ctx.moveTo(X(x), Y(s.high![k]))));
      for (let k = s.x.length - 1; k >= 0; k--) ctx.lineTo(X(s.x[k]), Y(s.low[k]));
      ctx.closePath();
      ctx.fill();
    }
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2;
    ctx.setLineDash(s.dash ? [6, 4] : []);
    if (s.mode === "markers") {
      for (const [x, y] of pts) { ctx.beginPath(); ctx.arc(X(x), Y(y), 4, 0, 2 * Math.PI); ctx.fill(); }
    } else {
      ctx.beginPath();
      pts.forEach(([x, y], k) => {
        if (k === 0) ctx.moveTo(X(x), Y(y));
        else if (s.mode === "steps") { ctx.lineTo(X(x), Y(pts[k - 1][1])); ctx.lineTo(X(x), Y(y)); }
        else ctx.lineTo(X(x), Y(y));
      });
      ctx.stroke();
    }
  });
  ctx.restore();
  ctx.setLineDash([]);
  // Legend.
  ctx.font = "12px sans-serif";
  chart.series.filter((s) => s.legend !== false).forEach((s, i) => {
    const color = s.color ?? PALETTE[chart.series.indexOf(s) % PALETTE.length];
    const y = top + 14 + i * 18;
    ctx.strokeStyle = color; ctx.fillStyle = color; ctx.lineWidth = 2;
    ctx.setLineDash(s.dash ? [6, 4] : []);
    if (s.mode === "markers") { ctx.beginPath(); ctx.arc(left + pw + 20, y - 4, 4, 0, 2 * Math.PI); ctx.fill(); }
    else { ctx.beginPath(); ctx.moveTo(left + pw + 10, y - 4); ctx.lineTo(left + pw + 30, y - 4); ctx.stroke(); }
    ctx.setLineDash([]);
    ctx.fillStyle = "#000";
    ctx.fillText(s.name.length > 22 ? s.name.slice(0, 21) + "…" : s.name, left + pw + 36, y);
  });
  return c.toBuffer("image/png");
}

/** The same chart as a plotly figure. */
export function chartFigure(chart: Chart): PlotlyFigure {
  const data: Record<string, unknown>[] = [];
  chart.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    if (s.low && s.high) {
      data.push({ type: "scatter", x: [...s.x, ...[...s.x].reverse()], y: [...s.high, ...[...s.low].reverse()], fill: "toself", fillcolor: color + "33", line: { width: 0 }, hoverinfo: "skip", showlegend: false, name: `${s.name} 95 %` });
    }
    data.push({
      type: "scatter", name: s.name, x: s.x, y: s.y.map((v) => (Number.isFinite(v) ? v : null)),
      mode: s.mode === "markers" ? "markers" : "lines", showlegend: s.legend !== false, line: { color, dash: s.dash ? "dash" : "solid", shape: s.mode === "steps" ? "hv" : "linear" }, marker: { color, size: 8 },
    });
  });
  return {
    data,
    layout: {
      title: { text: chart.note ? `${chart.title}<br><sub>${chart.note}</sub>` : chart.title },
      xaxis: { title: { text: chart.xTitle }, type: chart.logX ? "log" : "linear", ...(chart.xRange ? { range: chart.logX ? chart.xRange.map(Math.log10) : chart.xRange } : {}) },
      yaxis: { title: { text: chart.yTitle }, ...(chart.yRange ? { range: chart.yRange } : {}), ...(chart.yLabels ? { tickvals: chart.yLabels.map((_l, i) => i), ticktext: chart.yLabels } : {}) },
      margin: { t: 60, r: 10, b: 50, l: 60 },
    },
  };
}
