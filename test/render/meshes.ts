import type { Mesh, Vec3 } from "unmask";

/** A UV sphere: `segments` around the equator, `rings` from pole to pole; counter-clockwise from outside. */
export function uvSphere(radius: number, center: Vec3 = [0, 0, 0], segments = 128, rings = 64): Mesh {
  const nv = (rings + 1) * segments;
  const positions = new Float32Array(nv * 3);
  let p = 0;
  for (let i = 0; i <= rings; i++) {
    const th = (Math.PI * i) / rings;
    for (let j = 0; j < segments; j++) {
      const ph = (2 * Math.PI * j) / segments;
      positions[p++] = center[0] + radius * Math.sin(th) * Math.cos(ph);
      positions[p++] = center[1] + radius * Math.sin(th) * Math.sin(ph);
      positions[p++] = center[2] + radius * Math.cos(th);
    }
  }
  const triangles = new Uint32Array(rings * segments * 6);
  let t = 0;
  for (let i = 0; i < rings; i++) {
    for (let j = 0; j < segments; j++) {
      const a = i * segments + j, b = i * segments + ((j + 1) % segments);
      const c = (i + 1) * segments + j, d = (i + 1) * segments + ((j + 1) % segments);
      triangles[t++] = a; triangles[t++] = c; triangles[t++] = b;
      triangles[t++] = b; triangles[t++] = c; triangles[t++] = d;
    }
  }
  return { positions, triangles };
}

/** Concatenate meshes into one. */
export function mergeMeshes(meshes: Mesh[]): Mesh {
  const nv = meshes.reduce((s, m) => s + m.positions.length, 0);
  const nt = meshes.reduce((s, m) => s + m.triangles.length, 0);
  const positions = new Float32Array(nv);
  const triangles = new Uint32Array(nt);
  let pv = 0, pt = 0;
  for (const m of meshes) {
    positions.set(m.positions, pv);
    const base = pv / 3;
    for (let q = 0; q < m.triangles.length; q++) triangles[pt + q] = m.triangles[q] + base;
    pv += m.positions.length;
    pt += m.triangles.length;
  }
  return { positions, triangles };
}

/**
 * An asymmetric "head": a 50 mm ball at the origin with a nose (anterior, −y), a left ear
 * (patient left, +x) and a crown bump (superior, +z), each a 10 mm ball (MARKER_RADIUS); the
 * marker points returned are the centres of those balls.
 */
export const MARKER_RADIUS = 10;

export function markerHead(): { mesh: Mesh; nose: Vec3; leftEar: Vec3; crown: Vec3 } {
  const mesh = mergeMeshes([
    uvSphere(50, [0, 0, 0], 96, 48),
    uvSphere(10, [0, -55, 0], 32, 16),
    uvSphere(10, [55, 0, 10], 32, 16),
    uvSphere(10, [0, 0, 55], 32, 16),
  ]);
  return { mesh, nose: [0, -55, 0], leftEar: [55, 0, 10], crown: [0, 0, 55] };
}

/** Count pixels whose RGB differs from the background colour. */
export function coveredPixels(data: Uint8ClampedArray, bg: [number, number, number] = [0, 0, 0]): number {
  let n = 0;
  for (let q = 0; q < data.length; q += 4) {
    if (data[q] !== bg[0] || data[q + 1] !== bg[1] || data[q + 2] !== bg[2]) n++;
  }
  return n;
}
