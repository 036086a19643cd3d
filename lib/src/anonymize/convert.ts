import { InvalidArgumentError } from "../core/errors";
import type { Rescale, WritableSeries } from "../dicom/write";
import type { SliceHeader } from "../dicom/types";
import type { Vec3, Volume } from "../volume/types";

/** How {@link convert} makes a CT look like MRI background. */
export type ConvertMode = "seed" | "hu";

/** Options for {@link convert}. */
export interface ConvertOptions {
  /**
   * "seed" (default): stored pixel values below 0 set to 0, exactly as the seed's script 1 did
   * (on scanners that store HU + 1024 nothing is below 0, so nothing changes). "hu": voxels below
   * 0 HU (air, lung, fat) set to 0 and the series stored with intercept 0, slope 1, so that tools
   * which ignore the rescale see a background of 0 whatever the scanner's intercept.
   */
  mode?: ConvertMode;
}

/** A converted series, ready for `writeSeries(converted, outDir, converted.write)`. */
export interface ConvertedSeries extends WritableSeries {
  volume: Volume;
  slices: SliceHeader[];
  mode: ConvertMode;
  /** Voxels whose value changed. */
  changedVoxels: number;
  totalVoxels: number;
  /** Options for writeSeries that say what was done (DerivationDescription, SeriesDescription suffix, rescale). */
  write: { derivationDescription: string; suffix: string; rescale?: Rescale };
}

/**
 * CT → MRI-like (seed script 1): a new volume with the background set to 0 as `mode` says; the
 * input is not changed. Per-slice rescale is honoured (the seed worked on stored values).
 */
export function convert(series: { volume: Volume; slices: readonly SliceHeader[] }, options: ConvertOptions = {}): ConvertedSeries {
  const mode = options.mode ?? "seed";
  if (mode !== "seed" && mode !== "hu") throw new InvalidArgumentError(`convert: mode must be "seed" or "hu" (got ${String(mode)})`);
  const { volume } = series;
  if (mode === "hu" && volume.units !== "HU") {
    throw new InvalidArgumentError(`convert: mode "hu" needs a series in Hounsfield units (a CT); this one is ${volume.modality || "of unknown modality"} in ${volume.units} units`);
  }
  const [nx, ny, nz] = volume.shape;
  if (series.slices.length !== nz) throw new InvalidArgumentError(`convert: ${series.slices.length} slice headers for ${nz} slices`);
  const data = new Float32Array(volume.data);
  const plane = nx * ny;
  let changed = 0;
  let rounded = 0;
  for (let k = 0; k < nz; k++) {
    const { rescaleSlope: m, rescaleIntercept: b } = series.slices[k];
    const end = (k + 1) * plane;
    for (let n = k * plane; n < end; n++) {
      const v = data[n];
      if (mode === "seed") {
        // stored = (v − b) / m; the seed set stored < 0 to 0, i.e. the value to b.
        if ((v - b) / m < -1e-6) {
          data[n] = b;
          changed++;
        }
      } else if (v < 0) {
        data[n] = 0;
        changed++;
      } else if (!Number.isInteger(v)) {
        data[n] = Math.round(v);
        rounded++;
      }
    }
  }
  const total = data.length;
  const pct = ((100 * changed) / total).toFixed(2);
  const write =
    mode === "seed"
      ? {
          derivationDescription: `unmask convert --mode seed: stored pixel values below 0 set to 0 (the seed's CT to MRI-like script); ${changed} of ${total} voxels (${pct}%) changed`,
          suffix: "MRI-like, seed",
        }
      : {
          derivationDescription:
            `unmask convert --mode hu: voxels below 0 HU set to 0 and stored with RescaleIntercept 0, RescaleSlope 1 (CT to MRI-like background); ${changed} of ${total} voxels (${pct}%) changed` +
            (rounded ? `; ${rounded} non-integer values rounded to whole HU` : ""),
          suffix: "MRI-like, HU<0 to 0",
          rescale: { slope: 1, intercept: 0 },
        };
  return {
    volume: { ...volume, data, shape: [...volume.shape] as Vec3, spacing: [...volume.spacing] as Vec3, origin: [...volume.origin] as Vec3, direction: [...volume.direction] as Volume["direction"] },
    slices: series.slices.map((s) => ({ ...s })),
    mode,
    changedVoxels: changed,
    totalVoxels: total,
    write,
  };
}
