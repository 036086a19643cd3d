import { withSummary } from "../core/summary";
import type { RgbaImage } from "../image/types";
import { InvalidArgumentError } from "../core/errors";
import type { DetectorName, Face } from "./types";
import { humanDetect } from "./human";
import { haarDetect, type HaarOptions } from "./haar";
import { faceApiDetect, type FaceApiDetectOptions } from "./faceapi";
import { deepFreeze } from "../core/freeze";

/** The detectors `detectFaces` offers. */
export const detectors: readonly DetectorName[] = deepFreeze(["human", "haar", "haar-alt2", "ssd", "tiny"]);

/** Options for `detectFaces`. */
export interface DetectOptions extends HaarOptions, FaceApiDetectOptions {
  /**
   * "human" (blazeface + face mesh, default), "haar" (OpenCV's default frontal cascade, the seed's),
   * "haar-alt2" (OpenCV's alt2 frontal cascade), "ssd" (face-api SSD MobileNet v1) or "tiny"
   * (face-api TinyFaceDetector).
   */
  detector?: DetectorName;
}

/** Find faces in an image, best first; an image without a face gives []. */
export async function detectFaces(image: RgbaImage, options: DetectOptions = {}): Promise<Face[]> {
  checkImage(image);
  const detector = options.detector ?? "human";
  if (detector === "human") return (await humanDetect(image)).map((d) => withSummary(d.face));
  if (detector === "haar" || detector === "haar-alt2") return (await haarDetect(image, options, detector)).map(withSummary);
  if (detector === "ssd" || detector === "tiny") return (await faceApiDetect(image, detector, options)).map(withSummary);
  throw new InvalidArgumentError(`unknown face detector "${String(detector)}" (choose one of ${detectors.join(", ")})`);
}

/** An RgbaImage whose buffer matches its size. */
export function checkImage(image: RgbaImage): void {
  if (!image || !(image.width > 0) || !(image.height > 0) || !image.data || image.data.length !== image.width * image.height * 4) {
    throw new InvalidArgumentError(`not an RGBA image: expected width·height·4 bytes, got ${image?.data?.length} for ${image?.width}×${image?.height}`);
  }
}
