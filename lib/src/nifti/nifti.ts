import * as fs from "node:fs";
import * as zlib from "node:zlib";
import { FileNotFoundError, UnmaskError } from "../core/errors";
import { writeFileAtomic } from "../core/fs";
import type { Direction, Vec3, Volume } from "../volume/types";

/** A file that is not a readable NIfTI-1 image (bad magic, header or data size). */
export class NiftiError extends UnmaskError {
  constructor(path: string, detail: string) {
    super("BAD_NIFTI", `${path}: not a readable NIfTI-1 file (${detail})`, path);
  }
}

// NIfTI-1 datatype codes → bytes per voxel and reader (little or big endian through DataView).
const DATATYPES: Record<number, { bytes: number; name: string; get: (v: DataView, o: number, le: boolean) => number }> = {
  2: { bytes: 1, name: "uint8", get: (v, o) => v.getUint8(o) },
  4: { bytes: 2, name: "int16", get: (v, o, le) => v.getInt16(o, le) },
  8: { bytes: 4, name: "int32", get: (v, o, le) => v.getInt32(o, le) },
  16: { bytes: 4, name: "float32", get: (v, o, le) => v.getFloat32(o, le) },
  64: { bytes: 8, name: "float64", get: (v, o, le) => v.getFloat64(o, le) },
  256: { bytes: 1, name: "int8", get: (v, o) => v.getInt8(o) },
  512: { bytes: 2, name: "uint16", get: (v, o, le) => v.getUint16(o, le) },
  768: { bytes: 4, name: "uint32", get: (v, o, le) => v.getUint32(o, le) },
};

/** Largest volume a header may claim before any allocation (voxels): 2^31 (8 GiB of float32). */
const MAX_VOXELS = 2 ** 31;

/** What {@link decodeNifti} returns beside the volume: how the geometry was found. */
export interface NiftiInfo {
  datatype: string;
  /** "sform", "qform" or "pixdim" (no orientation in the file: LPS axes assumed, with a warning). */
  geometryFrom: "sform" | "qform" | "pixdim";
  description: string;
  warnings: string[];
}

/**
 * Decode NIfTI-1 bytes (.nii, optionally gzip'd) into a Volume in patient LPS millimetres.
 * NIfTI's world space is RAS, so x and y change sign. Only the first 3D volume of a 4D file is read.
 * The modality is not stored in NIfTI: values below −500 with a maximum above 500 are taken as CT (HU).
 */
