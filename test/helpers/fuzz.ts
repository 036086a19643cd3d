import * as fs from "node:fs";
import * as path from "node:path";
import * as dicomParser from "dicom-parser";
import { seededRandom } from "unmask/core";

/** The fuzz cases' seeded PRNG: the library's own (mulberry32). */
export const prng = seededRandom;

// Deterministic damage of real DICOM files for the fuzz suite (test/dicom/fuzz.test.ts): a seeded PRNG
// picks what to cut, flip, lengthen, re-type or remove; every case is a new file, inputs are never touched.


export type Family = "truncate" | "bit-flip" | "length-field" | "vr-change" | "remove-attribute" | "random-body" | "series-first" | "series-middle" | "series-last";

/** One mutated file (and, for the series families, the folder it sits in). */
export interface FuzzCase {
  id: number;
  family: Family;
  /** What was done, for messages. */
  detail: string;
  file: string;
  /** For series cases: the folder to load (the damaged file among undamaged copies). */
  seriesDir?: string;
}

const LONG_VR = new Set(["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"]);

/** A top-level element's place in the file. */
export interface ElementPlace {
  tag: string;
  headerStart: number;
  lengthOffset: number;
  lengthBytes: 2 | 4;
  vrOffset: number | null;
  valueStart: number;
  length: number;
}

/** The elements of an explicit-VR-LE Part 10 file (meta group and dataset), in file order. */
export function elementPlaces(bytes: Buffer): ElementPlace[] {
  const ds = dicomParser.parseDicom(bytes);
  const out: ElementPlace[] = [];
  for (const el of Object.values(ds.elements)) {
    // Long form: tag, VR, 2 reserved bytes, 4-byte length; short form: tag, VR, 2-byte length.
    const long = el.dataOffset >= 12 && LONG_VR.has(bytes.toString("latin1", el.dataOffset - 8, el.dataOffset - 6)) && bytes.readUInt16LE(el.dataOffset - 6) === 0;
    const headerStart = el.dataOffset - (long ? 12 : 8);
    out.push({
      tag: el.tag,
      headerStart,
      lengthOffset: long ? el.dataOffset - 4 : el.dataOffset - 2,
      lengthBytes: long ? 4 : 2,
      vrOffset: headerStart + 4,
      valueStart: el.dataOffset,
      // dicom-parser measures undefined-length elements (sequences, encapsulated pixels) for us.
      length: el.length,
    });
  }
  return out.sort((a, b) => a.headerStart - b.headerStart);
}

const VRS = ["OB", "OW", "SQ", "UN", "US", "UL", "SS", "SL", "DS", "IS", "CS", "UI", "LO", "FD", "FL", "AT", "XX", "\0\0", "ob"];
/** Attributes whose loss matters most (sizes, pixel format, geometry, the pixels themselves). */
const CRITICAL = ["x00280010", "x00280011", "x00280100", "x00280101", "x00280103", "x00280002", "x00280004", "x7fe00010", "x00020010", "x00200032", "x00200037", "x00280030", "x00281053", "x00281052", "x00080060", "x0020000e"];

