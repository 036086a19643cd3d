import { test } from "node:test";
import * as assert from "node:assert/strict";

test("exported constants and tables cannot be changed by a caller", async () => {
  const { HU_WINDOWS, show } = await import("unmask/display");
  const { VIEW_PRESETS, SKIN_COLOR, SEED_FLAT_COLOR } = await import("unmask/render");
  const { recognizers, detectors, HAAR_DEFAULTS, ARCFACE_TEMPLATE } = await import("unmask/face");
  const { PROFILE_TABLE, DEIDENTIFICATION_CODES } = await import("unmask/anonymize");
  const values: [string, unknown][] = [
    ["HU_WINDOWS.bone", HU_WINDOWS.bone], ["show", show], ["VIEW_PRESETS", VIEW_PRESETS], ["SKIN_COLOR", SKIN_COLOR],
    ["SEED_FLAT_COLOR", SEED_FLAT_COLOR], ["recognizers[0]", recognizers[0]], ["recognizers", recognizers], ["detectors", detectors],
    ["HAAR_DEFAULTS", HAAR_DEFAULTS], ["ARCFACE_TEMPLATE[0]", ARCFACE_TEMPLATE[0]],
    ["PROFILE_TABLE", PROFILE_TABLE], ["PROFILE_TABLE[0]", PROFILE_TABLE[0]], ["DEIDENTIFICATION_CODES.basic", DEIDENTIFICATION_CODES.basic],
  ];
  for (const [name, v] of values) assert.ok(Object.isFrozen(v), `${name} is frozen`);
});
