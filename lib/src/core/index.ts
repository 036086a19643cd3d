export * from "./errors";
export * from "./progress";
export { writeFileAtomic, writeFolderAtomic, OutputExistsError, type WriteFolderOptions } from "./fs";
export { summarize, withSummary } from "./summary";
export { seededRandom } from "./random";
