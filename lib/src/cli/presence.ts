import * as path from "node:path";
import { InvalidArgumentError } from "../core/errors";
import { writePng } from "../image/io";
import type { Volume } from "../volume/types";
import { detectFaceInScan, type FacePresence } from "../face/presence";
import { presenceVariants } from "../face/presence-variants";
import { presenceContactSheet } from "../face/presence-sheet";

/** Options shared by `detect DIR` and `render --detect`: level, variant set, detectors, contact sheet. */
export async function scanPresence(volume: Volume, o: { level?: number; variants?: string; detectors?: string; sheet?: string }): Promise<FacePresence> {
  const set = o.variants ?? "default";
  if (set !== "default" && set !== "full") throw new InvalidArgumentError(`--variants must be "default" or "full", got "${set}"`);
  const detectors = o.detectors ? o.detectors.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
  const v = await detectFaceInScan(volume, { level: o.level, variants: presenceVariants(set), ...(detectors ? { detectors } : {}), keepRenders: !!o.sheet });
  if (o.sheet) await writePng(o.sheet, presenceContactSheet(v));
  return v;
}

/** The verdict as plain JSON (no images). */
export function presenceJson(v: FacePresence): Record<string, unknown> {
  const { renders: _renders, ...rest } = v;
  return rest;
}

/** Human-readable verdict: one line, the reason, the level, then one line per evidence item. */
export function presenceText(name: string, v: FacePresence, sheet?: string): string {
  const lines = [
    `${name}: face ${v.present} (score ${v.score.toFixed(2)}) — ${v.reason}`,
    `level ${v.level.value === null ? "none (mesh)" : Number(v.level.value.toFixed(2))}: ${v.level.how}`,
    `${v.variants.length} variants × ${v.detectors.join(", ")}; ${v.evidence.length} detection(s):`,
  ];
  for (const e of v.evidence) {
    const b = e.box;
    lines.push(
      `  ${e.cluster === v.best && v.best >= 0 ? "*" : " "} ${e.detector.padEnd(9)} ${e.variant.padEnd(26)} score ${e.score.toFixed(2)}` +
        (b ? ` box ${b.x.toFixed(0)},${b.y.toFixed(0)} ${b.width.toFixed(0)}×${b.height.toFixed(0)}` : "") +
        (e.position ? ` at [${e.position.map((x) => x.toFixed(0)).join(", ")}] mm, anterior ${e.anterior!.toFixed(2)}, relief ${e.relief?.toFixed(0) ?? "?"} mm` : " (off the surface)"),
    );
  }
  if (v.face?.landmarks.noseTip) lines.push(`nose tip at [${v.face.landmarks.noseTip.map((x) => x.toFixed(1)).join(", ")}] mm (LPS)`);
  lines.push(`time ${v.timing.total} ms (surface ${v.timing.surface}, render ${v.timing.render}, ${Object.entries(v.timing.detect).map(([d, ms]) => `${d} ${ms}`).join(", ")})`);
  if (sheet) lines.push(`wrote ${path.resolve(sheet)}`);
  return lines.join("\n") + "\n";
}
