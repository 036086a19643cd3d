export * from "./types";
export { createVolume, voxelIndex, valueAt, voxelToPatient, patientToVoxel, asNdarray, axisCodes, patientBounds, IDENTITY_DIRECTION, type VolumeGeometry } from "./volume";
export { resample, type ResampleOptions } from "./resample";
export { histogram, minMax, percentiles, type Histogram } from "./stats";
export { extractSlice, type VolumeSlice } from "./slice";
