/**
 * Marching cubes case tables, generated at load time from one rule so that they are consistent by
 * construction (no hand-typed 256-row table to get wrong).
 *
 * Cube corners: corner c = dx + 2·dy + 4·dz. A corner is "inside" when its value > level.
 * Edges: 0–3 run along x at (dy,dz) = (0,0),(1,0),(0,1),(1,1); 4–7 along y at (dx,dz) = (0,0),(1,0),
 * (0,1),(1,1); 8–11 along z at (dx,dy) = (0,0),(1,0),(0,1),(1,1).
 *
 * Rule: on every cube face, the surface's boundary segments separate the inside corners; on an
 * ambiguous face (two diagonal inside corners) each inside corner is cut off on its own by default
 * (MC_TABLES), or the two are joined through the face (ambiguousTriangles with that face's bit set,
 * chosen per cube by the asymptotic decider from the face's four values, as Lewiner's method does).
 * Either way the choice depends only on the face's four corners, so the two cubes sharing a face
 * always draw the same segments: closed surfaces come out watertight. Each closed loop of segments is
 * fanned into triangles, wound counter-clockwise seen from outside (from the lower values).
 */

/** Corner pair (a, b) of each edge, a < b. */
export const EDGE_CORNERS: ReadonlyArray<readonly [number, number]> = [
  [0, 1], [2, 3], [4, 5], [6, 7],
  [0, 2], [1, 3], [4, 6], [5, 7],
  [0, 4], [1, 5], [2, 6], [3, 7],
];

/** Faces: outward normal and the four corners in cyclic order. */
export const FACES: ReadonlyArray<{ n: [number, number, number]; c: [number, number, number, number] }> = [
  { n: [-1, 0, 0], c: [0, 2, 6, 4] },
  { n: [1, 0, 0], c: [1, 3, 7, 5] },
  { n: [0, -1, 0], c: [0, 1, 5, 4] },
  { n: [0, 1, 0], c: [2, 3, 7, 6] },
  { n: [0, 0, -1], c: [0, 1, 3, 2] },
  { n: [0, 0, 1], c: [4, 5, 7, 6] },
];

function cornerPos(c: number): [number, number, number] {
  return [c & 1, (c >> 1) & 1, (c >> 2) & 1];
}

function edgeOf(a: number, b: number): number {
  const lo = Math.min(a, b), hi = Math.max(a, b);
  const e = EDGE_CORNERS.findIndex(([p, q]) => p === lo && q === hi);
  if (e < 0) throw new Error(`no cube edge between corners ${a} and ${b}`);
  return e;
}

function edgeMid(e: number): [number, number, number] {
  const [a, b] = EDGE_CORNERS[e];
  const p = cornerPos(a), q = cornerPos(b);
  return [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2, (p[2] + q[2]) / 2];
}

/**
 * Triangles (as edge triples) for one configuration; bit f of `join` joins the inside corners of
 * face f when it is ambiguous (otherwise they are cut off separately).
 */
