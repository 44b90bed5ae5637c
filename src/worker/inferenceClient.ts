/**
 * UI-side handle on the inference worker. Every request gets an id and one pending entry; the
 * worker's one `reply` settles it. The UI sends the next frame only after the previous result
 * came back (backpressure lives in the caller).
 */
import type { ExecutionProvider } from '../core/types';
import type { FrameOptions, Head3dEvaluation, PipelineOptions, PipelineResult, ReadyInfo } from '../core/pipelineTypes';
import type { FrameImage, FromWorker, LiveMessage, Replies, Request, ToWorker } from './protocol';
import { startupMark } from '../core/startupMarks';
import { LentPixels } from './lentPixels';

/** What a frame request resolves to: the pipeline's result (crops included when asked for). */
export type ClientResult = PipelineResult;
export type StatusCallback = (ep: ExecutionProvider, message: string) => void;

/** A frame's outcome from the worker's own live loop; lent pixels come wrapped, to be given back. */
export type LiveFrameOutcome =
  | Extract<LiveMessage, { ok: false }>
  | (Omit<Extract<LiveMessage, { ok: true }>, 'shownFrame'> & { shownFrame?: ImageBitmap | LentPixels });

export interface LiveHandle {
  setOptions(options: FrameOptions): void;
  stop(): void;
  /** Resolves when the worker's loop has ended; rejects if the worker failed or was closed. */
  readonly ended: Promise<void>;
}

type Pending = { resolve: (value: unknown) => void; reject: (e: Error) => void };
type Body<K extends Request['type']> = Omit<Extract<Request, { type: K }>, 'type' | 'id'>;

