export { readNifti, writeNifti, decodeNifti, encodeNifti, NiftiError, type NiftiInfo } from "./nifti";
