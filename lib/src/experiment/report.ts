/** The experiment's outputs: summary and distance tables (CSV), figures (PNG + plotly HTML) and a self-contained report page. */
import * as fs from "node:fs";
import * as path from "node:path";
import { UnmaskError } from "../core/errors";
import { escapeHtml, htmlPage } from "../display/output";
import { plotHtml } from "../display/plot";
import { csvField } from "./manifest";
import { chartFigure, chartPng, type Chart } from "./figures";
import { PAPER, type ExperimentResult, type ProbeOutcome } from "./run";

/** Why a probe was not identified at rank 1. */
export function missReason(o: ProbeOutcome): string {
  if (!o.detected) return `no face on its render (scan presence verdict: ${o.presence})`;
  if (!o.encoded) return "recognizer found no face";
  return "another identity nearer";
}

/** Columns of summary.csv. */
export const SUMMARY_COLUMNS = [
  "recognizer", "probes", "face_present", "detected", "detection_rate", "detection_rate_low", "detection_rate_high", "rank1", "rank1_low", "rank1_high", "rank5", "rank5_low", "rank5_high",
  "auc", "auc_low", "auc_high", "eer", "eer_low", "eer_high", "eer_threshold", "photo_threshold", "tmr_at_photo_threshold", "fmr_at_photo_threshold", "gallery_size",
] as const;

/** A number as written in the tables (4 decimals; empty when not defined). */
export function fmt(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? "" : x.toFixed(4);
}

/** The summary table: one row per recognizer (and an `observer` row when answers were given), as strings. */
export function summaryRows(r: ExperimentResult): { columns: string[]; rows: string[][] } {
  const rows = r.recognizers.map((x) => [
    x.recognizer, String(x.probes), String(r.facePresent), String(x.detected), fmt(x.detectionRate.value), fmt(x.detectionRate.low), fmt(x.detectionRate.high),
    fmt(x.rank1.value), fmt(x.rank1.low), fmt(x.rank1.high), fmt(x.rank5.value), fmt(x.rank5.low), fmt(x.rank5.high),
    fmt(x.auc.value), fmt(x.auc.low), fmt(x.auc.high), fmt(x.eer.value), fmt(x.eer.low), fmt(x.eer.high),
    fmt(x.eerThreshold), fmt(x.tolerance), fmt(x.atTolerance.tmr), fmt(x.atTolerance.fmr), String(r.gallerySize),
  ]);
  if (r.observer) {
    const o = r.observer;
    rows.push(["observer", String(o.probes), String(r.facePresent), String(o.answered), "", "", "", fmt(o.rank1.value), fmt(o.rank1.low), fmt(o.rank1.high), "", "", "", "", "", "", "", "", "", "", "", "", "", String(r.gallerySize)]);
  }
  return { columns: [...SUMMARY_COLUMNS], rows };
}

function csv(columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [columns, ...rows].map((r) => r.map(csvField).join(",")).join("\n") + "\n";
}

/** summary.csv text. */
export function summaryCsv(r: ExperimentResult): string {
  const t = summaryRows(r);
  return csv(t.columns, t.rows);
}

/** distances.csv text: every probe × gallery identity distance per recognizer ("" = no face). */
export function distancesCsv(r: ExperimentResult): string {
  const rows: unknown[][] = [];
  for (const x of r.recognizers) {
    x.distances.forEach((row, p) => row.forEach((d, g) => {
      rows.push([x.recognizer, r.probes[p].label, r.gallery[g].label, fmt(d), r.gallery[g].label === r.probes[p].subject ? "genuine" : "impostor", x.outcomes[p].rank]);
    }));
  }
  return csv(["recognizer", "probe", "gallery", "distance", "pair", "probe_rank"], rows);
}

/** groups.csv text: rates per covariate group. */
export function groupsCsv(r: ExperimentResult): string {
  const rows: unknown[][] = [];
  for (const x of r.recognizers) for (const g of x.groups) rows.push([x.recognizer, g.covariate, g.value, g.probes, fmt(g.rank1.value), fmt(g.rank1.low), fmt(g.rank1.high), fmt(g.rank5.value), fmt(g.rank5.low), fmt(g.rank5.high)]);
  return csv(["recognizer", "covariate", "value", "probes", "rank1", "rank1_low", "rank1_high", "rank5", "rank5_low", "rank5_high"], rows);
}

