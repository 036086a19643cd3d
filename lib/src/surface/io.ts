import * as fs from "node:fs";
import * as path from "node:path";
import { FileNotFoundError, InvalidArgumentError, UnmaskError } from "../core/errors";
import { writeFileAtomic } from "../core/fs";
import type { Mesh } from "./types";

/** Mesh file formats by extension. */
export type MeshFormat = "ply" | "stl" | "obj";

/** Binary little-endian PLY: float x y z (and nx ny nz when the mesh has normals), int vertex lists. */
export function encodePly(mesh: Mesh): Uint8Array {
  const nv = mesh.positions.length / 3, nt = mesh.triangles.length / 3;
  const N = mesh.normals;
  const header =
    "ply\nformat binary_little_endian 1.0\ncomment written by unmask (LPS, mm)\n" +
    `element vertex ${nv}\nproperty float x\nproperty float y\nproperty float z\n` +
    (N ? "property float nx\nproperty float ny\nproperty float nz\n" : "") +
    `element face ${nt}\nproperty list uchar int vertex_indices\nend_header\n`;
  const head = Buffer.from(header, "ascii");
  const vBytes = nv * (N ? 24 : 12);
  const out = new Uint8Array(head.length + vBytes + nt * 13);
  out.set(head, 0);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let o = head.length;
  const P = mesh.positions;
  for (let v = 0; v < nv; v++) {
    dv.setFloat32(o, P[3 * v], true); dv.setFloat32(o + 4, P[3 * v + 1], true); dv.setFloat32(o + 8, P[3 * v + 2], true);
    o += 12;
    if (N) {
      dv.setFloat32(o, N[3 * v], true); dv.setFloat32(o + 4, N[3 * v + 1], true); dv.setFloat32(o + 8, N[3 * v + 2], true);
      o += 12;
    }
  }
  const T = mesh.triangles;
  for (let t = 0; t < nt; t++) {
    out[o] = 3;
    dv.setInt32(o + 1, T[3 * t], true); dv.setInt32(o + 5, T[3 * t + 1], true); dv.setInt32(o + 9, T[3 * t + 2], true);
    o += 13;
  }
  return out;
}

/** Binary STL: 80-byte header, triangle count, then per triangle its facet normal and three corners. */
export function encodeStl(mesh: Mesh): Uint8Array {
  const nt = mesh.triangles.length / 3;
  const out = new Uint8Array(84 + nt * 50);
  out.set(Buffer.from("binary STL written by unmask (LPS, mm)".padEnd(80, " "), "ascii"), 0);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  dv.setUint32(80, nt, true);
  const P = mesh.positions, T = mesh.triangles;
  let o = 84;
  for (let t = 0; t < nt; t++) {
    const a = T[3 * t] * 3, b = T[3 * t + 1] * 3, c = T[3 * t + 2] * 3;
    const ux = P[b] - P[a], uy = P[b + 1] - P[a + 1], uz = P[b + 2] - P[a + 2];
    const vx = P[c] - P[a], vy = P[c + 1] - P[a + 1], vz = P[c + 2] - P[a + 2];
    let nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    const l = Math.sqrt(nx * nx + ny * ny + nz * nz) || 1;
    nx /= l; ny /= l; nz /= l;
    dv.setFloat32(o, nx, true); dv.setFloat32(o + 4, ny, true); dv.setFloat32(o + 8, nz, true);
    o += 12;
    for (const p of [a, b, c]) {
      dv.setFloat32(o, P[p], true); dv.setFloat32(o + 4, P[p + 1], true); dv.setFloat32(o + 8, P[p + 2], true);
      o += 12;
    }
    dv.setUint16(o, 0, true);
    o += 2;
  }
  return out;
}