export function decodeNifti(bytes: Uint8Array, path = "<bytes>"): { volume: Volume; info: NiftiInfo } {
  let buf = bytes;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = zlib.gunzipSync(buf, { maxOutputLength: 2 ** 32 });
    } catch (e) {
      throw new NiftiError(path, `gzip stream broken: ${(e as Error).message}`);
    }
  }
  if (buf.length < 352) throw new NiftiError(path, `${buf.length} bytes, a NIfTI-1 header needs 348 (+4)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let le = true;
  if (view.getInt32(0, true) !== 348) {
    if (view.getInt32(0, false) === 348) le = false;
    else throw new NiftiError(path, `sizeof_hdr is ${view.getInt32(0, true)}, expected 348`);
  }
  const magic = String.fromCharCode(...buf.subarray(344, 347));
  if (magic !== "n+1") throw new NiftiError(path, `magic "${magic}" (only single-file n+1 NIfTI-1 is read)`);
  const dim = Array.from({ length: 8 }, (_, n) => view.getInt16(40 + 2 * n, le));
  if (dim[0] < 3 || dim[0] > 7) throw new NiftiError(path, `dim[0] = ${dim[0]}, expected 3–7`);
  const shape: Vec3 = [dim[1], dim[2], dim[3]];
  if (!shape.every((n) => Number.isInteger(n) && n > 0)) throw new NiftiError(path, `dimensions ${shape.join("×")} are not positive`);
  const n = shape[0] * shape[1] * shape[2];
  if (n > MAX_VOXELS) throw new NiftiError(path, `dimensions ${shape.join("×")} exceed ${MAX_VOXELS} voxels`);
  const code = view.getInt16(70, le);
  const dt = DATATYPES[code];
  if (!dt) throw new NiftiError(path, `datatype ${code} is not supported (uint8, int8, int16, uint16, int32, uint32, float32, float64)`);
  const voxOffset = Math.round(view.getFloat32(108, le));
  if (!(voxOffset >= 352)) throw new NiftiError(path, `vox_offset ${voxOffset} is before the end of the header`);
  if (voxOffset + n * dt.bytes > buf.length) {
    throw new NiftiError(path, `image data needs ${voxOffset + n * dt.bytes} bytes, the file holds ${buf.length}`);
  }
  const slope = view.getFloat32(112, le);
  const inter = view.getFloat32(116, le);
  const useScale = Number.isFinite(slope) && slope !== 0 && !(slope === 1 && inter === 0);
  const data = new Float32Array(n);
  for (let v = 0, o = voxOffset; v < n; v++, o += dt.bytes) {
    const x = dt.get(view, o, le);
    data[v] = useScale ? x * slope + inter : x;
  }
  const pixdim = Array.from({ length: 8 }, (_, k) => view.getFloat32(76 + 4 * k, le));
  const qformCode = view.getInt16(252, le);
  const sformCode = view.getInt16(254, le);
  const warnings: string[] = [];
  let ras: number[][]; // 3×4, voxel → RAS mm
  let geometryFrom: NiftiInfo["geometryFrom"];
  if (sformCode > 0) {
    ras = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => view.getFloat32(280 + 16 * r + 4 * c, le)));
    geometryFrom = "sform";
  } else if (qformCode > 0) {
    ras = qformToAffine(view, le, pixdim);
    geometryFrom = "qform";
  } else {
    ras = [[pixdim[1], 0, 0, 0], [0, pixdim[2], 0, 0], [0, 0, pixdim[3], 0]];
    geometryFrom = "pixdim";
    warnings.push(`${path}: no sform or qform: voxel axes taken as RAS with pixdim spacing`);
  }
  // RAS → LPS: negate the first two rows.
  const lps = [ras[0].map((x) => -x), ras[1].map((x) => -x), ras[2]];
  const spacing = [0, 1, 2].map((c) => Math.hypot(lps[0][c], lps[1][c], lps[2][c])) as Vec3;
  if (!spacing.every((s) => s > 0 && Number.isFinite(s))) throw new NiftiError(path, `affine has a zero or non-finite column (spacing ${spacing.join(", ")})`);
  const direction = [0, 1, 2].flatMap((c) => [0, 1, 2].map((r) => lps[r][c] / spacing[c])) as Direction;
  const origin: Vec3 = [lps[0][3], lps[1][3], lps[2][3]];
  let min = Infinity, max = -Infinity;
  for (let v = 0; v < n; v += 97) { const x = data[v]; if (x < min) min = x; if (x > max) max = x; }
  const ct = min < -500 && max > 500;
  const description = new TextDecoder().decode(buf.subarray(148, 228)).replace(/\0.*$/s, "").trim();
  return {
    volume: { data, shape, spacing, origin, direction, modality: ct ? "CT" : "MR", units: ct ? "HU" : "MR" },
    info: { datatype: dt.name, geometryFrom, description, warnings },
  };
}

function qformToAffine(view: DataView, le: boolean, pixdim: number[]): number[][] {
  const b = view.getFloat32(256, le), c = view.getFloat32(260, le), d = view.getFloat32(264, le);
  const qx = view.getFloat32(268, le), qy = view.getFloat32(272, le), qz = view.getFloat32(276, le);
  const a = Math.sqrt(Math.max(0, 1 - (b * b + c * c + d * d)));
  const qfac = pixdim[0] < 0 ? -1 : 1;
  const R = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  const s = [pixdim[1], pixdim[2], pixdim[3] * qfac];
  return [0, 1, 2].map((r) => [R[r][0] * s[0], R[r][1] * s[1], R[r][2] * s[2], [qx, qy, qz][r]]);
}

/**
 * Encode a Volume as NIfTI-1 (float32, or int16 when every value is an integer in range), with sform
 * and qform both set (code 1, scanner anatomical) from the volume's LPS geometry converted to RAS.
 */
export function encodeNifti(volume: Volume, options: { description?: string; gzip?: boolean } = {}): Uint8Array {
  const [nx, ny, nz] = volume.shape;
  const n = nx * ny * nz;
  let asInt16 = true;
  for (let v = 0; v < n; v++) {
    const x = volume.data[v];
    if (!Number.isInteger(x) || x < -32768 || x > 32767) { asInt16 = false; break; }
  }
  const bytesPer = asInt16 ? 2 : 4;
  const buf = new Uint8Array(352 + n * bytesPer);
  const view = new DataView(buf.buffer);
  view.setInt32(0, 348, true);
  const dim = [3, nx, ny, nz, 1, 1, 1, 1];
  dim.forEach((x, k) => view.setInt16(40 + 2 * k, x, true));
  view.setInt16(70, asInt16 ? 4 : 16, true);
  view.setInt16(72, bytesPer * 8, true);
  const { spacing: s, origin: o, direction: d } = volume;
  // LPS columns → RAS columns: negate x and y.
  const col = (c: number) => [-d[3 * c] * s[c], -d[3 * c + 1] * s[c], d[3 * c + 2] * s[c]];
  const cols = [col(0), col(1), col(2)];
  const t = [-o[0], -o[1], o[2]];
  // qform: a proper rotation; an improper direction (det < 0) goes into qfac = −1 on the k axis.
  const R = [0, 1, 2].map((r) => [0, 1, 2].map((c) => cols[c][r] / s[c]));
  const det = R[0][0] * (R[1][1] * R[2][2] - R[1][2] * R[2][1]) - R[0][1] * (R[1][0] * R[2][2] - R[1][2] * R[2][0]) + R[0][2] * (R[1][0] * R[2][1] - R[1][1] * R[2][0]);
  const qfac = det < 0 ? -1 : 1;
  if (qfac < 0) for (let r = 0; r < 3; r++) R[r][2] = -R[r][2];
  const pixdim = [qfac, s[0], s[1], s[2], 1, 1, 1, 1];
  pixdim.forEach((x, k) => view.setFloat32(76 + 4 * k, x, true));
  view.setFloat32(108, 352, true);
  view.setFloat32(112, 1, true);
  view.setFloat32(116, 0, true);
  buf[123] = 10 | 8; // xyzt_units: mm, s
  const desc = new TextEncoder().encode((options.description ?? "unmask").slice(0, 79));
  buf.set(desc, 148);
  view.setInt16(252, 1, true); // qform_code: scanner
  view.setInt16(254, 1, true); // sform_code: scanner
  const [qb, qc, qd] = rotationToQuaternion(R);
  view.setFloat32(256, qb, true);
  view.setFloat32(260, qc, true);
  view.setFloat32(264, qd, true);
  view.setFloat32(268, t[0], true);
  view.setFloat32(272, t[1], true);
  view.setFloat32(276, t[2], true);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) view.setFloat32(280 + 16 * r + 4 * c, cols[c][r], true);
    view.setFloat32(280 + 16 * r + 12, t[r], true);
  }
  buf.set(new TextEncoder().encode("n+1\0"), 344);
  if (asInt16) {
    for (let v = 0; v < n; v++) view.setInt16(352 + 2 * v, volume.data[v], true);
  } else {
    for (let v = 0; v < n; v++) view.setFloat32(352 + 4 * v, volume.data[v], true);
  }
  return options.gzip ? new Uint8Array(zlib.gzipSync(buf, { level: 6 })) : buf;
}

// Quaternion (b, c, d) of a proper rotation matrix, as nifti1_io's mat44_to_quatern.
function rotationToQuaternion(R: number[][]): [number, number, number] {
  const tr = R[0][0] + R[1][1] + R[2][2];
  let a: number, b: number, c: number, d: number;
  if (tr > -0.99) {
    a = 0.5 * Math.sqrt(1 + tr);
    b = (R[2][1] - R[1][2]) / (4 * a);
    c = (R[0][2] - R[2][0]) / (4 * a);
    d = (R[1][0] - R[0][1]) / (4 * a);
  } else if (R[0][0] >= R[1][1] && R[0][0] >= R[2][2]) {
    b = 0.5 * Math.sqrt(1 + R[0][0] - R[1][1] - R[2][2]);
    a = (R[2][1] - R[1][2]) / (4 * b);
    c = (R[0][1] + R[1][0]) / (4 * b);
    d = (R[0][2] + R[2][0]) / (4 * b);
  } else if (R[1][1] >= R[2][2]) {
    c = 0.5 * Math.sqrt(1 + R[1][1] - R[0][0] - R[2][2]);
    a = (R[0][2] - R[2][0]) / (4 * c);
    b = (R[0][1] + R[1][0]) / (4 * c);
    d = (R[1][2] + R[2][1]) / (4 * c);
  } else {
    d = 0.5 * Math.sqrt(1 + R[2][2] - R[0][0] - R[1][1]);
    a = (R[1][0] - R[0][1]) / (4 * d);
    b = (R[0][2] + R[2][0]) / (4 * d);
    c = (R[1][2] + R[2][1]) / (4 * d);
  }
  return a < 0 ? [-b, -c, -d] : [b, c, d];
}

/** Read a .nii or .nii.gz file into a Volume (LPS mm); typed errors name the file. */
export function readNifti(file: string): { volume: Volume; info: NiftiInfo } {
  if (!fs.existsSync(file)) throw new FileNotFoundError(file, "NIfTI file");
  return decodeNifti(new Uint8Array(fs.readFileSync(file)), file);
}

/** Write a Volume as NIfTI-1 atomically; gzip'd when the name ends in .gz. */
export function writeNifti(file: string, volume: Volume, options: { description?: string } = {}): void {
  writeFileAtomic(file, encodeNifti(volume, { ...options, gzip: /\.gz$/i.test(file) }));
}