/** misses.csv text: every probe not identified at rank 1, with why. */
export function missesCsv(r: ExperimentResult): string {
  const rows: unknown[][] = [];
  for (const x of r.recognizers) for (const o of x.misses) rows.push([x.recognizer, o.probe, o.setting, missReason(o), o.rank, fmt(o.genuineDistance), o.nearest, fmt(o.nearestDistance)]);
  return csv(["recognizer", "probe", "setting", "reason", "rank", "genuine_distance", "nearest", "nearest_distance"], rows);
}

/** The CMC curves. */
export function cmcChart(r: ExperimentResult): Chart {
  return {
    title: `CMC: rank-k identification (gallery of ${r.gallerySize})`, xTitle: "rank k", yTitle: "identification rate", yRange: [0, 1.05],
    series: r.recognizers.map((x) => ({ name: x.recognizer, x: x.cmc.map((_v, i) => i + 1), y: x.cmc, mode: "steps" as const })),
  };
}

/** The verification ROC curves. */
export function rocChart(r: ExperimentResult): Chart {
  return {
    title: "Verification ROC (probe vs gallery identity pairs)", xTitle: "false-match rate", yTitle: "true-match rate", xRange: [0, 1], yRange: [0, 1.05],
    series: [
      ...r.recognizers.map((x) => ({ name: `${x.recognizer} (AUC ${x.auc.value.toFixed(2)})`, x: x.roc.map((p) => p.fpr), y: x.roc.map((p) => p.tpr) })),
      { name: "chance", x: [0, 1], y: [0, 1], dash: true, color: "#999999" },
    ],
  };
}

/** Genuine and impostor distances per recognizer (one row each), with the EER threshold (solid) and the photo threshold (dashed). */
export function distanceChart(r: ExperimentResult): Chart {
  const series: Chart["series"] = [];
  const fin = (xs: number[]) => xs.filter(Number.isFinite);
  r.recognizers.forEach((x, i) => {
    const first = i === 0;
    series.push({ name: "genuine pairs", x: fin(x.genuine), y: fin(x.genuine).map(() => i + 0.15), mode: "markers", color: "#009E73", legend: first });
    series.push({ name: "impostor pairs", x: fin(x.impostor), y: fin(x.impostor).map(() => i - 0.15), mode: "markers", color: "#D55E00", legend: first });
    series.push({ name: "EER threshold", x: [x.eerThreshold, x.eerThreshold], y: [i - 0.4, i + 0.4], color: "#000000", legend: first });
    series.push({ name: "photo threshold", x: [x.tolerance, x.tolerance], y: [i - 0.4, i + 0.4], color: "#999999", dash: true, legend: first });
  });
  return {
    title: "Genuine vs impostor distances on renders", note: "each recognizer in its own metric; no-face pairs left out",
    xTitle: "distance", yTitle: "", yRange: [-0.6, r.recognizers.length - 0.4], yLabels: r.recognizers.map((x) => x.recognizer), series,
  };
}

/** The gallery-size model, with the paper's figures beside it. */
export function galleryModelChart(r: ExperimentResult): Chart {
  const series: Chart["series"] = r.recognizers.filter((x) => x.galleryModel.length).map((x) => ({
    name: `${x.recognizer} (model)`, x: x.galleryModel.map((p) => p.gallerySize), y: x.galleryModel.map((p) => p.rank1),
    low: x.galleryModel.map((p) => p.low), high: x.galleryModel.map((p) => p.high),
  }));
  series.push({ name: "paper, 35 patients", x: [PAPER.patients, PAPER.patients], y: PAPER.rank1Range, mode: "markers", color: "#000000" });
  series.push({ name: "paper, +13,233 LFW", x: [PAPER.distractors, PAPER.distractors], y: PAPER.rank1RangeWithDistractors, mode: "markers", color: "#555555" });
  series.push({ name: "paper, oncologist", x: [PAPER.patients], y: [PAPER.oncologistRank1], mode: "markers", color: "#E69F00" });
  return {
    title: "Rank-1 as the gallery grows", note: "MODEL from this run's impostor distances (95 % band); dots: the paper's measurements",
    xTitle: "gallery size (identities)", yTitle: "rank-1 identification rate", logX: true, yRange: [0, 1.05], series,
  };
}

