/**
 * Inference worker: owns MediaPipe and onnxruntime, speaks protocol.ts.
 * Frames are handled one at a time in arrival order; a frame's failure is reported as
 * `frameError` and never ends the worker.
 */
/// <reference lib="webworker" />
import { InferencePipeline, type PipelineOptions } from '../core/pipeline';
import type { FromWorker, ToWorker } from './protocol';
import { destroyWebGpuDevice } from '../core/inference/ortSession';

declare const self: DedicatedWorkerGlobalScope;

let pipeline: InferencePipeline | undefined;
/**
 * Serialises init and frames: MediaPipe's graph and VIDEO timestamps need one caller, and a
 * re-init (restart) must not close models under a running frame.
 */
let queue: Promise<void> = Promise.resolve();

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(msg, transfer);
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (e instanceof Event) return `${e.type} event (a script or wasm file failed to load?)`;
  return String(e);
}

async function init(options: PipelineOptions): Promise<void> {
  try {
    await pipeline?.close();
    pipeline = undefined;
    pipeline = await InferencePipeline.createFromOptions(options, (s) => post({ type: 'status', ep: s.ep, message: s.message }));
    // Copy: the triangles are reused by later inits and transfer would detach them (the FLAME
    // faces are a view into flame.bin, which the decoder keeps using).
    const { flameMesh } = pipeline.info;
    post({
      type: 'ready',
      info: { ...pipeline.info, triangles: pipeline.info.triangles.slice(), ...(flameMesh ? { flameMesh: { ...flameMesh, triangles: flameMesh.triangles.slice() } } : {}) },
    });
  } catch (e) {
    post({ type: 'initError', message: errorMessage(e) });
  }
}

async function frame(msg: Extract<ToWorker, { type: 'frame' }>): Promise<void> {
  try {
    if (!pipeline) throw new Error('the inference pipeline is not initialised');
    const { crops, ...result } = await pipeline.process(msg.bitmap, msg.timestamp, msg.options, msg.id);
    const transfer: Transferable[] = crops ? Object.values(crops).map((c) => c.rgba.buffer as ArrayBuffer) : [];
    // FLAME vertices are a fresh copy per frame (60 KB): move them instead of cloning.
    if (result.flame) transfer.push(result.flame.vertices.buffer as ArrayBuffer);
    post({ type: 'result', id: msg.id, result, crops }, transfer);
  } catch (e) {
    post({ type: 'frameError', id: msg.id, message: errorMessage(e) });
  } finally {
    msg.bitmap?.close?.();
  }
}

async function evalHead3d(msg: Extract<ToWorker, { type: 'evalHead3d' }>): Promise<void> {
  try {
    if (!pipeline) throw new Error('the inference pipeline is not initialised');
    const result = await pipeline.evaluateHead3d(msg.features);
    post({ type: 'head3dResult', id: msg.id, result });
  } catch (e) {
    post({ type: 'head3dError', id: msg.id, message: errorMessage(e) });
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  switch (msg?.type) {
    case 'init':
      queue = queue.then(() => init(msg.options as PipelineOptions));
      break;
    case 'frame':
      queue = queue.then(() => frame(msg));
      break;
    case 'evalHead3d':
      queue = queue.then(() => evalHead3d(msg));
      break;
    case 'simulateGpuDeviceLoss':
      void destroyWebGpuDevice();
      break;
    case 'dispose':
      queue = queue.then(async () => {
        await pipeline?.close().catch(() => undefined);
        pipeline = undefined;
        self.close();
      });
      break;
    default:
      // Unknown messages are ignored: an older/newer UI must not crash the worker.
      break;
  }
};

// Last line of defence: report, don't die silently.
self.addEventListener('unhandledrejection', (ev) => {
  ev.preventDefault();
  post({ type: 'status', ep: pipeline?.executionProvider ?? 'wasm', message: `internal error: ${errorMessage(ev.reason)}` });
});
