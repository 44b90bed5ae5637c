/**
 * Inference worker: owns MediaPipe and onnxruntime, speaks protocol.ts.
 * Requests are handled one at a time in arrival order; each gets one reply, and a frame's
 * failure is an error reply, never the end of the worker.
 */
/// <reference lib="webworker" />
import type { InferencePipeline } from '../core/pipeline';
import { openPipeline } from '../core/openPipeline';
import type { FrameOptions, PipelineOptions, PipelineResult } from '../core/pipelineTypes';
import type { ImageLike } from '../core/inference/faceLandmarker';
import { destroyWebGpuDevice } from '../core/inference/ortSession';
import type { FrameImage, FromWorker, LentFrame, Replies, Request, ToWorker } from './protocol';
import { lendShownPixels, takeBackPixels, toPipelineImage } from './frameImage';
import { runWorkerLive, type WorkerLiveHandle } from './workerLive';
import { startupMark } from '../core/startupMarks';

startupMark('worker:start');

declare const self: DedicatedWorkerGlobalScope;

let pipeline: InferencePipeline | undefined;
/** The first frame's end is a start-up mark (startupMarks.ts). */
let firstFrameMarked = false;
/**
 * Serialises init and frames: MediaPipe's graph and VIDEO timestamps need one caller, and a
 * re-init (restart) must not close models under a running frame.
 */
let queue: Promise<void> = Promise.resolve();

/** Requests that take one turn in `queue` (a live loop queues each of its frames instead). */
type QueuedRequest = Exclude<Request, { type: 'liveStart' }>;

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
  startupMark('worker:init');
  await pipeline?.close();
  pipeline = undefined;
  pipeline = await openPipeline(options, (s) => post({ type: 'status', ep: s.ep, message: s.message }));
  // Copy: the triangles are reused by later inits and transfer would detach them (the FLAME
  // faces are a view into flame.bin, which the decoder keeps using).
  const { flameMesh } = pipeline.info;
  return { value: { ...pipeline.info, triangles: pipeline.info.triangles.slice(), ...(flameMesh ? { flameMesh: { ...flameMesh, triangles: flameMesh.triangles.slice() } } : {}) } };
}

/** One frame through the pipeline; the caller closes the image. */
async function processFrame(image: FrameImage, timestamp: number, options: FrameOptions, id: number): Promise<{ value: PipelineResult; transfer: Transferable[]; pixelsFrom: ImageLike }> {
  const t0 = performance.now();
  const pixelsFrom = await toPipelineImage(image);
  const pixels = image instanceof ImageBitmap ? undefined : performance.now() - t0;
  const value = await ready().process(pixelsFrom, timestamp, options, id);
  if (!firstFrameMarked) {
    firstFrameMarked = true;
    startupMark('worker:first-frame');
  }
  if (pixels !== undefined) value.timings.pixels = pixels;
  const transfer: Transferable[] = value.crops ? Object.values(value.crops).map((c) => c.rgba.buffer as ArrayBuffer) : [];
  // FLAME vertices are a fresh copy per frame (60 KB): move them instead of cloning.
  if (value.flame) transfer.push(value.flame.vertices.buffer as ArrayBuffer);
  return { value, transfer, pixelsFrom };
}

async function frame(msg: Extract<Request, { type: 'frame' }>): Promise<{ value: Replies['frame']; transfer: Transferable[] }> {
  try {
    const { value, transfer } = await processFrame(msg.image, msg.timestamp, msg.options, msg.id);
    return { value, transfer };
  } finally {
    if (msg.image && 'close' in msg.image) msg.image.close();
  }
}

/** The running worker-side live loops by id (one at a time in practice; a new start stops the old). */
const liveLoops = new Map<number, { handle: WorkerLiveHandle; settings: { options: FrameOptions } }>();
let liveFrameId = 0;