/** Mutations of one source file; `pick` returns the bytes of the damaged copy and a description. */
export class Mutator {
  readonly places: ElementPlace[];
  readonly metaEnd: number;
  readonly pixel: ElementPlace;
  constructor(readonly bytes: Buffer, readonly rand: () => number) {
    this.places = elementPlaces(bytes);
    this.metaEnd = Math.max(...this.places.filter((p) => p.tag.startsWith("x0002")).map((p) => p.valueStart + p.length));
    this.pixel = this.places.find((p) => p.tag === "x7fe00010")!;
  }
  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo));
  }
  private choose<T>(xs: T[]): T {
    return xs[Math.floor(this.rand() * xs.length)];
  }
  /** Regions of the file, each cut in: preamble, DICM prefix, meta group, dataset header, pixel element header, pixel data. */
  truncate(region?: number): [Buffer, string] {
    const b = this.bytes;
    const regions: [string, number, number][] = [
      ["preamble", 0, 128], ["DICM prefix", 128, 132], ["meta group", 132, this.metaEnd], ["dataset header", this.metaEnd, this.pixel.headerStart],
      ["pixel element header", this.pixel.headerStart, this.pixel.valueStart], ["pixel data", this.pixel.valueStart, b.length],
    ];
    const [name, lo, hi] = regions[region ?? this.int(0, regions.length)];
    const at = this.int(lo, hi);
    return [b.subarray(0, at), `cut at byte ${at} (${name})`];
  }
  bitFlip(): [Buffer, string] {
    const out = Buffer.from(this.bytes);
    const n = this.int(1, 4);
    const at: number[] = [];
    for (let k = 0; k < n; k++) {
      const pos = this.int(128, this.pixel.valueStart);
      out[pos] ^= 1 << this.int(0, 8);
      at.push(pos);
    }
    return [out, `bits flipped at bytes ${at.join(", ")}`];
  }
  lengthField(): [Buffer, string] {
    const out = Buffer.from(this.bytes);
    const p = this.rand() < 0.25 ? this.pixel : this.rand() < 0.5 ? this.places.find((q) => q.tag === this.choose(CRITICAL)) ?? this.choose(this.places) : this.choose(this.places);
    const max = p.lengthBytes === 2 ? 0xffff : 0xffffffff;
    const choices = [max, max - 1, p.length + 1, Math.max(0, p.length - 1), p.length + 2, 1, 0, p.lengthBytes === 2 ? 0x7fff : 0x7fffffff, this.int(0, max), this.bytes.length, p.length * 2 + 1];
    const v = Math.min(max, this.choose(choices));
    if (p.lengthBytes === 2) out.writeUInt16LE(v, p.lengthOffset);
    else out.writeUInt32LE(v >>> 0, p.lengthOffset);
    return [out, `length of ${p.tag} set to ${v} (was ${p.length})`];
  }
  vrChange(): [Buffer, string] {
    const out = Buffer.from(this.bytes);
    const p = this.rand() < 0.5 ? this.places.find((q) => q.tag === this.choose(CRITICAL)) ?? this.choose(this.places) : this.choose(this.places);
    const vr = this.choose(VRS);
    out.write(vr, p.vrOffset!, 2, "latin1");
    return [out, `VR of ${p.tag} set to ${JSON.stringify(vr)}`];
  }
  removeAttribute(): [Buffer, string] {
    const candidates = this.places.filter((p) => p.tag !== "x00020000" && !p.tag.startsWith("x0002") || this.rand() < 0.3);
    const p = this.rand() < 0.6 ? this.places.find((q) => q.tag === this.choose(CRITICAL)) ?? this.choose(candidates) : this.choose(candidates);
    const end = p.length === 0xffffffff ? this.bytes.length : p.valueStart + p.length;
    return [Buffer.concat([this.bytes.subarray(0, p.headerStart), this.bytes.subarray(end)]), `${p.tag} removed`];
  }
  randomBody(): [Buffer, string] {
    const kind = this.int(0, 4);
    const random = (n: number) => {
      const b = Buffer.alloc(n);
      for (let k = 0; k < n; k++) b[k] = this.int(0, 256);
      return b;
    };
    if (kind === 0) {
      const n = this.int(0, 70000);
      return [random(n), `${n} random bytes`];
    }
    if (kind === 1) {
      const n = this.int(0, 70000);
      return [Buffer.concat([Buffer.alloc(128), Buffer.from("DICM", "latin1"), random(n)]), `preamble, DICM and ${n} random bytes`];
    }
    if (kind === 2) {
      // Random pixel values in a valid file: a reader must give exactly those values.
      const out = Buffer.from(this.bytes);
      random(this.pixel.length).copy(out, this.pixel.valueStart);
      return [out, "random pixel values"];
    }
    const out = Buffer.from(this.bytes);
    const at = this.int(132, this.pixel.valueStart), n = this.int(1, 64);
    random(n).copy(out, at);
    return [out, `${n} random bytes written over the header at byte ${at}`];
  }
  /** A mutation from any single-file family, for the series cases. */
  any(): [Buffer, string] {
    const f = this.int(0, 5);
    return f === 0 ? this.truncate(this.int(2, 6)) : f === 1 ? this.bitFlip() : f === 2 ? this.lengthField() : f === 3 ? this.removeAttribute() : this.randomBody();
  }
}

/** Write the fuzz corpus under `dir`: `perFamily` single-file cases per family over `sources`, plus series cases. */
export function buildCorpus(dir: string, sources: string[], series: string[], perFamily: number, perSeriesPosition: number, seed = 11): FuzzCase[] {
  const rand = prng(seed);
  const mutators = sources.map((s) => new Mutator(fs.readFileSync(s), rand));
  const cases: FuzzCase[] = [];
  const add = (family: Family, [bytes, detail]: [Buffer, string], folder = dir, seriesDir?: string, name?: string) => {
    const id = cases.length;
    const file = path.join(folder, name ?? `case-${String(id).padStart(5, "0")}.dcm`);
    fs.writeFileSync(file, bytes);
    cases.push({ id, family, detail, file, seriesDir });
  };
  const families: [Family, (m: Mutator, k: number) => [Buffer, string]][] = [
    ["truncate", (m, k) => m.truncate(k % 6)],
    ["bit-flip", (m) => m.bitFlip()],
    ["length-field", (m) => m.lengthField()],
    ["vr-change", (m) => m.vrChange()],
    ["remove-attribute", (m) => m.removeAttribute()],
    ["random-body", (m) => m.randomBody()],
  ];
  for (const [family, make] of families) {
    for (let k = 0; k < perFamily; k++) add(family, make(mutators[k % mutators.length], k));
  }
  // Series: a short CT run with its first, a middle or its last slice damaged (the others hard links to copies).
  const base = path.join(dir, "series-base");
  fs.mkdirSync(base);
  series.forEach((f, n) => fs.copyFileSync(f, path.join(base, `IM${String(n + 1).padStart(4, "0")}.dcm`)));
  const positions: [Family, number][] = [["series-first", 0], ["series-middle", Math.floor(series.length / 2)], ["series-last", series.length - 1]];
  for (const [family, at] of positions) {
    const m = new Mutator(fs.readFileSync(series[at]), rand);
    for (let k = 0; k < perSeriesPosition; k++) {
      const folder = path.join(dir, `series-${cases.length}`);
      fs.mkdirSync(folder);
      series.forEach((_, n) => {
        if (n !== at) fs.linkSync(path.join(base, `IM${String(n + 1).padStart(4, "0")}.dcm`), path.join(folder, `IM${String(n + 1).padStart(4, "0")}.dcm`));
      });
      add(family, k === 0 ? m.truncate(3) : k === 1 ? m.truncate(5) : m.any(), folder, folder, `IM${String(at + 1).padStart(4, "0")}.dcm`);
    }
  }
  return cases;
}
