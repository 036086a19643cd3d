import { detectFaceInScan } from "../face/presence";
import { marchingCubes } from "../surface/marching-cubes";
import type { Mesh } from "../surface/types";
import { resample } from "../volume/resample";
import type { Volume } from "../volume/types";
import type { AuditEvidence } from "./types";

/** The face verdict the audit reports for a volume, and the skin surface it looked at. */
export interface AuditFaceVerdict {
  present: "yes" | "no" | "uncertain";
  score: number;
  level: number;
  evidence: AuditEvidence[];
  summary: string;
  /** The skin surface at the verdict's level on a grid of at least 2 mm (for the thumbnails). */
  mesh: Mesh;
}

/** Thumbnails need no finer grid than the face-presence check itself uses. */
const THUMB_SPACING = 2;

/**
 * Face presence for the audit: the library's fused verdict (`detectFaceInScan`, its default variants
 * and detector panel), so that the audit, the CLI's `detect` and defacing checks give the same answer.
 */
export async function faceVerdict(volume: Volume, opts: { level?: number } = {}): Promise<AuditFaceVerdict> {
  const p = await detectFaceInScan(volume, { level: opts.level });
  const level = p.level.value ?? opts.level ?? -300;
  const coarse = volume.spacing.every((s) => s >= THUMB_SPACING) ? volume : resample(volume, { spacing: volume.spacing.map((s) => Math.max(s, THUMB_SPACING)) as [number, number, number] });
  const mesh = await marchingCubes(coarse, { level });
  const evidence: AuditEvidence[] = p.evidence.map((e) => ({
    detector: e.detector, variant: e.variant, score: +e.score.toFixed(3), ...(e.position ? { position: e.position.map((x) => +x.toFixed(1)) as [number, number, number] } : {}),
  }));
  return { present: p.present, score: +p.score.toFixed(3), level, evidence, summary: `${p.reason} (level ${p.level.how})`, mesh };
}
