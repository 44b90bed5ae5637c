/** Types for batch runs over folders of images and videos. Framework-free. */
import type { ItemLabel } from '../core/labels/datasetLabels';
import type { DetectionMethod, FrameResult, FusionMode, StageTimings } from '../core/types';
import type { FrameOptions } from '../core/pipelineTypes';

export interface BatchItem {
  id: number;
  /** Path relative to the dropped folder, e.g. `happy/img001.png`, or `clip.mp4#t=1.500` for a video frame. */
  path: string;
  kind: 'image' | 'video-frame';
  /** Decodes the item when its turn comes, so a 10,000-image batch never holds 10,000 bitmaps. */
  decode: () => Promise<ImageBitmap>;
  /** For video frames: the source video and the frame's time in seconds. */
  video?: { path: string; time: number };
  label?: ItemLabel;
}

export type RowStatus = 'ok' | 'no-face' | 'error';

/**
 * One row per image or video frame, failures included. Compact on purpose (no landmarks or
 * crops): the detail view re-runs the single image when a person opens it.
 */
export interface BatchRow {
  id: number;
  path: string;
  status: RowStatus;
  reason?: string;
  detection: DetectionMethod;
  faceCount: number;
  width?: number;
  height?: number;
  video?: { path: string; time: number };
  p2d?: Float32Array;
  p3d?: Float32Array;
  fused?: Float32Array;
  /**
   * With the dataset-prior adaptation (batch/datasetPriorRows.ts): the 2D side and the fusion as
   * the net gave them, before the batch's class mix re-weighted them (p2d and fused are then adapted).
   */
  p2dRaw?: Float32Array;
  fusedRaw?: Float32Array;
  fusionMode?: FusionMode;
  fusionFallback?: string;
  /** Views the 2D model averaged for this face under its flip TTA (1 or 2); absent without a policy. */
  views2d?: number;
  /** The calibration the branch logits carried (FrameResult.calibration), or undefined when the pack declares none. */
  calibration?: string;
  valence?: number;
  arousal?: number;
  vaSource?: string;
  logits2d?: Float32Array;
  logits3d?: Float32Array;
  features3d?: Float32Array;
  featureGroups?: { group: string; size: number }[];
  headPose?: { yaw: number; pitch: number; roll: number };
  /** Only when the run asked for them (feature extraction): 478×3, canonical face frame. */
  canonicalLandmarks?: Float32Array;
  /** The first 2D model's crop as grey bytes (row-major, `crop2dSize`), only when the run asked for crops (`npm run extract -- --crops`). */
  crop2d?: Uint8Array;
  crop2dSize?: [number, number];
  blendshapes?: Float32Array;
  notes: string[];
  label?: ItemLabel;
  ms?: number;
  /** Internal to BatchRunner: this item's worker crashed (never exported). */
  workerLost?: boolean;
  /** Worker-side stage latencies (ms) for this item; the bench reads them, exports do not. */
  timings?: StageTimings;
}

/** What the runner needs from an inference client (InferenceClient satisfies it). */
export interface BatchClient {
  detect(bitmap: ImageBitmap, options: FrameOptions): Promise<FrameResult>;
  /** Rebuild the pipeline (e.g. after the landmarker's WebGL context was lost). */
  restart(): Promise<void>;
  /** Replace a crashed worker with a new one (optional: without it, restart() is tried). */
  replace?(): Promise<void>;
}

export interface BatchProgress {
  done: number;
  total: number;
  failed: number;
  noFace: number;
  imagesPerSecond: number;
  etaSeconds: number;
  state: 'running' | 'paused' | 'cancelled' | 'finished';
  restarts: number;
}
