/**
 * An indexed triangle mesh in patient space (LPS, mm). Triangles wind counter-clockwise seen from
 * outside (outward normals point from higher to lower values for a "bright inside" isosurface).
 */
export interface Mesh {
  /** x, y, z per vertex (mm, LPS). */
  positions: Float32Array;
  /** Three vertex indices per triangle. */
  triangles: Uint32Array;
  /** Optional unit normal per vertex (outward). */
  normals?: Float32Array;
}
