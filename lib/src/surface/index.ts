export * from "./types";
export { marchingCubes, marchingCubesSync, shareVolume, type MarchingCubesOptions } from "./marching-cubes";
