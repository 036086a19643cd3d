import * as fs from "node:fs";
import * as path from "node:path";
import type { AuditInventory } from "./walk";
import type { AuditReport, ItemAudit, PublishVerdict } from "./types";

const VERDICTS: (PublishVerdict | "listed")[] = ["face", "review", "removed", "not-head", "unreadable", "listed"];

/** Assemble report.json's value from the inventory and one result per item (each item exactly once). */
export function buildReport(inv: AuditInventory, results: Map<string, ItemAudit>, meta: { version: string; options: Record<string, unknown>; models: Record<string, string> }): AuditReport {
  const items = inv.items.map((it) => results.get(it.id) ?? {
    id: it.id, kind: it.kind, label: it.label, verdict: "unreadable" as const, reason: "no result (the job did not finish)",
    headerRisks: [], thumbnails: {}, inputHashes: {}, timeMs: 0,
  });
  const summary = Object.fromEntries(VERDICTS.map((v) => [v, items.filter((i) => i.verdict === v).length])) as AuditReport["summary"];
  summary.items = items.length;
  summary.brokenFiles = inv.brokenFiles.length;
  return {
    schema: "unmask-audit/1",
    unmaskVersion: meta.version,
    createdAt: new Date().toISOString(),
    roots: inv.roots,
    options: meta.options,
    models: meta.models,
    summary,
    items,
    brokenFiles: inv.brokenFiles,
    ignoredFiles: inv.ignoredFiles,
  };
}

const esc = (s: unknown) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function dataUri(outDir: string, rel?: string): string {
  if (!rel) return "";
  const file = path.join(outDir, rel);
  return fs.existsSync(file) ? `data:image/png;base64,${fs.readFileSync(file).toString("base64")}` : "";
}

/**
 * A self-contained report page: summary counts, thumbnails, a sortable and filterable table, and the
 * evidence of each verdict one click away. No network, no external script.
 */
export function reportHtml(report: AuditReport, outDir: string): string {
  const rows = report.items.map((it) => {
    const thumbs = [it.thumbnails.front, it.thumbnails.profile, it.thumbnails.image].filter(Boolean).map((t) => `<img src="${dataUri(outDir, t)}" alt="${esc(t)}">`).join("");
    const evidence = [
      `<p>${esc(it.reason)}</p>`,
      it.face ? `<p>face: ${esc(it.face.present)}, score ${it.face.score.toFixed(2)}, level ${esc(it.face.level)}</p><ul>${it.face.evidence.map((e) => `<li>${esc(e.detector)} on ${esc(e.variant)}: ${e.score.toFixed(2)}</li>`).join("")}</ul>` : "",
      it.ocrText?.length ? `<p>OCR text:</p><ul>${it.ocrText.map((t) => `<li>${esc(t)}</li>`).join("")}</ul>` : "",
      it.headerRisks.length ? `<p>identifying header attributes (PS3.15 Basic Profile):</p><ul>${it.headerRisks.map((r) => `<li>${esc(r.tag)} ${esc(r.name)} → ${esc(r.action)}</li>`).join("")}</ul>` : "",
      it.error ? `<p>error: ${esc(it.error.code)}: ${esc(it.error.message)}</p>` : "",
    ].join("");
    return `<tr data-verdict="${esc(it.verdict)}"><td class="v ${esc(it.verdict)}">${esc(it.verdict)}</td><td>${esc(it.label)}</td><td>${esc(it.kind)}</td>` +
      `<td>${esc(it.modality)}</td><td>${it.geometry ? esc(it.geometry.shape.join("×")) : ""}</td><td data-sort="${it.face?.score ?? -1}">${it.face ? it.face.score.toFixed(2) : ""}</td>` +
      `<td data-sort="${it.headerRisks.length}">${it.headerRisks.length}</td><td class="t">${thumbs}</td><td>${esc(it.reason.length > 140 ? it.reason.slice(0, 140) + "…" : it.reason)}<details><summary>evidence</summary>${evidence}</details></td></tr>`;
  }).join("\n");
  const broken = report.brokenFiles.map((b) => `<tr><td>${esc(b.path)}</td><td>${esc(b.code)}</td><td>${esc(b.message)}</td></tr>`).join("\n");
  const counts = VERDICTS.map((v) => `<span class="v ${v}">${v}: <b id="count-${v}">${report.summary[v]}</b></span>`).join(" ");
  return `<!doctype html><html><head><meta charset="utf-8"><title>unmask audit</title><style>
body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{cursor:pointer;background:#f4f4f4}img{height:72px;margin-right:4px}.v{font-weight:600;padding:1px 6px;border-radius:3px}
.face{background:#f8c4c4}.review{background:#fbe3a8}.removed{background:#c9ecc9}.not-head{background:#dde}.unreadable{background:#ccc}.listed{background:#e6e0f5}
</style></head><body><h1>unmask audit</h1>
<p>${esc(report.createdAt)} · unmask ${esc(report.unmaskVersion)} · ${report.summary.items} item(s), ${report.summary.brokenFiles} broken or skipped file(s) · roots: ${esc(report.roots.join(", "))}</p>
<p id="summary">${counts}</p>
<p><input id="filter" placeholder="filter (text)"> <select id="verdict"><option value="">all verdicts</option>${VERDICTS.map((v) => `<option>${v}</option>`).join("")}</select> <span id="shown"></span></p>
<table id="items"><thead><tr><th>verdict</th><th>series</th><th>kind</th><th>modality</th><th>shape</th><th>face score</th><th>header risks</th><th>renders</th><th>why</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Broken or skipped files (${report.brokenFiles.length})</h2>
<table id="broken"><thead><tr><th>file</th><th>code</th><th>message</th></tr></thead><tbody>${broken}</tbody></table>
<script>
(function(){var tb=document.querySelector('#items tbody'),f=document.getElementById('filter'),v=document.getElementById('verdict');
function apply(){var q=f.value.toLowerCase(),n=0;Array.prototype.forEach.call(tb.rows,function(r){var ok=(!v.value||r.dataset.verdict===v.value)&&(!q||r.textContent.toLowerCase().indexOf(q)>=0);r.style.display=ok?'':'none';if(ok)n++;});document.getElementById('shown').textContent=n+' shown';}
f.addEventListener('input',apply);v.addEventListener('change',apply);
Array.prototype.forEach.call(document.querySelectorAll('#items th'),function(th,c){var asc=true;th.addEventListener('click',function(){var rows=Array.prototype.slice.call(tb.rows);
rows.sort(function(a,b){var x=a.cells[c],y=b.cells[c],p=x.dataset.sort,q=y.dataset.sort;var r=(p!==undefined&&q!==undefined)?(+p)-(+q):x.textContent.localeCompare(y.textContent);return asc?r:-r;});
asc=!asc;rows.forEach(function(r){tb.appendChild(r);});});});apply();})();
</script></body></html>
`;
}
