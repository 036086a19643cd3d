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
export {
  detectFaceInScan,
  type FacePresence,
  type FaceLocation,
  type PresenceOptions,
  type PresenceRender,
  type LevelSource,
} from "./presence";
export { presenceVariants, type PresenceVariant, type PresenceView, type PresenceLight, type PresenceMargin } from "./presence-variants";
export { type PresenceEvidence, type PresenceCluster, type FusionParams } from "./presence-fusion";
export { skinLevel, otsu, CT_SKIN_LEVEL, type SkinLevel, type SkinLevelOptions } from "./skin";
export { presenceContactSheet, DETECTOR_COLORS } from "./presence-sheet";
export { faceProfile, type FaceProfile, type FaceProfileOptions, type ProfileLandmarks } from "./profile";

// Constants handed out by this entry point are frozen: a caller cannot change them for everyone else.
import { deepFreeze as freeze } from "../core/freeze";
import { TINY_FACE_DEFAULTS as _tiny } from "./faceapi";
import { DETECTOR_COLORS as _colors } from "./presence-sheet";
import { TRUTH_SPLITS as _splits } from "./presence-truth";
import { DEFAULT_FUSION as _fusion, DEFAULT_DETECTORS as _detectors, DEFAULT_VARIANT_NAMES as _variantNames } from "./presence-params";
for (const v of [_tiny, _colors, _splits, _fusion, _detectors, _variantNames]) freeze(v);
