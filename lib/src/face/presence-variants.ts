/**
 * The render variants face presence is judged on: views around the front, light set-ups, framing
 * margins and image sizes. Pure data; the grid is for measurement, the default set for use.
 */
import type { Vec3 } from "../volume/types";
import type { ColorLike, LightPreset, ViewDirection } from "../render/types";
import { DEFAULT_VARIANT_NAMES } from "./presence-params";

/** Views around the front: yaw turns about the superior axis, pitch about the left–right axis. */
export type PresenceView = "front" | "yaw-left" | "yaw-right" | "pitch-up" | "pitch-down";
/** Light set-ups: the renderer's headlight and three-point presets on skin, and the headlight on grey. */
export type PresenceLight = "headlight" | "three-point" | "grey";
/** Framing margins: tight (2 % a side), 25 % and 50 % of the head's extent. */
export type PresenceMargin = "tight" | "m25" | "m50";

/** One render of the grid. `name` is "view/light/margin/size", e.g. "front/headlight/m25/224". */
export interface PresenceVariant {
  name: string;
  view: PresenceView;
  light: PresenceLight;
  margin: PresenceMargin;
  /** Square image size in pixels. */
  size: number;
}

export const PRESENCE_VIEWS: readonly PresenceView[] = ["front", "yaw-left", "yaw-right", "pitch-up", "pitch-down"];
export const PRESENCE_LIGHTS: readonly PresenceLight[] = ["headlight", "three-point", "grey"];
export const PRESENCE_MARGINS: readonly PresenceMargin[] = ["tight", "m25", "m50"];
export const PRESENCE_SIZES: readonly number[] = [224, 384];

const MARGIN_VALUE: Record<PresenceMargin, number> = { tight: 0.02, m25: 0.25, m50: 0.5 };
const GREY: [number, number, number] = [200, 200, 200];

const rad = (d: number): number => (d * Math.PI) / 180;

/** Viewing direction (camera → head) and image-up of a view in patient LPS (anterior = −y). */
export function presenceViewDirection(view: PresenceView): ViewDirection {
  const yaw = rad(30), pitch = rad(15);
  const dirs: Record<PresenceView, { direction: Vec3; up: Vec3 }> = {
    front: { direction: [0, 1, 0], up: [0, 0, 1] },
    // Camera swung towards the patient's left (+x) / right (−x), like the oblique presets.
    "yaw-left": { direction: [-Math.sin(yaw), Math.cos(yaw), 0], up: [0, 0, 1] },
    "yaw-right": { direction: [Math.sin(yaw), Math.cos(yaw), 0], up: [0, 0, 1] },
    // Camera raised above (looking down at the face) / lowered below (looking up under the chin).
    "pitch-up": { direction: [0, Math.cos(pitch), -Math.sin(pitch)], up: [0, Math.sin(pitch), Math.cos(pitch)] },
    "pitch-down": { direction: [0, Math.cos(pitch), Math.sin(pitch)], up: [0, -Math.sin(pitch), Math.cos(pitch)] },
  };
  return { ...dirs[view], name: view };
}

/** Render options of a variant (light preset, colour, margin, size). */
export function variantRenderOptions(v: PresenceVariant): { light: LightPreset; color?: ColorLike; margin: number; size: number } {
  return {
    light: v.light === "grey" ? "headlight" : v.light,
    ...(v.light === "grey" ? { color: GREY } : {}),
    margin: MARGIN_VALUE[v.margin],
    size: v.size,
  };
}

/** The variant called `name` ("view/light/margin/size"); throws on a name outside the grid. */
export function parseVariant(name: string): PresenceVariant {
  const [view, light, margin, size] = name.split("/");
  const v = { name, view, light, margin, size: Number(size) } as PresenceVariant;
  if (!PRESENCE_VIEWS.includes(v.view) || !PRESENCE_LIGHTS.includes(v.light) || !PRESENCE_MARGINS.includes(v.margin) || !PRESENCE_SIZES.includes(v.size)) {
    throw new Error(`not a presence variant: "${name}" (view/light/margin/size, e.g. front/headlight/m25/224)`);
  }
  return v;
}

/**
 * Variant sets: "full" is the whole grid (5 views × 3 lights × 3 margins × 2 sizes = 90 renders,
 * for measurement); "default" the cheapest set that reached the recall target in the committed fit
 * (scripts/fit-presence.ts, see the README's design notes).
 */
export function presenceVariants(set: "default" | "full" = "default"): PresenceVariant[] {
  if (set === "default") return DEFAULT_VARIANT_NAMES.map(parseVariant);
  const out: PresenceVariant[] = [];
  for (const view of PRESENCE_VIEWS)
    for (const light of PRESENCE_LIGHTS)
      for (const margin of PRESENCE_MARGINS)
        for (const size of PRESENCE_SIZES) out.push({ name: `${view}/${light}/${margin}/${size}`, view, light, margin, size });
  return out;
}