/** Wavefront OBJ text: `v` lines, `vn` lines when the mesh has normals, 1-based `f` lines. */
export function encodeObj(mesh: Mesh): Uint8Array {
  const parts: string[] = ["# written by unmask (LPS, mm)\n"];
  const P = mesh.positions, N = mesh.normals, T = mesh.triangles;
  const chunk: string[] = [];
  const flush = () => {
    parts.push(chunk.join(""));
    chunk.length = 0;
  };
  // Up to 9 significant digits: float32 positions round-trip exactly.
  const f = (x: number) => String(Math.fround(x) === 0 ? 0 : Number(x.toPrecision(9)));
  for (let o = 0; o < P.length; o += 3) {
    chunk.push(`v ${f(P[o])} ${f(P[o + 1])} ${f(P[o + 2])}\n`);
    if (chunk.length >= 65536) flush();
  }
  if (N) {
    for (let o = 0; o < N.length; o += 3) {
      chunk.push(`vn ${f(N[o])} ${f(N[o + 1])} ${f(N[o + 2])}\n`);
      if (chunk.length >= 65536) flush();
    }
  }
  for (let t = 0; t < T.length; t += 3) {
    const a = T[t] + 1, b = T[t + 1] + 1, c = T[t + 2] + 1;
    chunk.push(N ? `f ${a}//${a} ${b}//${b} ${c}//${c}\n` : `f ${a} ${b} ${c}\n`);
    if (chunk.length >= 65536) flush();
  }
  flush();
  return Buffer.from(parts.join(""), "utf8");
}

/** Decode a PLY (binary little-endian or ASCII; float/double vertices, triangle or polygon faces). */
export function decodePly(bytes: Uint8Array, name = "PLY data"): Mesh {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = buf.indexOf("end_header");
  if (buf.subarray(0, 3).toString("ascii") !== "ply" || end < 0) throw new UnmaskError("MESH_PARSE", `${name}: not a PLY file`, name);
  let bodyStart = end + "end_header".length;
  if (buf[bodyStart] === 13) bodyStart++;
  bodyStart++;
  const lines = buf.subarray(0, end).toString("ascii").split(/\r?\n/);
  const format = (lines.find((l) => l.startsWith("format ")) ?? "").split(/\s+/)[1];
  interface Elem { name: string; count: number; props: Array<{ name: string; type: string; list?: [string, string] }> }
  const elems: Elem[] = [];
  for (const l of lines) {
    const w = l.trim().split(/\s+/);
    if (w[0] === "element") elems.push({ name: w[1], count: Number(w[2]), props: [] });
    else if (w[0] === "property" && elems.length) {
      const e = elems[elems.length - 1];
      if (w[1] === "list") e.props.push({ name: w[4], type: w[3], list: [w[2], w[3]] });
      else e.props.push({ name: w[2], type: w[1] });
    }
  }
  const size: Record<string, number> = { char: 1, uchar: 1, int8: 1, uint8: 1, short: 2, ushort: 2, int16: 2, uint16: 2, int: 4, uint: 4, int32: 4, uint32: 4, float: 4, float32: 4, double: 8, float64: 8 };
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let o = bodyStart;
  const read = (type: string): number => {
    let v: number;
    switch (type) {
      case "char": case "int8": v = dv.getInt8(o); break;
      case "uchar": case "uint8": v = dv.getUint8(o); break;
      case "short": case "int16": v = dv.getInt16(o, true); break;
      case "ushort": case "uint16": v = dv.getUint16(o, true); break;
      case "int": case "int32": v = dv.getInt32(o, true); break;
      case "uint": case "uint32": v = dv.getUint32(o, true); break;
      case "float": case "float32": v = dv.getFloat32(o, true); break;
      case "double": case "float64": v = dv.getFloat64(o, true); break;
      default: throw new UnmaskError("MESH_PARSE", `${name}: unsupported PLY type ${type}`, name);
    }
    o += size[type];
    return v;
  };
  let tokens: string[] = [];
  let ti = 0;
  if (format === "ascii") tokens = buf.subarray(bodyStart).toString("ascii").trim().split(/\s+/);
  else if (format !== "binary_little_endian") throw new UnmaskError("MESH_PARSE", `${name}: unsupported PLY format ${format}`, name);
  const next = (type: string) => (format === "ascii" ? Number(tokens[ti++]) : read(type));
  let positions = new Float32Array(0), normals: Float32Array | undefined;
  const tris: number[] = [];
  for (const e of elems) {
    if (e.name === "vertex") {
      positions = new Float32Array(e.count * 3);
      const ix = e.props.findIndex((p) => p.name === "x");
      const inx = e.props.findIndex((p) => p.name === "nx");
      if (inx >= 0) normals = new Float32Array(e.count * 3);
      const vals = new Float64Array(e.props.length);
      for (let v = 0; v < e.count; v++) {
        for (let p = 0; p < e.props.length; p++) vals[p] = next(e.props[p].type);
        for (let d = 0; d < 3; d++) positions[3 * v + d] = vals[ix + d];
        if (normals) for (let d = 0; d < 3; d++) normals[3 * v + d] = vals[inx + d];
      }
    } else {
      for (let r = 0; r < e.count; r++) {
        for (const p of e.props) {
          if (p.list) {
            const n = next(p.list[0]);
            const poly: number[] = [];
            for (let q = 0; q < n; q++) poly.push(next(p.list[1]));
            if (e.name === "face" && /vertex_ind/.test(p.name)) {
              for (let q = 1; q + 1 < n; q++) tris.push(poly[0], poly[q], poly[q + 1]);
            }
          } else next(p.type);
        }
      }
    }
  }
  const mesh: Mesh = { positions, triangles: Uint32Array.from(tris) };
  if (normals) mesh.normals = normals;
  return mesh;
}