export class InferenceClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly liveHandlers = new Map<number, (m: LiveFrameOutcome) => void>();
  private statusCallbacks: StatusCallback[] = [];
  private crashCallbacks: ((message: string) => void)[] = [];
  private closed = false;
  private restarting = false;

  private constructor(
    private readonly worker: Worker,
    public info: ReadyInfo,
    private readonly options: PipelineOptions,
  ) {}

  /**
   * Start a worker and load the pack; rejects with the worker's init error. `options` may still
   * be on its way (e.g. the manifest being fetched): the worker is spawned first, so its script
   * loads and compiles meanwhile.
   */
  static async createFromOptions(options: PipelineOptions | Promise<PipelineOptions>): Promise<InferenceClient> {
    startupMark('page:worker-spawn');
    const worker = new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'inference' });
    let resolved: PipelineOptions;
    try {
      resolved = await options;
    } catch (e) {
      worker.terminate();
      throw e;
    }
    const client = new InferenceClient(worker, undefined as unknown as ReadyInfo, resolved);
    worker.onmessage = (ev: MessageEvent<FromWorker>) => client.onMessage(ev.data);
    worker.onerror = (ev) => {
      const message = `inference worker ${client.info ? 'crashed' : 'failed to start'}: ${ev.message || (client.info ? 'unknown error' : 'script error')}`;
      client.failAll(message);
      if (client.info && !client.closed) for (const cb of client.crashCallbacks) cb(message);
    };
    try {
      startupMark('page:init-sent');
      client.info = await client.request('init', { options: resolved });
    } catch (e) {
      client.closed = true;
      worker.terminate();
      throw e;
    }
    return client;
  }

  /** Live frame (MediaPipe VIDEO tracking). The image is transferred (and closed) to the worker. */
  detectForVideo(image: FrameImage, timestamp: number, options: FrameOptions): Promise<ClientResult> {
    return this.send(image, timestamp, { ...options, mode: 'video' });
  }

  /**
   * Live frames read by the worker itself (workerLive.ts) from `readable` (a
   * MediaStreamTrackProcessor's, transferred). Throws at once when this browser cannot transfer
   * the stream (the caller then hands frames over itself). `setOptions` changes the settings of
   * the frames after it; `stop` ends the loop (`ended` resolves when the worker has stopped).
   */
  startLive(readable: ReadableStream<VideoFrame>, options: FrameOptions, keepFrames: boolean, onFrame: (m: LiveFrameOutcome) => void): LiveHandle {
    if (this.closed) throw new Error('inference client closed');
    const id = this.nextId++;
    const ended = new Promise<void>((resolve, reject) => this.pending.set(id, { resolve: () => resolve(), reject }));
    try {
      this.worker.postMessage({ type: 'liveStart', id, readable, options: { ...options, mode: 'video' }, keepFrames } satisfies ToWorker, [readable]);
    } catch (e) {
      this.pending.delete(id);
      throw new PostError((e as Error).message);
    }
    this.liveHandlers.set(id, onFrame);
    ended.catch(() => undefined).finally(() => this.liveHandlers.delete(id));
    let stopped = false;
    return {
      setOptions: (o) => {
        if (!stopped && !this.closed) this.worker.postMessage({ type: 'liveOptions', liveId: id, options: { ...o, mode: 'video' } } satisfies ToWorker);
      },
      stop: () => {
        if (stopped) return;
        stopped = true;
        this.liveHandlers.delete(id);
        if (!this.closed) this.worker.postMessage({ type: 'liveStop', liveId: id } satisfies ToWorker);
      },
      ended,
    };
  }

  /** Still image (no tracking, padded fallback for tight crops). Always runs in 'image' mode. */
  detect(bitmap: ImageBitmap, options: Omit<FrameOptions, 'mode'> & { mode?: FrameOptions['mode'] }): Promise<ClientResult> {
    return this.send(bitmap, 0, { ...options, mode: 'image' });
  }

  /**
   * Rebuild the worker's pipeline with the same options (e.g. after repeated landmarker
   * failures). Frames sent meanwhile wait for it inside the worker.
   */
  async restart(): Promise<void> {
    if (this.closed) throw new Error('inference client closed');
    if (this.restarting) throw new Error('a restart is already running');
    this.restarting = true;
    try {
      this.info = await this.request('init', { options: this.options });
    } finally {
      this.restarting = false;
    }
  }

  /** Make the worker lose its WebGPU device, to show (and test) the fall-back to WASM. */
  simulateGpuDeviceLoss(): void {
    this.worker.postMessage({ type: 'simulateGpuDeviceLoss' } satisfies ToWorker);
  }

  /**
   * Break the worker's face landmarker once, to show (and test) that it restarts itself;
   * `failRecovery`: its first restart fails too (what the visitor is told then).
   */
  simulateLandmarkerFailure(failRecovery = false): void {
    this.worker.postMessage({ type: 'simulateLandmarkerFailure', failRecovery } satisfies ToWorker);
  }

  /**
   * `cb` runs when the worker, once ready, throws an error nothing caught (an out-of-memory abort,
   * a bug): every request in flight has failed by then, and what the worker holds can no longer be
   * trusted. The owner decides what to do (the live view's pipeline opens its models again).
   */
  onCrash(cb: (message: string) => void): void {
    this.crashCallbacks.push(cb);
  }

  onStatus(cb: StatusCallback): () => void {
    this.statusCallbacks.push(cb);
    return () => {
      this.statusCallbacks = this.statusCallbacks.filter((c) => c !== cb);
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.postMessage({ type: 'dispose' } satisfies ToWorker);
    // Give the worker a moment to release GPU/WASM memory, then make sure it is gone.
    setTimeout(() => this.worker.terminate(), 1000);
    this.failAll('inference client closed');
  }

  /**
   * Get the worker ready for still images (its landmarker for stills built and warmed), queued
   * like a frame; callers go through pipelineStore.holdStills. Prepared on opening the Teach tab,
   * its first Freeze takes 0.4–0.6 s here instead of 1.3–1.8 s (later ones ≈ 0.15 s).
   */
  prepareStills(): Promise<void> {
    return this.request('prepareStills', {});
  }

  /** Free what prepareStills built (≈ 40–50 MiB) once no more stills are expected. */
  releaseStills(): Promise<void> {
    return this.request('releaseStills', {});
  }

  /**
   * Run the pack's 3D head on a raw feature vector (no image), e.g. teaching mode's sliders.
   * Queued behind frames in the worker; rejects when the pack has no head3d.
   */
  evaluateHead3d(features: Float32Array): Promise<Head3dEvaluation> {
    return this.request('evalHead3d', { features: features.slice() });
  }

  private async send(image: FrameImage, timestamp: number, options: FrameOptions): Promise<ClientResult> {
    if (this.closed && 'close' in image) image.close();
    // ImageData is not transferable itself: its pixel buffer is.
    const transfer: Transferable[] = image instanceof ImageData ? [image.data.buffer as ArrayBuffer] : [image];
    try {
      return await this.request('frame', { image, timestamp, options }, transfer);
    } catch (e) {
      if (e instanceof PostError) throw new Error(`could not send the frame to the worker: ${e.message}`, { cause: e });
      throw e;
    }
  }

  /** The one way a request goes out: id, pending entry, postMessage. */
  private request<K extends keyof Replies>(type: K, body: Body<K>, transfer: Transferable[] = []): Promise<Replies[K]> {
    if (this.closed) return Promise.reject(new Error('inference client closed'));
    const id = this.nextId++;
    return new Promise<Replies[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      try {
        this.worker.postMessage({ type, id, ...body } as Extract<Request, { type: K }>, transfer);
      } catch (e) {
        // E.g. the bitmap was already closed or transferred: this request fails, the worker lives.
        this.pending.delete(id);
        reject(new PostError((e as Error).message));
      }
    });
  }

  private onMessage(msg: FromWorker): void {
    if (msg.type === 'live') {
      const lent = msg.ok && msg.shownFrame && 'kind' in msg.shownFrame ? msg.shownFrame : undefined;
      const outcome: LiveFrameOutcome = lent
        ? { ...(msg as Extract<LiveMessage, { ok: true }>), shownFrame: new LentPixels(new ImageData(new Uint8ClampedArray(lent.buffer), lent.width, lent.height), (b) => this.returnPixels(b)) }
        : (msg as LiveFrameOutcome);
      const handler = this.liveHandlers.get(msg.liveId);
      if (handler) handler(outcome);
      else if (outcome.ok) outcome.shownFrame?.close();
    } else if (msg.type === 'reply') {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.ok) p?.resolve(msg.value);
      else p?.reject(new Error(msg.error));
    } else if (msg.type === 'status' && this.info) {
      this.info = { ...this.info, ep: msg.ep };
      for (const cb of this.statusCallbacks) cb(msg.ep, msg.message);
    }
  }

  /** A lent frame buffer back to the worker (nothing to do once the worker is gone). */
  private returnPixels(buffer: ArrayBuffer): void {
    if (this.closed) return;
    try {
      this.worker.postMessage({ type: 'returnPixels', buffer } satisfies ToWorker, [buffer]);
    } catch {
      // Already detached or the worker ended: the worker allocates a new buffer instead.
    }
  }

  private failAll(message: string): void {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
    this.liveHandlers.clear();
  }
}

/** postMessage refused the request (e.g. a closed or already transferred bitmap). */
class PostError extends Error {
  override name = 'PostError';
}
