/**
 * A content-addressed on-disk cache for the scan-to-face pipeline: one folder per stage, one file
 * per key (the SHA-256 of the stage's inputs and options), written atomically so that an
 * interrupted run never leaves a half-written entry. Moving or deleting the folder is safe.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic } from "../core/fs";

/** The stages of the scan-to-face pipeline, in order. */
export const STAGES = ["load", "surface", "render", "detect", "align", "encode"] as const;
/** One pipeline stage. */
export type Stage = (typeof STAGES)[number];
/** Cache hits (taken from disk) and misses (computed) per stage. */
export type StageCounts = Record<Stage, { hits: number; misses: number }>;

/** The default per-user cache folder: $UNMASK_CACHE, else $XDG_CACHE_HOME/unmask, else ~/.cache/unmask. */
export function defaultCacheDir(): string {
  if (process.env.UNMASK_CACHE) return path.resolve(process.env.UNMASK_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "unmask");
}

/** Canonical JSON (sorted keys, undefined dropped) so that equal options give equal keys. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
}

/** SHA-256 (hex) of strings and byte arrays, each length-prefixed so that concatenations cannot collide. */
export function sha256(...parts: (string | Uint8Array)[]): string {
  const h = crypto.createHash("sha256");
  for (const p of parts) {
    const b = typeof p === "string" ? Buffer.from(p, "utf8") : p;
    h.update(String(b.length) + ":");
    h.update(b);
  }
  return h.digest("hex");
}

const contentMemo = new Map<string, { stamp: string; hash: string }>();

/**
 * Content hash of a file, or of a folder's files (names relative to it and their bytes, sorted).
 * Memoised per process on path + size + mtime only to avoid re-reading in one run; the key itself is the bytes' hash.
 */
export function contentHash(target: string): string {
  const abs = path.resolve(target);
  const files: string[] = [];
  const st = fs.statSync(abs);
  if (st.isDirectory()) {
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) files.push(p);
      }
    };
    walk(abs);
  } else files.push(abs);
  const stamp = files.map((f) => { const s = fs.statSync(f); return `${f}:${s.size}:${s.mtimeMs}`; }).join("|");
  const memo = contentMemo.get(abs);
  if (memo && memo.stamp === stamp) return memo.hash;
  const h = crypto.createHash("sha256");
  for (const f of files) {
    h.update(path.relative(abs, f) + "\0");
    h.update(crypto.createHash("sha256").update(fs.readFileSync(f)).digest());
  }
  const hash = h.digest("hex");
  contentMemo.set(abs, { stamp, hash });
  return hash;
}

/**
 * The on-disk store: `DIR/<stage>/<key>.<ext>`, with hit/miss counts per stage. `null`: nothing on
 * disk; values are kept in memory for the life of the instance (one CLI command), so a stage
 * asked for twice is computed once.
 */
export class StageCache {
  /** Absolute cache folder, or null when nothing is stored. */
  readonly dir: string | null;
  /** Hits and misses per stage since creation (or `resetCounts`). */
  readonly counts: StageCounts;
  private readonly memory = new Map<string, unknown>();
  constructor(dir: string | null = defaultCacheDir()) {
    this.dir = dir === null ? null : path.resolve(dir);
    this.counts = Object.fromEntries(STAGES.map((s) => [s, { hits: 0, misses: 0 }])) as StageCounts;
  }

  /** Zero every counter. */
  resetCounts(): void {
    for (const s of STAGES) this.counts[s] = { hits: 0, misses: 0 };
  }

  /** A copy of the counters. */
  snapshot(): StageCounts {
    return Object.fromEntries(STAGES.map((s) => [s, { ...this.counts[s] }])) as StageCounts;
  }

  private file(stage: Stage, key: string, ext: string): string {
    return path.join(this.dir ?? "", stage, `${key}.${ext}`);
  }

  /** The cached bytes, or undefined. Does not count. */
  read(stage: Stage, key: string, ext: string): Buffer | undefined {
    if (this.dir === null) return undefined;
    try {
      return fs.readFileSync(this.file(stage, key, ext));
    } catch {
      return undefined;
    }
  }

  /** Store bytes atomically. */
  write(stage: Stage, key: string, ext: string, data: Uint8Array | string): void {
    if (this.dir === null) return;
    writeFileAtomic(this.file(stage, key, ext), data);
  }

  /**
   * The value under `key`: decoded from disk (a hit) or computed, stored and returned (a miss).
   * A corrupt entry is recomputed, not trusted.
   */
  async get<T>(stage: Stage, key: string, ext: string, codec: { encode(v: T): Uint8Array | string | Promise<Uint8Array | string>; decode(b: Buffer): T | Promise<T> }, compute: () => Promise<T>): Promise<T> {
    if (this.dir === null && this.memory.has(`${stage}/${key}`)) {
      this.counts[stage].hits++;
      return this.memory.get(`${stage}/${key}`) as T;
    }
    const bytes = this.read(stage, key, ext);
    if (bytes) {
      try {
        const v = await codec.decode(bytes);
        this.counts[stage].hits++;
        return v;
      } catch {
        // fall through: recompute a damaged entry
      }
    }
    const v = await compute();
    if (this.dir !== null) this.write(stage, key, ext, await codec.encode(v));
    else this.memory.set(`${stage}/${key}`, v);
    this.counts[stage].misses++;
    return v;
  }
}

/** JSON codec for cache entries. */
export const jsonCodec = {
  encode: (v: unknown) => JSON.stringify(v),
  decode: (b: Buffer) => JSON.parse(b.toString("utf8")),
};

/** Pack a JSON header and typed arrays into one buffer: [u32 header length][header][arrays, 8-byte aligned]. */
export function packArrays(header: Record<string, unknown>, arrays: Record<string, Float32Array | Uint32Array | Uint8ClampedArray>): Buffer {
  const layout: Record<string, { type: string; offset: number; length: number }> = {};
  let offset = 0;
  for (const [k, a] of Object.entries(arrays)) {
    layout[k] = { type: a.constructor.name, offset, length: a.length };
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const head = Buffer.from(JSON.stringify({ header, layout }), "utf8");
  const start = Math.ceil((4 + head.length) / 8) * 8;
  const out = Buffer.alloc(start + offset);
  out.writeUInt32LE(head.length, 0);
  head.copy(out, 4);
  for (const [k, a] of Object.entries(arrays)) Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, start + layout[k].offset);
  return out;
}

/** Inverse of `packArrays` (copies, so the result owns its memory). */
export function unpackArrays(buf: Buffer): { header: Record<string, unknown>; arrays: Record<string, Float32Array | Uint32Array | Uint8ClampedArray> } {
  const n = buf.readUInt32LE(0);
  const { header, layout } = JSON.parse(buf.subarray(4, 4 + n).toString("utf8"));
  const start = Math.ceil((4 + n) / 8) * 8;
  const arrays: Record<string, Float32Array | Uint32Array | Uint8ClampedArray> = {};
  const ctors = { Float32Array, Uint32Array, Uint8ClampedArray } as const;
  for (const [k, l] of Object.entries(layout as Record<string, { type: keyof typeof ctors; offset: number; length: number }>)) {
    const C = ctors[l.type];
    if (!C) throw new Error(`cache entry: unknown array type ${l.type}`);
    const bytes = l.length * C.BYTES_PER_ELEMENT;
    if (start + l.offset + bytes > buf.length) throw new Error("cache entry truncated");
    const copy = new ArrayBuffer(bytes);
    new Uint8Array(copy).set(buf.subarray(start + l.offset, start + l.offset + bytes));
    arrays[k] = new C(copy);
  }
  return { header, arrays };
}
