import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidArgumentError } from "../core/errors";
import { writeFileAtomic } from "../core/fs";
import type { Volume } from "../volume/types";

/**
 * Write a Volume as a single-file NIfTI-1 (.nii), signed 16-bit, with its patient geometry as the
 * sform (LPS turned into NIfTI's RAS). The mask commands' output until the DICOM series writer lands.
 */
export function writeNifti(file: string, volume: Volume, description = "unmask"): void {
  if (!/\.nii$/i.test(file)) throw new InvalidArgumentError(`output must end in .nii (NIfTI-1), got ${file}`);
  const [nx, ny, nz] = volume.shape;
  const n = nx * ny * nz;
  const buf = Buffer.alloc(352 + 2 * n);
  buf.writeInt32LE(348, 0);
  const dims = [3, nx, ny, nz, 1, 1, 1, 1];
  dims.forEach((d, i) => buf.writeInt16LE(d, 40 + 2 * i));
  buf.writeInt16LE(4, 70); // DT_INT16
  buf.writeInt16LE(16, 72);
  const pix = [1, ...volume.spacing, 0, 0, 0, 0];
  pix.forEach((p, i) => buf.writeFloatLE(p, 76 + 4 * i));
  buf.writeFloatLE(352, 108);
  buf.writeFloatLE(1, 112);
  buf.writeFloatLE(0, 116);
  buf.writeUInt8(2, 123); // mm
  buf.write(description.slice(0, 79), 148, "latin1");
  buf.writeInt16LE(0, 252);
  buf.writeInt16LE(1, 254); // sform: scanner coordinates
  const d = volume.direction, s = volume.spacing, o = volume.origin;
  const rows = [
    [-d[0] * s[0], -d[3] * s[1], -d[6] * s[2], -o[0]],
    [-d[1] * s[0], -d[4] * s[1], -d[7] * s[2], -o[1]],
    [d[2] * s[0], d[5] * s[1], d[8] * s[2], o[2]],
  ];
  rows.forEach((r, a) => r.forEach((x, b) => buf.writeFloatLE(x, 280 + 16 * a + 4 * b)));
  buf.write("n+1\0", 344, "latin1");
  for (let q = 0; q < n; q++) buf.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(volume.data[q]))), 352 + 2 * q);
  writeFileAtomic(file, buf);
}

/** Refuse to overwrite an existing output unless forced. */
export function checkOutput(file: string, force: boolean): void {
  if (fs.existsSync(file) && !force) throw new InvalidArgumentError(`${path.resolve(file)} exists; pass --force to overwrite`);
}
