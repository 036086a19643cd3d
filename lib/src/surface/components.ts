import { InvalidArgumentError } from "../core/errors";
import type { Mesh } from "./types";

/** Connected components of a mesh (triangles joined through shared vertices), largest first. */
export interface MeshComponents {
  count: number;
  /** Component of each vertex (0 = most triangles); -1 for a vertex no triangle uses. */
  vertexLabels: Int32Array;
  /** Component of each triangle. */
  triangleLabels: Int32Array;
  /** Triangles per component, descending. */
  triangleCounts: number[];
}

/** Label the connected components (union–find over the triangles' vertices). */
export function connectedComponents(mesh: Mesh): MeshComponents {
  const T = mesh.triangles;
  const nv = mesh.positions.length / 3;
  const parent = new Int32Array(nv);
  for (let v = 0; v < nv; v++) parent[v] = v;
  const find = (v: number): number => {
    while (parent[v] !== v) {
      parent[v] = parent[parent[v]];
      v = parent[v];
    }
    return v;
  };
  const union = (a: number, b: number) => {
    a = find(a);
    b = find(b);
    if (a !== b) {
      if (a < b) parent[b] = a;
      else parent[a] = b;
    }
  };
  for (let t = 0; t < T.length; t += 3) {
    union(T[t], T[t + 1]);
    union(T[t], T[t + 2]);
  }
  const rootTris = new Int32Array(nv);
  for (let t = 0; t < T.length; t += 3) rootTris[find(T[t])]++;
  const roots: number[] = [];
  for (let v = 0; v < nv; v++) if (parent[v] === v && rootTris[v] > 0) roots.push(v);
  roots.sort((a, b) => rootTris[b] - rootTris[a] || a - b);
  const labelOfRoot = new Int32Array(nv).fill(-1);
  roots.forEach((r, n) => (labelOfRoot[r] = n));
  const vertexLabels = new Int32Array(nv);
  for (let v = 0; v < nv; v++) vertexLabels[v] = labelOfRoot[find(v)];
  const triangleLabels = new Int32Array(T.length / 3);
  for (let t = 0; t < triangleLabels.length; t++) triangleLabels[t] = vertexLabels[T[3 * t]];
  return { count: roots.length, vertexLabels, triangleLabels, triangleCounts: roots.map((r) => rootTris[r]) };
}

/** The sub-mesh of the triangles with keep[t] set, with unused vertices dropped (order kept). */
export function submesh(mesh: Mesh, keep: ArrayLike<number | boolean>): Mesh {
  const T = mesh.triangles, P = mesh.positions, N = mesh.normals;
  const nt = T.length / 3;
  if (keep.length !== nt) throw new InvalidArgumentError(`submesh: keep has ${keep.length} entries for ${nt} triangles`);
  const remap = new Int32Array(P.length / 3).fill(-1);
  let kept = 0;
  for (let t = 0; t < nt; t++) if (keep[t]) kept++;
  const tris = new Uint32Array(kept * 3);
  let nv = 0, o = 0;
  for (let t = 0; t < nt; t++) {
    if (!keep[t]) continue;
    for (let c = 0; c < 3; c++) {
      const v = T[3 * t + c];
      if (remap[v] < 0) remap[v] = nv++;
      tris[o++] = remap[v];
    }
  }
  const positions = new Float32Array(nv * 3);
  const normals = N ? new Float32Array(nv * 3) : undefined;
  for (let v = 0; v < remap.length; v++) {
    const r = remap[v];
    if (r < 0) continue;
    positions[3 * r] = P[3 * v]; positions[3 * r + 1] = P[3 * v + 1]; positions[3 * r + 2] = P[3 * v + 2];
    if (normals && N) {
      normals[3 * r] = N[3 * v]; normals[3 * r + 1] = N[3 * v + 1]; normals[3 * r + 2] = N[3 * v + 2];
    }
  }
  return normals ? { positions, triangles: tris, normals } : { positions, triangles: tris };
}

/** The mesh restricted to the given component labels (0 = largest); computes the components when not given. */
export function selectComponents(mesh: Mesh, labels: number[], components: MeshComponents = connectedComponents(mesh)): Mesh {
  const want = new Uint8Array(components.count);
  for (const l of labels) {
    if (!Number.isInteger(l) || l < 0 || l >= components.count) {
      throw new InvalidArgumentError(`selectComponents: label ${l} out of range (mesh has ${components.count} components)`);
    }
    want[l] = 1;
  }
  const keep = new Uint8Array(components.triangleLabels.length);
  for (let t = 0; t < keep.length; t++) keep[t] = want[components.triangleLabels[t]];
  return submesh(mesh, keep);
}

/** The component with the most triangles (e.g. the head, without noise specks); empty mesh stays empty. */
export function largestComponent(mesh: Mesh): Mesh {
  const comps = connectedComponents(mesh);
  if (comps.count === 0) return mesh;
  return selectComponents(mesh, [0], comps);
}
