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
export {
  detectFaceInScan,
  histogramSkinLevel,
  type FacePresence,
  type FaceLocation,
  type PresenceOptions,
  type PresenceRender,
  type LevelSource,
} from "./presence";
export { presenceVariants, type PresenceVariant, type PresenceView, type PresenceLight, type PresenceMargin } from "./presence-variants";
export { type PresenceEvidence, type PresenceCluster, type FusionParams } from "./presence-fusion";
