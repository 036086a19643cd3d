export * from "./types";
export { detectFaces, detectors, type DetectOptions } from "./detect";
export { HAAR_DEFAULTS, HAAR_CASCADE_PATH, type HaarOptions } from "./haar";
