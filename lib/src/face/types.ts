import type { Box } from "../image/types";

/** Face detectors behind `detectFaces`. */
export type DetectorName = "human" | "haar" | "haar-alt2" | "ssd" | "tiny";

/** One detected face: a tight box in image pixels, a 0–1 score and, where the detector gives them, landmarks. */
export interface Face {
  /** Tight face box (for human: the bounds of the 468 mesh landmarks, not its enlarged crop). */
  box: Box;
  /**
   * Confidence 0–1: human, ssd, tiny: the network's face score; Haar cascades: neighbours /
   * (neighbours + minNeighbors + 1), 0.5 at the cascade's acceptance limit (no calibrated score exists).
   */
  score: number;
  /** Landmarks in image pixels ([x, y]); human gives the 468-point face mesh, Haar none. */
  landmarks?: [number, number][];
  /** Which detector found it. */
  detector: string;
  /** Haar cascades only: how many overlapping raw detections were merged into this face (the cascade's "neighbours"). */
  neighbours?: number;
}

/** Recognizers of the panel (see `recognizers` for each one's distance and default threshold). */
export type RecognizerName = "dlib" | "faceres" | "faceres-deep" | "mobileface";

/** A face embedding and how to compare it. */
export interface Embedding {
  vector: Float32Array;
  recognizer: RecognizerName;
  distance: "euclidean" | "cosine";
}

/** `encodeFace` result: the face it encoded (the largest one) and its embedding, or a typed "no face". */
export type EncodeResult =
  | { face: Face; embedding: Embedding }
  | { face: null; reason: "no-face" };

/** `compareFaces` result: a distance and a decision, or which image had no face. */
export type CompareResult =
  | { distance: number; match: boolean; tolerance: number; recognizer: RecognizerName }
  | { reason: "no-face"; which: "a" | "b" | "both" };

/** What a recognizer is, how it measures distance and where its default threshold comes from. */
export interface RecognizerInfo {
  name: RecognizerName;
  /** The model and the package it loads from. */
  model: string;
  package: string;
  dimensions: number;
  distance: "euclidean" | "cosine";
  /** Default decision threshold: distance ≤ tolerance ⇒ same person. */
  tolerance: number;
  /** Where that threshold comes from. */
  toleranceSource: string;
}
