/**
 * The observer study page: each probe render beside the gallery images in a shuffled order; a
 * person picks the one they think is the same person. The page keeps the answers (localStorage)
 * and exports them as CSV (probe,choice) for `unmask experiment --observer answers.csv`.
 * Self-contained: images inline, no network.
 */
import sharp from "sharp";
import type { RgbaImage } from "../image/types";
import { escapeHtml } from "../display/output";
import { scriptJson } from "../display/plot";
import { resolveCohort, optionId, probeId, withRow, type CohortOptions, type GalleryIdentity } from "./cohort";
import type { Manifest } from "./manifest";
import { FacePipeline } from "./pipeline";
import type { StageCache } from "./cache";
import { seededRandom } from "./metrics";
import type { ProgressFn, WarningFn } from "../core/progress";

/** Options of `observerQuiz`. */
export interface ObserverQuizOptions extends CohortOptions {
  cache?: string | StageCache;
  pipeline?: FacePipeline;
  /** Seed of the gallery order shuffles (default 13). */
  seed?: number;
  /** Thumbnail width in pixels (default 256). */
  thumbnail?: number;
  title?: string;
  onProgress?: ProgressFn;
  onWarning?: WarningFn;
}

async function thumb(img: RgbaImage, width: number): Promise<string> {
  const jpg = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 4 } })
    .resize({ width, withoutEnlargement: false }).flatten({ background: "#000" }).jpeg({ quality: 85 }).toBuffer();
  return `data:image/jpeg;base64,${jpg.toString("base64")}`;
}

function hashSeed(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** Build the quiz page (HTML string) for a manifest's probes and gallery. */
export async function observerQuiz(manifest: Manifest | string, options: ObserverQuizOptions = {}): Promise<{ html: string; probes: number; options: number }> {
  const cohort = resolveCohort(manifest, options);
  const pipeline = options.pipeline ?? new FacePipeline({ cache: options.cache, onWarning: options.onWarning });
  const width = options.thumbnail ?? 256;
  const m = cohort.manifest;
  const total = cohort.probes.length + cohort.identities.length;
  let done = 0;
  const identities: GalleryIdentity[] = [];
  const optionsOut: { id: string; img: string }[] = [];
  for (const id of cohort.identities) {
    const im = id.images[0];
    const v = await withRow(im, m, () => pipeline.detect(im.input, im.options));
    options.onProgress?.(++done, total, "gallery images");
    if (id.distractor && v.variant === null) { options.onWarning?.(`distractor ${id.distractor}: no face found; left out of the gallery`); continue; }
    identities.push(id);
    optionsOut.push({ id: optionId(id.label), img: await thumb(await withRow(im, m, () => pipeline.displayImage(im.input, im.options)), width) });
  }
  const probesOut: { id: string; img: string; order: string[] }[] = [];
  for (const p of cohort.probes) {
    const img = await thumb(await withRow(p, m, () => pipeline.displayImage(p.input, p.options)), width);
    const rnd = seededRandom(hashSeed(probeId(p), options.seed ?? 13));
    const order = optionsOut.map((o) => o.id);
    for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
    probesOut.push({ id: probeId(p), img, order });
    options.onProgress?.(++done, total, "probe renders");
  }
  const title = options.title ?? "unmask observer study: who is this?";
  const data = { key: `unmask-observer:${m.file}:${cohort.probeConditions.join(",")}:${cohort.galleryConditions.join(",")}`, probes: probesOut, options: Object.fromEntries(optionsOut.map((o) => [o.id, o.img])) };
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font-family:sans-serif;margin:1.5em;background:#fafafa;color:#222}
.probe{display:flex;gap:1.5em;align-items:flex-start;border-bottom:1px solid #ccc;padding:1em 0}
.probe>figure{margin:0}.probe img.render{width:${width}px;border:3px solid #333}
.choices{display:flex;flex-wrap:wrap;gap:.5em}
.choices button{padding:0;border:4px solid transparent;background:none;cursor:pointer}
.choices button img{width:${Math.round(width / 2)}px;display:block}
.choices button.chosen{border-color:#0072B2}
#bar{position:sticky;top:0;background:#fafafa;padding:.5em 0;border-bottom:2px solid #333}
textarea{width:100%;height:6em}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>Each row shows a render of a head scan (left). Pick the image on the right that you think shows the same person.
Your answers stay in this browser; <b>Export answers</b> saves them as a CSV for <code>unmask experiment --observer answers.csv</code>.</p>
<div id="bar"><span id="count"></span> <button id="export">Export answers (CSV)</button> <button id="reset">Clear answers</button></div>
<div id="quiz"></div>
<h2>Answers (CSV)</h2><textarea id="csv" readonly></textarea>
<script>
(function(){
var DATA=${scriptJson(data)};
var answers={};
try{answers=JSON.parse(localStorage.getItem(DATA.key)||"{}")||{};}catch(e){answers={};}
function save(){try{localStorage.setItem(DATA.key,JSON.stringify(answers));}catch(e){}update();}
function csv(){var s="probe,choice\\n";DATA.probes.forEach(function(p){if(answers[p.id])s+=p.id+","+answers[p.id]+"\\n";});return s;}
function update(){var n=DATA.probes.filter(function(p){return answers[p.id];}).length;
document.getElementById("count").textContent=n+" of "+DATA.probes.length+" answered";
document.getElementById("csv").value=csv();
document.querySelectorAll(".choices button").forEach(function(b){b.classList.toggle("chosen",answers[b.dataset.probe]===b.dataset.choice);});}
var quiz=document.getElementById("quiz");
DATA.probes.forEach(function(p,i){
var row=document.createElement("div");row.className="probe";row.dataset.probe=p.id;
var fig=document.createElement("figure");var im=document.createElement("img");im.className="render";im.src=p.img;im.alt="probe "+(i+1);
var cap=document.createElement("figcaption");cap.textContent="Probe "+(i+1);fig.appendChild(im);fig.appendChild(cap);row.appendChild(fig);
var ch=document.createElement("div");ch.className="choices";
p.order.forEach(function(id,k){var b=document.createElement("button");b.type="button";b.dataset.probe=p.id;b.dataset.choice=id;b.title="option "+(k+1);
var gi=document.createElement("img");gi.src=DATA.options[id];gi.alt="option "+(k+1);b.appendChild(gi);
b.addEventListener("click",function(){answers[p.id]=id;save();});ch.appendChild(b);});
row.appendChild(ch);quiz.appendChild(row);});
document.getElementById("export").addEventListener("click",function(){
var blob=new Blob([csv()],{type:"text/csv"});var a=document.createElement("a");a.href=URL.createObjectURL(blob);a.download="answers.csv";
document.body.appendChild(a);a.click();setTimeout(function(){URL.revokeObjectURL(a.href);a.remove();},1000);});
document.getElementById("reset").addEventListener("click",function(){answers={};save();});
update();
})();
</script></body></html>
`;
  return { html, probes: probesOut.length, options: optionsOut.length };
}