function trianglesFor(config: number, join = 0): number[] {
  const inside = (c: number) => ((config >> c) & 1) === 1;
  const segments: Array<[number, number]> = [];
  for (const face of FACES) {
    const c = face.c;
    const ins = c.map(inside);
    const count = ins.filter(Boolean).length;
    if (count === 0 || count === 4) continue;
    // Pairs of crossing edges to join, each with an inside corner that must lie to the segment's right.
    const pairs: Array<[number, number, number]> = [];
    const diagonal = count === 2 && ins[0] === ins[2];
    if (diagonal && (join >> FACES.indexOf(face)) & 1) {
      // Joined: cut off the two outside corners; the face centre (-1) is inside.
      for (let m = 0; m < 4; m++) {
        if (ins[m]) continue;
        pairs.push([edgeOf(c[m], c[(m + 3) % 4]), edgeOf(c[m], c[(m + 1) % 4]), -1]);
      }
    } else if (diagonal) {
      for (let m = 0; m < 4; m++) {
        if (!ins[m]) continue;
        pairs.push([edgeOf(c[m], c[(m + 3) % 4]), edgeOf(c[m], c[(m + 1) % 4]), c[m]]);
      }
    } else {
      const crossing: number[] = [];
      for (let m = 0; m < 4; m++) if (ins[m] !== ins[(m + 1) % 4]) crossing.push(edgeOf(c[m], c[(m + 1) % 4]));
      pairs.push([crossing[0], crossing[1], c[ins.indexOf(true)]]);
    }
    for (const [e0, e1, ref] of pairs) {
      const a = edgeMid(e0), b = edgeMid(e1);
      const p = ref >= 0 ? cornerPos(ref) : [0, 1, 2].map((d) => c.reduce((acc, q) => acc + cornerPos(q)[d], 0) / 4);
      const d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
      const r = [p[0] - a[0], p[1] - a[1], p[2] - a[2]];
      const cross = [d[1] * r[2] - d[2] * r[1], d[2] * r[0] - d[0] * r[2], d[0] * r[1] - d[1] * r[0]];
      const s = face.n[0] * cross[0] + face.n[1] * cross[1] + face.n[2] * cross[2];
      // Inside on the right, seen from outside the cube.
      segments.push(s < 0 ? [e0, e1] : [e1, e0]);
    }
  }
  const next = new Map<number, number>();
  for (const [a, b] of segments) {
    if (next.has(a)) throw new Error(`marching cubes table: edge ${a} starts two segments (config ${config})`);
    next.set(a, b);
  }
  const tris: number[] = [];
  const used = new Set<number>();
  for (const [start] of segments) {
    if (used.has(start)) continue;
    const loop: number[] = [];
    let e = start;
    while (!used.has(e)) {
      used.add(e);
      loop.push(e);
      const n = next.get(e);
      if (n === undefined) throw new Error(`marching cubes table: open loop (config ${config})`);
      e = n;
    }
    if (e !== start) throw new Error(`marching cubes table: loop does not close (config ${config})`);
    for (let m = 1; m + 1 < loop.length; m++) tris.push(loop[0], loop[m], loop[m + 1]);
  }
  return tris;
}

/** The generated tables: per configuration, the crossed-edge mask and the triangle edge list. */
export interface McTables {
  /** Bit e set when edge e is crossed. */
  edgeMask: Uint16Array;
  /** Triangles of configuration c are triEdges[triStart[c] .. triStart[c + 1]), three edges each. */
  triStart: Uint16Array;
  triEdges: Uint8Array;
}

function buildTables(): McTables {
  const edgeMask = new Uint16Array(256);
  const triStart = new Uint16Array(257);
  const all: number[] = [];
  for (let config = 0; config < 256; config++) {
    let mask = 0;
    for (let e = 0; e < 12; e++) {
      const [a, b] = EDGE_CORNERS[e];
      if (((config >> a) & 1) !== ((config >> b) & 1)) mask |= 1 << e;
    }
    edgeMask[config] = mask;
    triStart[config] = all.length;
    all.push(...trianglesFor(config));
  }
  triStart[256] = all.length;
  return { edgeMask, triStart, triEdges: Uint8Array.from(all) };
}

/** The tables (built once per process, ~1 ms). */
export const MC_TABLES: McTables = buildTables();

/** Bit f set when face f of the configuration is ambiguous (its two inside corners are diagonal). */
export const AMBIGUOUS_FACES: Uint8Array = (() => {
  const out = new Uint8Array(256);
  for (let config = 0; config < 256; config++) {
    FACES.forEach((face, f) => {
      const ins = face.c.map((c) => (config >> c) & 1);
      if (ins[0] === ins[2] && ins[1] === ins[3] && ins[0] !== ins[1]) out[config] |= 1 << f;
    });
  }
  return out;
})();

const ambiguousCache: Array<Uint8Array | undefined> = new Array(256 * 64);

/** Triangle edge triples for a configuration with the ambiguous faces in `join` joined (cached). */
export function ambiguousTriangles(config: number, join: number): Uint8Array {
  const key = config * 64 + join;
  let t = ambiguousCache[key];
  if (!t) ambiguousCache[key] = t = Uint8Array.from(trianglesFor(config, join));
  return t;
}
