/**
 * unmask: show, measure and remove the face in head CT and MRI.
 * Each domain module keeps a small public surface; this file re-exports them all.
 */
export * from "./core";
export * from "./volume";
export * from "./dicom";
export * from "./surface";
export * from "./image";
export * from "./render";
export * from "./face";
export * from "./match";
export * from "./display";
