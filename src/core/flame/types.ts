/**
 * Types for the FLAME morphable model as the app uses it: the parsed `flame.bin` asset
 * (format `flame-bin-v1`, written by training/export/export_flame.py) and the parameters
 * the FLAME regressors (EMOCA v2, SMIRK) produce.
 *
 * Conventions follow the FLAME layer in FLAME_PyTorch / DECA / EMOCA / SMIRK: metres, y up,
 * the face looking along +z, axis-angle rotations, 5 joints [global, neck, jaw, left eye, right eye].
 */

export const FLAME_FORMAT = 'flame-bin-v1';
export const FLAME_NUM_JOINTS = 5;
/** Pose-corrective features: (R − I) of the 4 non-root joints, 9 entries each. */
export const FLAME_NUM_POSE_FEATURES = 36;
export const FLAME_JOINT_NAMES = ['global', 'neck', 'jaw', 'leftEye', 'rightEye'] as const;
export type FlameJointName = (typeof FLAME_JOINT_NAMES)[number];

export interface FlameCounts {
  vertices: number;
  faces: number;
  /** Identity components in the asset (FLAME 2020: 300). */
  shape: number;
  /** Expression components in the asset (FLAME 2020: 100). */
  expression: number;
  joints: typeof FLAME_NUM_JOINTS;
  /** 2 when the asset carries SMIRK's eyelid blendshapes, else 0. */
  eyelids: 0 | 2;
}

/** A validated FLAME asset. Arrays are views into the loaded file where alignment allows (no copy). */
export interface FlameAsset {
  format: typeof FLAME_FORMAT;
  /** e.g. 'FLAME2020' or 'synthetic'. */
  model: string;
  counts: FlameCounts;
  /** [V,3] rest template. */
  vTemplate: Float32Array;
  /** [F,3] triangle vertex indices. */
  faces: Uint32Array;
  /** [S,V,3] identity basis, component-major. */
  shapeBasis: Float32Array;
  /** [E,V,3] expression basis, component-major. */
  exprBasis: Float32Array;
  /** [36,V,3] pose-corrective basis, component-major. */
  poseBasis: Float32Array;
  /** [5,V] joint regressor. */
  jRegressor: Float32Array;
  /** [V,5] skinning weights. */
  lbsWeights: Float32Array;
  /** [5] kinematic parents, root = −1. */
  parents: Int32Array;
  /** [2,V,3] SMIRK eyelid blendshapes (index 0 = l_eyelid, 1 = r_eyelid), when present. */
  eyelidBasis?: Float32Array;
  /** Free-form provenance from the header (generator, source files, licence note). */
  meta: Record<string, unknown>;
}

/**
 * FLAME parameters for one face. Missing groups are zero; shorter vectors use the leading
 * components (EMOCA: 100 shape / 50 expression; SMIRK: 300 / 50).
 */
export interface FlameParams {
  shape?: ArrayLike<number>;
  exp?: ArrayLike<number>;
  /** Axis-angle of the root (head) joint, 3. */
  globalPose?: ArrayLike<number>;
  /** Axis-angle, 3 (the regressors leave it at zero). */
  neck?: ArrayLike<number>;
  /** Axis-angle, 3. */
  jaw?: ArrayLike<number>;
  /** Axis-angle of left then right eye, 6. */
  eyes?: ArrayLike<number>;
  /** SMIRK eyelid closure [left, right], nominally 0..1. */
  eyelid?: ArrayLike<number>;
}

/**
 * Where SMIRK's eyelid blendshapes are added. SMIRK's FLAME adds them to the skinned vertices
 * (`'post-skinning'`, the default); some trackers add them to the template before skinning.
 */
export type EyelidMode = 'post-skinning' | 'pre-skinning';

export interface FlameDecoderOptions {
  eyelidMode?: EyelidMode;
  /**
   * Blendshape kernel: 'wasm' (SIMD128, float32 accumulation like upstream PyTorch), 'js' (float64),
   * or 'auto' (default): wasm where WebAssembly SIMD is available, else js.
   */
  backend?: 'auto' | 'wasm' | 'js';
}

export interface FlameOutput {
  /** [V,3] posed vertices. Owned by the decoder and overwritten by the next decode: copy to keep. */
  vertices: Float32Array;
  /** [5,3] posed joint positions, same ownership. */
  joints: Float32Array;
}