/** Decode a binary STL, welding corners with identical coordinates into shared vertices. */
export function decodeStl(bytes: Uint8Array, name = "STL data"): Mesh {
  if (bytes.length < 84) throw new UnmaskError("MESH_PARSE", `${name}: too short for a binary STL`, name);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nt = dv.getUint32(80, true);
  if (bytes.length < 84 + 50 * nt) throw new UnmaskError("MESH_PARSE", `${name}: header says ${nt} triangles but the file is ${bytes.length} bytes (ASCII STL is not supported)`, name);
  const index = new Map<string, number>();
  const pos: number[] = [];
  const tris = new Uint32Array(nt * 3);
  for (let t = 0; t < nt; t++) {
    for (let c = 0; c < 3; c++) {
      const o = 84 + 50 * t + 12 + 12 * c;
      const x = dv.getFloat32(o, true), y = dv.getFloat32(o + 4, true), z = dv.getFloat32(o + 8, true);
      const key = `${x},${y},${z}`;
      let v = index.get(key);
      if (v === undefined) {
        v = pos.length / 3;
        index.set(key, v);
        pos.push(x, y, z);
      }
      tris[3 * t + c] = v;
    }
  }
  return { positions: Float32Array.from(pos), triangles: tris };
}

/** Decode Wavefront OBJ text (v, vn, f with any of v, v/t, v//n, v/t/n; polygons fanned). */
export function decodeObj(bytes: Uint8Array, name = "OBJ data"): Mesh {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  const pos: number[] = [], nrm: number[] = [], tris: number[] = [];
  let vnIndex: number[] | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith("v ")) {
      const w = line.trim().split(/\s+/);
      pos.push(Number(w[1]), Number(w[2]), Number(w[3]));
    } else if (line.startsWith("vn ")) {
      const w = line.trim().split(/\s+/);
      nrm.push(Number(w[1]), Number(w[2]), Number(w[3]));
    } else if (line.startsWith("f ")) {
      const refs = line.trim().split(/\s+/).slice(1).map((r) => r.split("/"));
      const nv = pos.length / 3;
      const vi = refs.map((r) => {
        const i = Number(r[0]);
        return i < 0 ? nv + i : i - 1;
      });
      if (vi.some((i) => !(i >= 0 && i < nv))) throw new UnmaskError("MESH_PARSE", `${name}: face refers to a missing vertex: "${line}"`, name);
      if (refs[0][2]) {
        vnIndex ??= [];
        for (let q = 0; q < refs.length; q++) vnIndex[vi[q]] = Number(refs[q][2]) - 1;
      }
      for (let q = 1; q + 1 < vi.length; q++) tris.push(vi[0], vi[q], vi[q + 1]);
    }
  }
  const mesh: Mesh = { positions: Float32Array.from(pos), triangles: Uint32Array.from(tris) };
  if (vnIndex && nrm.length) {
    const vn: number[] = vnIndex;
    const normals = new Float32Array(pos.length);
    for (let v = 0; v < pos.length / 3; v++) {
      const n = vn[v];
      if (n !== undefined) for (let d = 0; d < 3; d++) normals[3 * v + d] = nrm[3 * n + d];
    }
    mesh.normals = normals;
  }
  return mesh;
}

