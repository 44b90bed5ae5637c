/**
 * What the inference pipeline is asked and what it answers: its options, the ready info and the
 * per-frame result. They live in core (not in the worker protocol) because the pipeline owns
 * them; the worker only carries them across the thread boundary.
 */
import type { Manifest } from './manifest/schema';
import type { ExecutionProvider, FrameResult, FusionMode, ValenceArousal } from './types';
import type { WholeImageFallback } from './crop/wholeImageFallback';

export type EpPreference = 'auto' | ExecutionProvider;

export interface InitOptions {
  /** Base URL of the pack folder (manifest-relative files are resolved against it), or in-memory files. */
  packBaseUrl: string;
  manifest: Manifest;
  /** Files given by the user (dropped pack); name → bytes. Looked up before packBaseUrl. */
  packFiles?: Record<string, ArrayBuffer>;
  ep: EpPreference;
  /** Absolute URLs of runtime assets served by the app itself (never a CDN). */
  assets: { ortWasm: string; ortMjs?: string; ortWasmPlain?: string; mediapipeWasmDir: string };
  /**
   * What the frames will be: 'image' for a batch worker (every frame a still image), 'video' (the
   * default) for the live view. The landmarker is built and warmed in that mode, so the first frame
   * does not rebuild it (inference/faceLandmarker.ts, `initialMode`).
   */
  frameMode?: FrameOptions['mode'];
}

export interface FrameOptions {
  /** 'video' uses MediaPipe's tracking across frames; 'image' treats each call independently and tries the padded fallback. */
  mode: 'video' | 'image';
  fusionMode: FusionMode;
  weight2d: number;
  /** Return the crop the 2D model saw (RGBA bytes), for the pipeline/detail views. */
  wantCrops?: boolean;
  /** Also compute the landmarks in the canonical face frame (feature extraction, teaching mode). */
  wantCanonicalLandmarks?: boolean;
  /**
   * Still images only: when no face is found, whether the 2D model reads the centred square of the
   * whole image (core/crop/wholeImageFallback.ts); undefined = 'off'. The row stays 'no face' and says so.
   */
  wholeImageFallback?: WholeImageFallback;
  /** Apply the branches' declared calibration (class-prior correction); undefined = the pack's default. */
  calibrate?: boolean;
}

/** The 3D head's answer for a given raw feature vector (groups as the manifest's head3d input). */
export interface Head3dEvaluation {
  /** AffectNet order. */
  logits: Float32Array;
  probs: Float32Array;
  /** The head's VA outputs when it has them ('model'), else derived from its probabilities ('derived'). */
  va: ValenceArousal;
}

export interface ReadyInfo {
  ep: ExecutionProvider;
  /** Why the requested EP was not used, if it wasn't. */
  epNote?: string;
  /** Canonical face mesh triangles (indices into the 478 landmarks) from face_landmarker.task. */
  triangles: Uint32Array;
  /** Roles of the models that loaded. */
  roles: string[];
  /** FLAME mesh of a FLAME pack, sent once: triangles (indices into FrameResult.flame.vertices) and vertex count. */
  flameMesh?: { triangles: Uint32Array; vertexCount: number; family: 'emoca-v2' | 'smirk' };
  /** The branches whose manifest declares a calibration (the UI offers the on/off switch for these). */
  calibrations: { id: string; label: string; enabled: boolean; live: boolean }[];
  /** The 2D models fused on the 2D side, with their weights (one model: weight 1). */
  models2d: { id: string; weight: number }[];
}

export interface CropImage {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

/** One frame's result plus, when asked for (`wantCrops`), the crop each image branch saw. */
export type PipelineResult = FrameResult & { crops?: Record<string, CropImage> };

/** Init options plus worker-side knobs not (yet) in the protocol. */
export interface PipelineOptions extends InitOptions {
  /** MediaPipe delegate; CPU is the robust default (see inference/faceLandmarker.ts). */
  landmarkerDelegate?: 'CPU' | 'GPU';
  /** ORT WASM threads; default: cores − 1 (max 4) when cross-origin isolated, else 1. */
  numThreads?: number;
}
