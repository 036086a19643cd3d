import { detectFaces } from "../face/detect";
import { renderViews } from "../render/renderer";
import { marchingCubes } from "../surface/marching-cubes";
import { histogram } from "../volume/stats";
import type { Volume } from "../volume/types";
import type { Mesh } from "../surface/types";
import type { AuditEvidence } from "./types";

/** The face verdict the audit reports for a volume. */
export interface AuditFaceVerdict {
  present: "yes" | "no" | "uncertain";
  score: number;
  level: number;
  evidence: AuditEvidence[];
  summary: string;
  /** The skin surface the verdict looked at (reused for thumbnails). */
  mesh: Mesh;
}

/**
 * Face presence for the audit. One place, so that the audit follows the library's face-presence
 * verdict: front and ±30° oblique renders of the skin surface, the human detector on each.
 */
export async function faceVerdict(volume: Volume, opts: { level?: number } = {}): Promise<AuditFaceVerdict> {
  const level = opts.level ?? (volume.units === "HU" ? -300 : otsuLevel(volume));
  const mesh = await marchingCubes(volume, { level });
  if (!mesh.triangles.length) return { present: "no", score: 0, level, evidence: [], summary: "no surface at this level", mesh };
  const views = ["front", "oblique-left", "oblique-right"] as const;
  const renders = await renderViews(mesh, [...views], { size: 512, voxelAxes: volume.direction, margin: 0.15 });
  const evidence: AuditEvidence[] = [];
  for (let v = 0; v < views.length; v++) {
    for (const f of await detectFaces(renders[v].image, { detector: "human" })) {
      evidence.push({ detector: f.detector, variant: views[v], score: +f.score.toFixed(3) });
    }
  }
  const best = evidence.reduce((m, e) => Math.max(m, e.score), 0);
  const present = best >= 0.5 ? "yes" : best >= 0.3 ? "uncertain" : "no";
  const summary = evidence.length ? evidence.map((e) => `${e.detector} ${e.score.toFixed(2)} on ${e.variant}`).join(", ") : `no detection on ${views.join(", ")}`;
  return { present, score: best, level, evidence, summary, mesh };
}

/** Otsu's threshold of the intensity histogram: the skin/air split for data without Hounsfield units. */
export function otsuLevel(volume: Volume): number {
  const h = histogram(volume, { bins: 256 });
  const total = h.counts.reduce((a, b) => a + b, 0);
  let sum = 0;
  for (let b = 0; b < h.counts.length; b++) sum += b * h.counts[b];
  let wB = 0, sumB = 0, best = 0, bestB = 0;
  for (let b = 0; b < h.counts.length; b++) {
    wB += h.counts[b];
    if (!wB) continue;
    const wF = total - wB;
    if (!wF) break;
    sumB += b * h.counts[b];
    const mB = sumB / wB, mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) ** 2;
    if (between > best) { best = between; bestB = b; }
  }
  return +(h.edges[bestB + 1]).toFixed(2);
}
