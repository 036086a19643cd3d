export * from "./types";
export { marchingCubes, marchingCubesSync, shareVolume, warmUpSurfaceWorkers, type MarchingCubesOptions } from "./marching-cubes";
export { meshArea, meshVolume, meshBounds, meshEdgeStats } from "./measure";
export { computeNormals } from "./normals";
export { connectedComponents, largestComponent, selectComponents, submesh, type MeshComponents } from "./components";
export { taubinSmooth, type TaubinOptions } from "./smooth";
export { decimate, type DecimateOptions, type DecimatedMesh } from "./decimate";
export { encodeMesh, decodeMesh, writeMesh, readMesh, type MeshFormat, type MeshBytesOptions, type MeshFileOptions } from "./io";
