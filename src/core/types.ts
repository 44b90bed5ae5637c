/**
 * Results the inference core produces. All class vectors are in AffectNet order
 * (see classes/expressionClasses.ts); all VA values are in -1..1.
 */

import type { Affine } from './crop/affine';

export type FusionMode = '2d' | '3d' | 'weighted' | 'mean' | 'max';
export type ExecutionProvider = 'webgpu' | 'wasm';

/** How the landmarker found the face: on the image as given, or after upscaling and padding (tight crops). */
export type DetectionMethod = 'as-is' | 'padded' | 'none';

export interface ValenceArousal {
  valence: number;
  arousal: number;
  /** 'derived' = probability-weighted AffectNet class centroids; 'model' = a VA head; 'fused' = both branches' VA heads. */
  source: 'derived' | 'model' | 'fused';
}

export interface BranchOutput {
  logits: Float32Array;
  probs: Float32Array;
  va?: { valence: number; arousal: number };
  /** 2D model with flip TTA: how many views were averaged for this face (1 = the gate skipped the mirror). */
  views?: 1 | 2;
  /** Set when the branch's logits carry its declared calibration, e.g. "prior-correction τ=0.3". */
  calibration?: string;
}

export interface FusedOutput {
  mode: FusionMode;
  weight2d: number;
  probs: Float32Array;
  /** Set when the requested mode could not run (e.g. no 3D features) and fusion fell back to 2D alone. */
  fallback?: string;
}

export interface HeadPose {
  /** Radians: yaw (left/right), pitch (up/down), roll (tilt). */
  yaw: number;
  pitch: number;
  roll: number;
  /** 4x4 column-major facial transformation matrix from MediaPipe (canonical face → camera, cm). */
  matrix: number[];
}

export interface FaceGeometry {
  /** 478 landmarks, x,y in 0..1 image coordinates, z relative depth; flat [x0,y0,z0,x1,...]. */
  landmarks: Float32Array;
  /** 52 blendshape scores in MediaPipe's order. */
  blendshapes: Float32Array;
  headPose: HeadPose;
  /** 478×3 landmarks in the canonical face frame (cm, pose removed); computed when asked for. */
  canonicalLandmarks?: Float32Array;
  /** Face box in image pixels. */
  box: { x: number; y: number; width: number; height: number };
}

export interface StageTimings {
  /** Live frames only: the camera frame turned into CPU pixels in the worker (worker/frameImage.ts). */
  pixels?: number;
  /**
   * Live frames read by the worker itself (worker/workerLive.ts): how long it had no frame to run
   * before this one, since the previous frame ended.
   */
  idle?: number;
  landmarks?: number;
  crop?: number;
  model2d?: number;
  head3d?: number;
  regressor3d?: number;
  flame?: number;
  fusion?: number;
  total?: number;
}


/** What a FLAME regressor (EMOCA v2 / SMIRK pack) gave for the face, decoded by the worker. */
export interface FlameResult {
  family: 'emoca-v2' | 'smirk';
  /** The regressor's output groups by manifest name (shape, exp, pose, cam, …), batch index 0. */
  params: Record<string, Float32Array>;
  /** Posed FLAME vertices [V×3], FLAME units (metres, y up, face looking along +z). */
  vertices: Float32Array;
  camera: {
    /** Weak-perspective camera [scale, tx, ty] as the regressor emitted it (crop space). */
    cam: [number, number, number];
    /** [height, width] of the regressor's input crop. */
    cropSize: [number, number];
    /** Crop pixels → image pixels (the crop the regressor saw). */
    cropToImage: Affine;
    /** FLAME (x, y) → image pixels: the camera mapped back through the crop (for overlays). */
    toImage: Affine;
  };
}

export interface FrameResult {
  frameId: number;
  timestamp: number;
  imageSize: { width: number; height: number };
  detection: DetectionMethod;
  faceCount: number;
  face?: FaceGeometry;
  /** The 3D parameter vector that fed the 3D head, with its group layout. */
  features3d?: { values: Float32Array; groups: { group: string; size: number }[] };
  /** The 2D side: one 2D model's output, or several combined (fusion/combine2d.ts). */
  branch2d?: BranchOutput;
  /**
   * Which calibration the branches' logits carry, e.g. "fer2d: prior-correction τ=0.3", or "off"
   * when the pack declares one and the user switched it off; absent when the pack declares none.
   */
  calibration?: string;
  /** Each 2D model's own output, by model id, when the pack has several. */
  models2d?: Record<string, BranchOutput>;
  branch3d?: BranchOutput;
  fused?: FusedOutput;
  /** Set when the pack has a FLAME regressor (role regressor3d + morphable) and a face was found. */
  flame?: FlameResult;
  va?: ValenceArousal;
  /** Human-readable notes for the user: "several faces, using the largest", fallbacks... */
  notes: string[];
  timings: StageTimings;
}
