export * from "./types";
export { detectFaces, detectors, type DetectOptions } from "./detect";
export { HAAR_DEFAULTS, HAAR_CASCADE_PATH, type HaarOptions } from "./haar";
export { alignFace, fitSimilarity, warpToRgb, fivePointsFromMesh, ARCFACE_TEMPLATE, type Similarity } from "./align";
export { faceRuntime, loadFaceModels, type FaceRuntime, type LoadFaceModelsOptions } from "./runtime";
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
