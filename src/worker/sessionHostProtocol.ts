/**
 * Messages between the inference worker and its ONNX session worker (sessionHost.worker.ts).
 * Every request carries an id and gets one `reply`; `deviceLost` comes unasked, once, when the
 * session worker's WebGPU device is lost.
 */
import type { ExecutionProvider } from '../core/types';
import type { EpPreference } from '../core/pipelineTypes';
import type { Feeds, OrtAssets, SessionSpec } from '../core/inference/ortSession';

export type ToSessionHost =
  | { type: 'configure'; id: number; assets: OrtAssets; numThreads?: number; firstEp: ExecutionProvider }
  | { type: 'resolveEp'; id: number; preference: EpPreference }
  | { type: 'create'; id: number; spec: SessionSpec; ep: ExecutionProvider }
  | { type: 'run'; id: number; sid: number; feeds: Feeds }
  | { type: 'moveToWasm'; id: number; sid: number }
  | { type: 'release'; id: number; sid: number }
  | { type: 'destroyDevice'; id: number };

export type FromSessionHost =
  | { type: 'reply'; id: number; ok: true; value?: unknown }
  /** `mismatch`: the error was a PackMismatchError (the pack's fault: no WebGPU → WASM fallback). */
  | { type: 'reply'; id: number; ok: false; error: string; mismatch?: boolean }
  | { type: 'deviceLost'; reason: string };

/** What a `create` reply carries. */
export interface CreatedSession {
  sid: number;
  ep: ExecutionProvider;
}
