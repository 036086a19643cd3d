export * from "./types";
export { readImage, decodeImage, encodePng, writePng } from "./io";
export { toGray, grayToRgba, foregroundFraction, cropImage, closeImage, type GrayImage } from "./ops";
