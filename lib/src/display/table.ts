import { InvalidArgumentError } from "../core/errors";
import { escapeHtml } from "./output";

/** Table input: an array of row objects (columns from their keys) or explicit columns and rows. */
export type TableInput = Record<string, unknown>[] | { columns: string[]; rows: unknown[][] };

/** Options for `tableHtml` / `show.table`. */
export interface TableOptions {
  title?: string;
  /** Decimal places for non-integer numbers (default 3). */
  digits?: number;
  /** Show at most this many rows (default 500); the rest is counted in a note under the table. */
  maxRows?: number;
}

/** A rendered table: HTML for notebooks and Markdown/plain text for terminals and logs. */
export interface RenderedTable {
  columns: string[];
  /** Cell text, row by row. */
  cells: string[][];
  html: string;
  markdown: string;
  /** Rows left out of html/markdown by `maxRows`. */
  omitted: number;
}

function cellText(v: unknown, digits: number): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
    return String(Number(v.toFixed(digits)));
  }
  if (typeof v === "string") return v;
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (ArrayBuffer.isView(v) || Array.isArray(v)) {
    return `[${Array.from(v as ArrayLike<unknown>).map((x) => cellText(x, digits)).join(", ")}]`;
  }
  return JSON.stringify(v);
}

/** Normalise table input to columns and cell strings. */
export function tableCells(input: TableInput, digits = 3): { columns: string[]; cells: string[][]; numeric: boolean[] } {
  let columns: string[];
  let rows: unknown[][];
  if (Array.isArray(input)) {
    columns = [];
    for (const r of input) {
      if (!r || typeof r !== "object") throw new InvalidArgumentError("table rows must be objects");
      for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
    }
    rows = input.map((r) => columns.map((c) => r[c]));
  } else if (input && Array.isArray(input.columns) && Array.isArray(input.rows)) {
    columns = input.columns.map(String);
    rows = input.rows;
  } else {
    throw new InvalidArgumentError("show.table expects an array of row objects or {columns, rows}");
  }
  const numeric = columns.map((_c, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number" || r[i] == null));
  return { columns, cells: rows.map((r) => columns.map((_c, i) => cellText(r[i], digits))), numeric };
}

/** Render a table as HTML and Markdown. */
export function renderTable(input: TableInput, opts: TableOptions = {}): RenderedTable {
  const { columns, cells: all, numeric } = tableCells(input, opts.digits ?? 3);
  const maxRows = Math.max(1, Math.floor(opts.maxRows ?? 500));
  const cells = all.slice(0, maxRows);
  const omitted = all.length - cells.length;
  const note = omitted > 0 ? `… ${omitted} more row${omitted === 1 ? "" : "s"} not shown (${all.length} in all)` : "";
  const align = (i: number) => (numeric[i] ? ' style="text-align:right"' : ' style="text-align:left"');
  const html =
    `<table class="unmask-table">` +
    (opts.title ? `<caption style="caption-side:top;text-align:left;font-weight:bold">${escapeHtml(opts.title)}</caption>` : "") +
    `<thead><tr>${columns.map((c, i) => `<th${align(i)}>${escapeHtml(c)}</th>`).join("")}</tr></thead>` +
    `<tbody>${cells.map((r) => `<tr>${r.map((v, i) => `<td${align(i)}>${escapeHtml(v)}</td>`).join("")}</tr>`).join("")}</tbody></table>` +
    (note ? `<div class="unmask-table-note" style="font-style:italic">${escapeHtml(note)}</div>` : "");
  const md = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const markdown =
    (opts.title ? `**${opts.title}**\n\n` : "") +
    `| ${columns.map(md).join(" | ")} |\n| ${columns.map((_c, i) => (numeric[i] ? "---:" : "---")).join(" | ")} |\n` +
    cells.map((r) => `| ${r.map(md).join(" | ")} |`).join("\n") +
    "\n" +
    (note ? `\n_${note}_\n` : "");
  return { columns, cells: all, html, markdown, omitted };
}
