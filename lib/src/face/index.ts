export * from "./types";
export { detectFaces, detectors, type DetectOptions } from "./detect";
export { HAAR_DEFAULTS, HAAR_CASCADE_PATH, HAAR_ALT2_CASCADE_PATH, haarScore, type HaarOptions, type HaarCascade } from "./haar";
export { FACEAPI_MIN_CONFIDENCE, TINY_FACE_DEFAULTS, type FaceApiDetectOptions } from "./faceapi";
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
export { skinLevel, otsu, CT_SKIN_LEVEL, type SkinLevel, type SkinLevelOptions } from "./skin";
export { faceProfile, type FaceProfile, type FaceProfileOptions, type ProfileLandmarks } from "./profile";