/** Every figure of the report, by file stem. */
export function experimentCharts(r: ExperimentResult): Record<string, Chart> {
  return { cmc: cmcChart(r), roc: rocChart(r), distances: distanceChart(r), "gallery-size": galleryModelChart(r) };
}

function tableHtml(columns: readonly string[], rows: readonly (readonly string[])[], caption: string): string {
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`).join("") + "</tbody></table>";
}

/** The self-contained report page (tables and PNG figures inline). */
export function reportHtml(r: ExperimentResult, pngs: Record<string, Buffer>): string {
  const s = summaryRows(r);
  const misses = r.recognizers.flatMap((x) => x.misses.map((o) => [x.recognizer, o.probe, o.setting, missReason(o), String(o.rank), o.nearest]));
  const groups = r.recognizers.flatMap((x) => x.groups.map((g) => [x.recognizer, g.covariate, g.value, String(g.probes), `${fmt(g.rank1.value)} [${fmt(g.rank1.low)}, ${fmt(g.rank1.high)}]`]));
  const body = `<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 6px;font-size:13px}caption{font-weight:bold;text-align:left}img{max-width:100%}</style>
<h1>unmask identification experiment</h1>
<p>Manifest <code>${escapeHtml(r.manifest)}</code>; probes: condition ${escapeHtml(r.probeConditions.join(", "))} (${r.probes.length}); gallery: condition ${escapeHtml(r.galleryConditions.join(", "))} plus distractors, ${r.gallerySize} identities.
Intervals: 95 % percentile bootstrap over probes (${r.bootstrap.samples} resamples, seed ${r.bootstrap.seed}).</p>
<p>The paper: ${escapeHtml(PAPER.source)}.</p>
${tableHtml(s.columns, s.rows, "Summary per recognizer")}
${tableHtml(["recognizer", "probe", "setting", "reason", "rank", "nearest"], misses, "Probes not identified at rank 1 (never dropped)")}
${groups.length ? tableHtml(["recognizer", "covariate", "value", "probes", "rank-1 [95 %]"], groups, "Per covariate group") : "<p>No covariates in the manifest.</p>"}
${Object.entries(pngs).map(([k, png]) => `<h2>${escapeHtml(k)}</h2><img alt="${escapeHtml(k)}" src="data:image/png;base64,${png.toString("base64")}">`).join("\n")}
${r.warnings.length ? `<h2>Warnings</h2><ul>${r.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>` : ""}`;
  return htmlPage("unmask identification experiment", body);
}

/**
 * Write OUT/summary.csv, distances.csv, groups.csv, misses.csv, result.json, the figures (PNG and
 * plotly HTML) and report.html: into a temp folder renamed into place, so OUT is whole or absent.
 * An existing OUT is an error unless `force`.
 */
export function writeExperiment(r: ExperimentResult, out: string, opts: { force?: boolean } = {}): string[] {
  const abs = path.resolve(out);
  if (fs.existsSync(abs) && !opts.force) throw new UnmaskError("EXISTS", `${abs} exists; give --force to replace it`, abs);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(path.dirname(abs), `.${path.basename(abs)}.tmp-`));
  try {
    const files: Record<string, string | Buffer> = {
      "summary.csv": summaryCsv(r), "distances.csv": distancesCsv(r), "groups.csv": groupsCsv(r), "misses.csv": missesCsv(r),
      "result.json": JSON.stringify(r, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 1),
    };
    const pngs: Record<string, Buffer> = {};
    for (const [name, chart] of Object.entries(experimentCharts(r))) {
      pngs[name] = chartPng(chart);
      files[`${name}.png`] = pngs[name];
      files[`${name}.html`] = htmlPage(chart.title, plotHtml(chartFigure(chart), { includePlotly: true, height: 480 }));
    }
    files["report.html"] = reportHtml(r, pngs);
    for (const [f, data] of Object.entries(files)) fs.writeFileSync(path.join(tmp, f), data);
    if (fs.existsSync(abs)) fs.rmSync(abs, { recursive: true, force: true });
    fs.renameSync(tmp, abs);
    return Object.keys(files).map((f) => path.join(abs, f));
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