/**
 * Live frames read here from the page's transferred camera stream (workerLive.ts). Each run goes
 * through the same serial queue as every other request, so an init or a 3D-head evaluation never
 * overlaps a frame.
 */
function liveStart(msg: Extract<Request, { type: 'liveStart' }>): void {
  for (const l of liveLoops.values()) l.handle.stop();
  const liveId = msg.id;
  // `liveOptions` replaces these; each frame reads them when its turn comes.
  const settings = { options: msg.options };
  const handle = runWorkerLive(msg.readable, ({ frame: videoFrame, arrivedAt, idleMs }) => {
    const arrivedAtEpochMs = performance.timeOrigin + arrivedAt;
    const run = queue.then(async () => {
      try {
        const { value, transfer, pixelsFrom } = await processFrame(videoFrame, performance.now(), settings.options, --liveFrameId);
        if (idleMs !== undefined) value.timings.idle = idleMs;
        // The analysed frame, for the preview on a software GPU, handed over without a copy: the
        // converted pixels, lent (frameImage.ts), or else the CPU canvas the pipeline read (which
        // then starts blank for the next frame).
        const lent = msg.keepFrames ? lendShownPixels() : undefined;
        const shownFrame: ImageBitmap | LentFrame | undefined = lent
          ? { kind: 'lent-rgba', buffer: lent.data.buffer as ArrayBuffer, width: lent.width, height: lent.height }
          : msg.keepFrames && pixelsFrom instanceof OffscreenCanvas ? pixelsFrom.transferToImageBitmap() : undefined;
        const moved = shownFrame && 'kind' in shownFrame ? shownFrame.buffer : shownFrame;
        post({ type: 'live', liveId, arrivedAtEpochMs, ok: true, value, shownFrame }, moved ? [...transfer, moved] : transfer);
      } catch (e) {
        post({ type: 'live', liveId, arrivedAtEpochMs, ok: false, error: errorMessage(e) });
      } finally {
        videoFrame.close();
      }
    });
    queue = run;
    return run;
  });
  liveLoops.set(liveId, { handle, settings });
  // The reply (ending the request) comes when the loop ends.
  void handle.done.then(() => {
    liveLoops.delete(liveId);
    post({ type: 'reply', id: liveId, ok: true, value: undefined });
  });
}

async function handle(msg: QueuedRequest): Promise<{ value: unknown; transfer?: Transferable[] }> {
  switch (msg.type) {
    case 'init':
      return init(msg.options);
    case 'frame':
      return frame(msg);
    case 'evalHead3d':
      return { value: await ready().evaluateHead3d(msg.features) };
    case 'prepareStills':
      return { value: await ready().prepareStills() };
    case 'releaseStills':
      return { value: ready().releaseStills() };
  }
}

/** Run a request in turn and send its one reply. */
function enqueue(msg: QueuedRequest): void {
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
  if (msg?.type === 'init') startupMark('worker:init-received');
  switch (msg?.type) {
    case 'init':
    case 'frame':
    case 'evalHead3d':
    case 'prepareStills':
    case 'releaseStills':
      enqueue(msg);
      break;
    case 'liveStart':
      // Not queued: the loop queues each of its frames itself, and its reply comes when it ends.
      try {
        liveStart(msg);
      } catch (e) {
        post({ type: 'reply', id: msg.id, ok: false, error: errorMessage(e) });
      }
      break;
    case 'liveOptions': {
      const l = liveLoops.get(msg.liveId);
      if (l) l.settings.options = msg.options;
      break;
    }
    case 'liveStop':
      liveLoops.get(msg.liveId)?.handle.stop();
      break;
    case 'returnPixels':
      takeBackPixels(msg.buffer);
      break;
    case 'simulateGpuDeviceLoss':
      void destroyWebGpuDevice();
      break;
    case 'simulateLandmarkerFailure':
      // Between frames: the live loop's frames and this message share the worker's one thread.
      pipeline?.breakLandmarkerForTest(msg.failRecovery);
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
