export { detectSift, SIFT_DESCRIPTOR_SIZE, type Keypoint, type SiftFeatures, type SiftOptions, type GrayPixels } from "./sift";
