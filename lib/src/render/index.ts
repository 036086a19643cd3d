export * from "./types";
export { renderMesh, renderViews, createRenderer, SKIN_COLOR, SEED_FLAT_COLOR } from "./renderer";
export { projectToImage, imageToPatient, viewBasis, frameCamera, VIEW_PRESETS, type ViewBasis, type FrameOptions } from "./camera";
export { sharedGlContext, type GlContext } from "./context";
