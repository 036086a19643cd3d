export { detectSift, SIFT_DESCRIPTOR_SIZE, type Keypoint, type SiftFeatures, type SiftOptions, type GrayPixels } from "./sift";
export { KdForest, bruteForceKnn, type DescriptorMatch, type KdForestOptions, type KnnOptions } from "./kdforest";
export { detectOrb, matchOrb, ORB_DESCRIPTOR_BYTES, type OrbFeatures, type OrbOptions } from "./orb";
export {
  matchKeypoints, matchSift, drawMatches, describeKeypoints, matchFeatures,
  type MatchMethod, type MatchKeypointsOptions, type SiftMatchOptions, type KeypointMatchResult, type DrawMatchesOptions,
  type KeypointFeatures, type DescribeOptions,
} from "./match";
