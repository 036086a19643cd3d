/**
 * The face module's process-wide state, made visible. Loading any face model (human, face-api, a
 * recognizer graph model) starts TensorFlow.js once per process with the **wasm** backend, registers
 * a `file://` model loader, and keeps every loaded model for the life of the process (the next call
 * reuses it). A program that uses tfjs itself shares that engine: after a face model loads, its
 * backend is wasm unless it switches back.
 */
import { faceApiLoaded } from "./faceapi";
import { haarLoaded } from "./haar";
import { humanLoaded, loadHuman } from "./human";
import { loadedCropModels } from "./recognize";
import { tfBackend } from "./tfjs";

/** What the face module has switched and loaded in this process (see {@link faceRuntime}). */
export interface FaceRuntime {
  /** The tfjs backend active since a face model loaded ("wasm"), or null while no face model has loaded tfjs. */
  tfjsBackend: string | null;
  /** @vladmandic/human (BlazeFace + face mesh) loaded: detector "human", recognizers faceres, faceres-deep, mobileface. */
  human: boolean;
  /** @vladmandic/face-api loaded: recognizer "dlib". */
  faceApi: boolean;
  /** OpenCV's Haar cascade (opencv-wasm) loaded: detector "haar". */
  haar: boolean;
  /** Recognizer graph models kept in memory, by name. */
  recognizerModels: string[];
}

/** Report the face module's process-wide state: the tfjs backend it switched to and the models it keeps loaded. */
export async function faceRuntime(): Promise<FaceRuntime> {
  const [human, faceApi, recognizerModels] = await Promise.all([humanLoaded(), faceApiLoaded(), loadedCropModels()]);
  return { tfjsBackend: tfBackend(), human, faceApi, haar: haarLoaded(), recognizerModels };
}

/** Options of {@link loadFaceModels}. */
export interface LoadFaceModelsOptions {
  /**
   * A folder holding human's blazeface and facemesh models (.json + .bin) instead of the package's
   * own. Models load once per process, so this only takes effect on the first load.
   */
  humanModelDir?: string;
}

/**
 * Load the default detector's models now (tfjs switches to wasm, process-wide) instead of on the
 * first `detectFaces` call; a missing or unreadable model is an EnvironmentError naming it.
 */
export async function loadFaceModels(options: LoadFaceModelsOptions = {}): Promise<FaceRuntime> {
  await loadHuman(options.humanModelDir);
  return faceRuntime();
}
