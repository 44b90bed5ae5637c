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
  prepareStills: void;
  releaseStills: void;
  liveStart: void;
}

/**
 * An analysed frame's RGBA pixels as a bare, transferred ArrayBuffer: an ImageData would be
 * serialised by value (a copy on each side of the message, 1.2 MB per 640×480 frame).
 */
export interface LentFrame {
  kind: 'lent-rgba';
  buffer: ArrayBuffer;
  width: number;
  height: number;
}

/** One live frame's outcome, from the worker's own loop (`liveStart`). */
export type LiveMessage = { type: 'live'; liveId: number; arrivedAtEpochMs: number } & (
  | {
      ok: true;
      value: PipelineResult;
      /**
       * With `keepFrames`: the analysed frame itself, CPU pixels, to show with its result. `LentFrame`:
       * a buffer lent by the worker, to give back (`returnPixels`) once it is no longer shown.
       */
      shownFrame?: ImageBitmap | LentFrame;
    }
  | { ok: false; error: string }
);

export type Request =
  | { type: 'init'; id: number; options: PipelineOptions }
  /**
   * A frame: a decoded image (batch, photos) as an ImageBitmap; live camera frames as CPU pixels,
   * a transferred VideoFrame or ImageData (worker/frameSource.ts says why).
   */
  | { type: 'frame'; id: number; image: FrameImage; timestamp: number; options: FrameOptions }
  /** Run the 3D head alone on a raw feature vector (no image): teaching mode's parameter explorer. */
  | { type: 'evalHead3d'; id: number; features: Float32Array }
  /**
   * Build and warm the landmarker for still images ahead of the first one (FaceLandmarkerRunner,
   * one per mode), so a Freeze, a photo or a lent batch run does not pay it: sent on the first
   * hold of pipelineStore.holdStills (the Teach tab, the Batch tab, a batch loan).
   */
  | { type: 'prepareStills'; id: number }
  /** Its counterpart when the last hold ends; queued, so a still in flight finishes first. */
  | { type: 'releaseStills'; id: number }
  /**
   * Live frames read by the worker itself from a transferred MediaStreamTrackProcessor stream
   * (workerLive.ts). Each result comes as a `live` message; the reply comes when the loop has
   * ended (`liveStop`, or the track ended).
   */
  | { type: 'liveStart'; id: number; readable: ReadableStream<VideoFrame>; options: FrameOptions; keepFrames: boolean };

export type ToWorker =
  | Request
  /** The settings the next live frames use (the page sends them with each result it receives). */
  | { type: 'liveOptions'; liveId: number; options: FrameOptions }
  | { type: 'liveStop'; liveId: number }
  /** A lent analysed frame's buffer (LiveMessage.shownFrame as a LentFrame), back for the worker's next frames. */
  | { type: 'returnPixels'; buffer: ArrayBuffer }
  | { type: 'dispose' }
  /** Destroys the WebGPU device as a driver reset would: exercises the WASM fallback (tests, demos). */
  | { type: 'simulateGpuDeviceLoss' }
  | { type: 'simulateLandmarkerFailure'; failRecovery: boolean };

export type Reply<V = unknown> = { type: 'reply'; id: number } & ({ ok: true; value: V } | { ok: false; error: string });

export type FromWorker =
  | Reply
  | LiveMessage
  /** Runtime change the UI must show, e.g. WebGPU device lost → now on WASM. */
  | { type: 'status'; ep: ExecutionProvider; message: string };
