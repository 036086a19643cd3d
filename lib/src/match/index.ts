/**
 * Keypoints: describe an image once ({@link describeKeypoints}, ORB or SIFT), match two images or
 * their features ({@link matchKeypoints}), draw the matches ({@link drawMatches}). Nearest
 * neighbours of descriptor sets: approximate ({@link KdForest}, FLANN-style) or exact ({@link bruteForceKnn}).
 * @module
 */
export type { Keypoint, GrayPixels, SiftOptions } from "./sift";
export type { OrbOptions } from "./orb";
export { KdForest, bruteForceKnn, type DescriptorMatch, type KdForestOptions, type KnnOptions } from "./kdforest";
export {
  describeKeypoints, matchKeypoints, drawMatches,
  type MatchMethod, type MatchKeypointsOptions, type SiftMatchOptions, type KeypointMatchResult, type DrawMatchesOptions,
  type KeypointFeatures, type DescribeOptions,
} from "./match";
