export * from "./types";
export { listSeries } from "./list";
export { loadSeries, type LoadSeriesOptions } from "./load";
export { readDicomHeader, readDicomFile, type ParsedDicom } from "./parse";
export { transferSyntaxName, isSupportedSyntax } from "./transfer-syntax";
