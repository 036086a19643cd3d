import { CLASSIFY_WASM_BASE64 } from "./classify-wasm";

interface ClassifyModule {
  memory: WebAssembly.Memory;
  classify: (src: number, nx: number, ny: number, level: number, dst: number, W: number) => void;
}

// One instance per thread (module state is per isolate); null when WebAssembly SIMD is unavailable.
let wasm: ClassifyModule | null | undefined;

function instance(): ClassifyModule | null {
  if (wasm === undefined) {
    try {
      const mod = new WebAssembly.Module(Buffer.from(CLASSIFY_WASM_BASE64, "base64"));
      const exp = new WebAssembly.Instance(mod, {}).exports as unknown as ClassifyModule;
      wasm = { memory: exp.memory, classify: exp.classify };
    } catch {
      wasm = null;
    }
  }
  return wasm;
}

/** The float32 threshold t with (v > t) ⇔ (v > level) for every float32 v. */
export function float32Threshold(level: number): number {
  const f = Math.fround(level);
  if (f <= level || !Number.isFinite(f)) return f;
  // Rounded up: step down one float32 (towards −∞).
  const b = new Float32Array([f]);
  const i = new Int32Array(b.buffer);
  if (f > 0) i[0] -= 1;
  else if (f === 0) i[0] = 0x80000001 | 0; // the smallest negative subnormal
  else i[0] += 1;
  return b[0];
}

/**
 * One bit per voxel of a slice (value > level), 32 voxels a word, rows padded to W = ⌈nx / 32⌉ words:
 * bit b of bits[j·W + w] is voxel (32 w + b, j) of the slice starting at data[base]. WebAssembly SIMD
 * (four compares an instruction) with a plain loop as fallback.
 */
export function classifySlice(data: Float32Array, base: number, nx: number, ny: number, level: number, bits: Int32Array, useWasm = true): void {
  const W = (nx + 31) >>> 5;
  const w = useWasm ? instance() : null;
  if (w) {
    const sxy = nx * ny;
    const need = 4 * sxy + 4 * ny * W;
    const have = w.memory.buffer.byteLength;
    if (have < need) w.memory.grow(Math.ceil((need - have) / 65536));
    const buf = w.memory.buffer;
    new Float32Array(buf, 0, sxy).set(data.subarray(base, base + sxy));
    w.classify(0, nx, ny, float32Threshold(level), 4 * sxy, W);
    bits.set(new Int32Array(buf, 4 * sxy, ny * W));
    return;
  }
  for (let j = 0; j < ny; j++) {
    const row = base + j * nx;
    for (let k = 0; k < W; k++) {
      const p = row + 32 * k;
      const n = Math.min(32, nx - 32 * k);
      let word = 0;
      for (let b = 0; b < n; b++) if (data[p + b] > level) word |= 1 << b;
      bits[j * W + k] = word;
    }
  }
}
