export * from "./types";
export { listSeries, walkFiles, isIgnoredName } from "./list";
export { loadSeries, type LoadSeriesOptions } from "./load";
export { readDicomHeader, readDicomFile } from "./parse";
export { transferSyntaxName, isSupportedSyntax } from "./transfer-syntax";
export { decodeRle } from "./pixels";
