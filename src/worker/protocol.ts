/**
 * Messages between the UI thread and the inference worker.
 * The worker owns MediaPipe and onnxruntime; the UI only sends requests and settings.
 * Every request carries an id and gets exactly one `reply` with that id: `{ ok: true, value }`
 * or `{ ok: false, error }`. The pipeline's own types (options, results) live in core.
 */
import type { PipelineResult, FrameOptions, Head3dEvaluation, PipelineOptions, ReadyInfo } from '../core/pipelineTypes';
import type { ExecutionProvider } from '../core/types';

export type FrameImage = ImageBitmap | VideoFrame | ImageData;

/** Request kind → what its reply's `value` is. */
export interface Replies {
  init: ReadyInfo;
  frame: PipelineResult;
  evalHead3d: Head3dEvaluation;
}

export type Request =
  | { type: 'init'; id: number; options: PipelineOptions }
  /**
   * A frame: a decoded image (batch, photos) as an ImageBitmap; live camera frames as CPU pixels,
   * a transferred VideoFrame or ImageData (worker/frameSource.ts says why).
   */
  | { type: 'frame'; id: number; image: FrameImage; timestamp: number; options: FrameOptions }
  /** Run the 3D head alone on a raw feature vector (no image): teaching mode's parameter explorer. */
  | { type: 'evalHead3d'; id: number; features: Float32Array };

export type ToWorker =
  | Request
  | { type: 'dispose' }
  /** Destroys the WebGPU device as a driver reset would: exercises the WASM fallback (tests, demos). */
  | { type: 'simulateGpuDeviceLoss' };

export type Reply<V = unknown> = { type: 'reply'; id: number } & ({ ok: true; value: V } | { ok: false; error: string });

export type FromWorker =
  | Reply
  /** Runtime change the UI must show, e.g. WebGPU device lost → now on WASM. */
  | { type: 'status'; ep: ExecutionProvider; message: string };
