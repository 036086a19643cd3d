export * from "./types";
export { listSeries } from "./list";
export { loadSeries, type LoadSeriesOptions } from "./load";
export { readDicomHeader, readDicomFile } from "./parse";
export { transferSyntaxName, isSupportedSyntax } from "./transfer-syntax";
export { loadFrameDecoder, type FrameDecoder, type FrameInfo } from "./codecs";
