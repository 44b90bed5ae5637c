/**
 * The interface every expression branch implements: one face in, class logits (AffectNet order)
 * for one side of the late fusion out. The per-frame flow (pipeline.ts) runs whatever branches
 * the pack opened (openPipeline.ts) and hands their outputs to the fusion policy; a new branch
 * (a second 2D model, another head) is a new implementation of this interface plus one line in
 * openPipeline.ts — the flow does not change.
 */
import type { CropSource } from '../crop';
import type { CropImage } from '../pipelineTypes';
import type { BranchOutput, FaceGeometry, StageTimings } from '../types';
import type { ModelSession } from '../inference/ortSession';

/** Which side of late fusion a branch feeds: ℓ = w·ℓ2D + (1−w)·ℓ3D. */
export type FusionSide = '2d' | '3d';

/** What the branches see of one face. */
export interface FaceInput {
  image: CropSource;
  imageSize: { width: number; height: number };
  /** The face the landmarker found; absent in the whole-image fallback (image branches then crop the centre square). */
  face?: FaceGeometry;
  /** The 478 landmarks in image pixels, flat [x, y, z, …]; absent with `face`. */
  landmarksPx?: Float32Array;
  /** The 3D parameter vector in the layout the pack's 3D head reads, or why it is missing. */
  features3d?: { ok: true; values: Float32Array } | { ok: false; missing: string[] };
}

/** Per-frame side channels a branch may write: stage times, notes for the user, the crops it saw. */
export interface FrameScratch {
  timings: StageTimings;
  notes: string[];
  wantCrops: boolean;
  /** Apply each branch's declared calibration (undefined = the manifest's default). */
  calibrate?: boolean;
  crops?: Record<string, CropImage>;
}

export interface ExpressionBranch {
  /** The manifest model id. */
  readonly id: string;
  readonly side: FusionSide;
  /** Whether it runs on an image crop (and so also in the whole-image fallback, when no face was found). */
  readonly needsFace: boolean;
  /** Its onnxruntime sessions, for the EP guard's move to WASM. */
  readonly sessions: readonly ModelSession[];
  /** undefined when this face gives the branch nothing to work on (e.g. no 3D features); say why in notes. */
  run(face: FaceInput, frame: FrameScratch): Promise<BranchOutput | undefined>;
  release(): Promise<void>;
}
