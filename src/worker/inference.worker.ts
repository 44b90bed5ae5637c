/**
 * Inference worker: owns MediaPipe and onnxruntime, speaks protocol.ts.
 * Requests are handled one at a time in arrival order; each gets one reply, and a frame's
 * failure is an error reply, never the end of the worker.
 */
/// <reference lib="webworker" />
import type { InferencePipeline } from '../core/pipeline';
import { openPipeline } from '../core/openPipeline';
import type { PipelineOptions } from '../core/pipelineTypes';
import { destroyWebGpuDevice } from '../core/inference/ortSession';
import type { FromWorker, Replies, Request, ToWorker } from './protocol';
import { toPipelineImage } from './frameImage';

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

function ready(): InferencePipeline {
  if (!pipeline) throw new Error('the inference pipeline is not initialised');
  return pipeline;
}

async function init(options: PipelineOptions): Promise<{ value: Replies['init'] }> {
  await pipeline?.close();
  pipeline = undefined;
  pipeline = await openPipeline(options, (s) => post({ type: 'status', ep: s.ep, message: s.message }));
  // Copy: the triangles are reused by later inits and transfer would detach them (the FLAME
  // faces are a view into flame.bin, which the decoder keeps using).
  const { flameMesh } = pipeline.info;
  return { value: { ...pipeline.info, triangles: pipeline.info.triangles.slice(), ...(flameMesh ? { flameMesh: { ...flameMesh, triangles: flameMesh.triangles.slice() } } : {}) } };
}

async function frame(msg: Extract<Request, { type: 'frame' }>): Promise<{ value: Replies['frame']; transfer: Transferable[] }> {
  try {
    const t0 = performance.now();
    const image = toPipelineImage(msg.image);
    const pixels = msg.image instanceof ImageBitmap ? undefined : performance.now() - t0;
    const value = await ready().process(image, msg.timestamp, msg.options, msg.id);
    if (pixels !== undefined) value.timings.pixels = pixels;
    const transfer: Transferable[] = value.crops ? Object.values(value.crops).map((c) => c.rgba.buffer as ArrayBuffer) : [];
    // FLAME vertices are a fresh copy per frame (60 KB): move them instead of cloning.
    if (value.flame) transfer.push(value.flame.vertices.buffer as ArrayBuffer);
    return { value, transfer };
  } finally {
    if (msg.image && 'close' in msg.image) msg.image.close();
  }
}

async function handle(msg: Request): Promise<{ value: unknown; transfer?: Transferable[] }> {
  switch (msg.type) {
    case 'init':
      return init(msg.options);
    case 'frame':
      return frame(msg);
    case 'evalHead3d':
      return { value: await ready().evaluateHead3d(msg.features) };
  }
}

/** Run a request in turn and send its one reply. */
function enqueue(msg: Request): void {
  queue = queue.then(async () => {
    try {
      const { value, transfer } = await handle(msg);
      post({ type: 'reply', id: msg.id, ok: true, value }, transfer);
    } catch (e) {
      post({ type: 'reply', id: msg.id, ok: false, error: errorMessage(e) });
    }
  });
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  switch (msg?.type) {
    case 'init':
    case 'frame':
    case 'evalHead3d':
      enqueue(msg);
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
