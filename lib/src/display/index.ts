export { show, type ShowImageOptions, type ShownSlices, type ShownPlot } from "./show";
export { drawOverlays, type ScalarImage, type Overlays, type OverlayBox, type OverlayLine } from "./raster";
export { slicesImage, slicePanel, HU_WINDOWS, type WindowLevel, type WindowSpec, type SlicesOptions, type SlicePanel, type Plane } from "./slices";
export { plotHtml, histogramFigure, lineFigure, heatmapFigure, type PlotlyFigure, type PlotHtmlOptions } from "./plot";
export { renderTable, type TableInput, type TableOptions, type RenderedTable } from "./table";
export { inNotebook, setDisplaySink, type DisplayOutput, type DisplaySink, type SaveOptions } from "./output";
export { meshViewerHtml, viewerPayload, decodeViewerPayload, type MeshViewerOptions, type ViewerPayload, type MeshLayer, type PackedLayer } from "./mesh";
export { gridImage, type GridItem, type GridOptions } from "./grid";
