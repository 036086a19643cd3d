export * from "./errors";
export * from "./progress";
export { writeFileAtomic } from "./fs";
