import * as path from "node:path";
import * as fs from "node:fs";

/** Repository root (tests are compiled to build/test/…, sources live in test/…). */
export const ROOT = (() => {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, "data-samples"))) {
    const up = path.dirname(d);
    if (up === d) throw new Error("cannot find the repository root (data-samples/) above " + __dirname);
    d = up;
  }
  return d;
})();
export const DATA = path.join(ROOT, "data-samples");
export const CT_DIR = path.join(DATA, "ct-cranium");
export const MRI_DIR = path.join(DATA, "mri-t1-head");
export const FACES_DIR = path.join(DATA, "faces");
export const HAAR_XML = path.join(DATA, "opencv", "haarcascade_frontalface_default.xml");
/** Test artefacts (screenshots, renders) kept for people to look at; ignored by git. */
export const ARTIFACTS = path.join(ROOT, "test-artifacts");
export const FIXTURES = path.join(ROOT, "test", "fixtures");

/** A fresh temporary folder under the OS temp dir, removed by the caller. */
export function tempDir(prefix = "unmask-test-"): string {
  return fs.mkdtempSync(path.join(require("node:os").tmpdir(), prefix));
}

/** Make sure the artefact folder exists and return a path in it. */
export function artifact(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
