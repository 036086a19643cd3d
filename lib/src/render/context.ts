/**
 * The process-wide headless WebGL 1 context (node-canvas-webgl → headless-gl) and its three.js
 * renderer. Created on first use and reused: start-up costs ~0.3 s and headless-gl contexts are
 * not reliably freed. Native modules are loaded lazily so importing "unmask" never needs an X display.
 */
import type * as THREE from "three";
import { EnvironmentError } from "../core/errors";

/** The shared GL state. */
export interface GlContext {
  three: typeof THREE;
  renderer: THREE.WebGLRenderer;
  gl: WebGLRenderingContext;
  canvas: { width: number; height: number };
}

let shared: GlContext | undefined;

/** The three.js module (loaded on first use). */
export function loadThree(): typeof THREE {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require("three") as typeof THREE;
}

/**
 * The process-wide headless WebGL context every renderer draws with: created on the first render,
 * kept for the life of the process (headless-gl contexts are not reliably freed). Exposed so that a
 * caller can see what is shared, e.g. to count buffer uploads; rendering never needs it.
 */
export function sharedGlContext(): GlContext {
  return glContext();
}

/** Get (creating once) the shared headless WebGL context; with a size, its drawing buffer is resized to it. */
export function glContext(width?: number, height?: number): GlContext {
  if (!shared) shared = createContext();
  const c = shared;
  if (width !== undefined && height !== undefined && (c.canvas.width !== width || c.canvas.height !== height)) {
    // node-canvas-webgl's size setters resize headless-gl's drawing buffer.
    c.renderer.setSize(width, height, false);
  }
  return c;
}

function createContext(): GlContext {
  const three = loadThree();
  let createCanvas: (w: number, h: number) => HTMLCanvasElement;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    createCanvas = require("node-canvas-webgl").createCanvas;
  } catch (e) {
    throw new EnvironmentError(`render: cannot load node-canvas-webgl (native canvas + gl): ${(e as Error).message}`, undefined, { cause: e });
  }
  const canvas = createCanvas(64, 64);
  let gl: WebGLRenderingContext | null = null;
  try {
    gl = canvas.getContext("webgl", { antialias: false, preserveDrawingBuffer: true, alpha: true, premultipliedAlpha: false }) as WebGLRenderingContext | null;
  } catch (e) {
    throw noDisplay(e);
  }
  if (!gl || typeof gl.getParameter !== "function") throw noDisplay(undefined);
  if (!gl.getExtension("OES_element_index_uint")) {
    throw new EnvironmentError("render: the WebGL context lacks OES_element_index_uint (32-bit indices), needed for meshes over 65,535 vertices");
  }
  const renderer = new three.WebGLRenderer({ canvas, context: gl, antialias: false, alpha: true, premultipliedAlpha: false });
  renderer.outputColorSpace = three.SRGBColorSpace;
  renderer.setPixelRatio(1);
  return { three, renderer, gl, canvas };
}

function noDisplay(cause: unknown): EnvironmentError {
  const why = cause instanceof Error ? ` (${cause.message})` : "";
  return new EnvironmentError(
    `render: no WebGL context${why}. headless-gl needs an X display: run under xvfb-run -a -s "-screen 0 1280x1024x24" …`,
    undefined,
    { cause },
  );
}
