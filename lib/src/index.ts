/**
 * unmask: show, measure and remove the face in head CT and MRI.
 *
 * The root keeps the few names a notebook needs first: load a series, resample it, take the skin
 * isosurface, render it, look for a face, show the result. Everything else lives in its domain's
 * entry point: `unmask/core`, `unmask/dicom`, `unmask/volume`, `unmask/surface`, `unmask/image`,
 * `unmask/render`, `unmask/face`, `unmask/match`, `unmask/display`, `unmask/anonymize`.
 * @module unmask
 */
export { UnmaskError } from "./core/errors";
export { listSeries, loadSeries } from "./dicom";
export { resample } from "./volume";
export { marchingCubes, writeMesh } from "./surface";
export { readImage, writePng } from "./image";
export { renderMesh, renderViews, createRenderer } from "./render";
export { detectFaces, compareFaces } from "./face";
export { show, display, notebookSetup } from "./display";
export type { Vec3, Volume } from "./volume";
export type { Mesh } from "./surface";
export type { RgbaImage } from "./image";
export type { RenderResult, View } from "./render";
export type { Face } from "./face";
