import { gridImage } from "../display/grid";
import type { RgbaImage } from "../image/types";
import type { FacePresence } from "./presence";

/** Box colour per detector on contact sheets. */
export const DETECTOR_COLORS: Record<string, string> = {
  human: "#00e5ff", haar: "#ff8c00", "haar-alt2": "#ffd400", ssd: "#ff3df2", tiny: "#7dff3d", profile: "#ffffff",
};

/**
 * A contact sheet of every rendered variant with its boxes (colour per detector; boxes of the
 * winning 3D cluster drawn thick). Needs a verdict computed with `keepRenders: true`.
 */
export function presenceContactSheet(presence: FacePresence, opts: { columns?: number; cellWidth?: number; title?: string } = {}): RgbaImage {
  const renders = presence.renders;
  if (!renders || renders.length === 0) throw new Error("presenceContactSheet: the verdict has no renders (call detectFaceInScan with keepRenders: true)");
  const items = renders.map((r) => {
    const ev = presence.evidence.filter((e) => e.variant === r.variant && e.box);
    return {
      image: r.image,
      label: r.variant,
      boxes: ev.map((e) => ({
        ...e.box!,
        label: `${e.detector} ${e.score.toFixed(2)}`,
        color: e.cluster === presence.best && presence.best >= 0 ? DETECTOR_COLORS[e.detector] ?? "#ff0000" : "#888888",
      })),
      lineWidth: 2,
    };
  });
  return gridImage(items, {
    columns: opts.columns ?? Math.min(6, items.length),
    cellWidth: opts.cellWidth ?? 200,
    title: opts.title ?? `face present: ${presence.present} (score ${presence.score.toFixed(2)}; ${presence.variants.length} variants × ${presence.detectors.join(", ")}; grey boxes: outside the winning cluster)`,
  });
}
