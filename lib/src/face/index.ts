export * from "./types";
export { detectFaces, detectors, type DetectOptions } from "./detect";
export { HAAR_DEFAULTS, HAAR_CASCADE_PATH, type HaarOptions } from "./haar";
export {
  recognizers,
  recognizerInfo,
  encodeFace,
  compareFaces,
  embeddingDistance,
  distanceMatrix,
  type EncodeOptions,
  type CompareOptions,
  type DistanceMatrix,
} from "./recognize";
