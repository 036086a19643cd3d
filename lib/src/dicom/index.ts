export * from "./types";
export { listSeries } from "./list";
export { loadSeries, type LoadSeriesOptions } from "./load";
export { readDicomHeader, readDicomFile, type ParsedDicom } from "./parse";
export { transferSyntaxName, isSupportedSyntax } from "./transfer-syntax";
export { loadFrameDecoder, type FrameDecoder, type FrameInfo } from "./codecs";
export { writeSeries, type WritableSeries, type WriteSeriesOptions, type WrittenSeries, type Rescale } from "./write";
export { readDicomDataset, encodeDicomFile, dictionaryEntry, type DicomDataset, type DicomElement, type DicomFileData } from "./dataset";
export { newUid, keyedUid, uidFromBytes } from "./uid";