/** The mesh format named by a file's extension (.ply, .stl, .obj); anything else is an error. */
export function meshFormatOf(file: string): MeshFormat {
  const ext = path.extname(file).toLowerCase().slice(1);
  if (ext === "ply" || ext === "stl" || ext === "obj") return ext;
  throw new InvalidArgumentError(`${file}: unknown mesh format "${path.extname(file)}" (use .ply, .stl or .obj)`);
}

function checkFormat(format: unknown, where: string): MeshFormat {
  if (format === "ply" || format === "stl" || format === "obj") return format;
  throw new InvalidArgumentError(`${where}: unknown mesh format "${String(format)}" (use "ply", "stl" or "obj")`);
}

/** Options of encodeMesh / decodeMesh. */
export interface MeshBytesOptions {
  /** "ply" (binary little-endian), "stl" (binary) or "obj" (text). */
  format: MeshFormat;
  /** Name used in error messages (decodeMesh). */
  name?: string;
}

/** Options of writeMesh / readMesh. */
export interface MeshFileOptions {
  /** The file format; by default the one its extension names (.ply, .stl, .obj). */
  format?: MeshFormat;
}

/** Encode a mesh as PLY (binary little-endian), STL (binary) or OBJ (text) bytes. */
export function encodeMesh(mesh: Mesh, options: MeshBytesOptions): Uint8Array {
  const format = checkFormat(options?.format, "encodeMesh");
  return format === "ply" ? encodePly(mesh) : format === "stl" ? encodeStl(mesh) : encodeObj(mesh);
}

/** Decode PLY (binary little-endian or ASCII), binary STL or OBJ bytes into a mesh. */
export function decodeMesh(bytes: Uint8Array, options: MeshBytesOptions): Mesh {
  const format = checkFormat(options?.format, "decodeMesh");
  const name = options.name ?? `${format.toUpperCase()} data`;
  return format === "ply" ? decodePly(bytes, name) : format === "stl" ? decodeStl(bytes, name) : decodeObj(bytes, name);
}

/** Write a mesh atomically, in the format its extension names (.ply, .stl, .obj) unless `format` is given. */
export function writeMesh(file: string, mesh: Mesh, options: MeshFileOptions = {}): void {
  const format = options.format !== undefined ? checkFormat(options.format, "writeMesh") : meshFormatOf(file);
  writeFileAtomic(file, encodeMesh(mesh, { format }));
}

/** Read a .ply, .stl or .obj file (the format its extension names unless `format` is given). */
export function readMesh(file: string, options: MeshFileOptions = {}): Mesh {
  const format = options.format !== undefined ? checkFormat(options.format, "readMesh") : meshFormatOf(file);
  if (!fs.existsSync(file)) throw new FileNotFoundError(file, "mesh file");
  return decodeMesh(fs.readFileSync(file), { format, name: file });
}
