/**
 * UI-side handle on the inference worker. One request in flight per frame id; the UI sends
 * the next frame only after the previous result came back (backpressure lives in the caller).
 */
import type { PipelineOptions } from '../core/pipeline';
import type { ExecutionProvider, FrameResult } from '../core/types';
import type { CropImage, FrameOptions, FromWorker, Head3dEvaluation, ReadyInfo, ToWorker } from './protocol';

export type ClientResult = FrameResult & { crops?: Record<string, CropImage> };
export type StatusCallback = (ep: ExecutionProvider, message: string) => void;

export class InferenceClient {
  private nextId = 1;
  private pending = new Map<number, { resolve: (r: ClientResult) => void; reject: (e: Error) => void }>();
  private pendingHead3d = new Map<number, { resolve: (r: Head3dEvaluation) => void; reject: (e: Error) => void }>();
  private statusCallbacks: StatusCallback[] = [];
  private closed = false;
  private restarting?: { resolve: () => void; reject: (e: Error) => void };

  private constructor(
    private readonly worker: Worker,
    public info: ReadyInfo,
    private readonly options: PipelineOptions,
  ) {
    worker.onmessage = (ev: MessageEvent<FromWorker>) => this.onMessage(ev.data);
    worker.onerror = (ev) => this.failAll(`inference worker crashed: ${ev.message || 'unknown error'}`);
  }

  /** Start a worker and load the pack; rejects with the worker's initError message. */
  static createFromOptions(options: PipelineOptions): Promise<InferenceClient> {
    const worker = new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'inference' });
    return new Promise<InferenceClient>((resolve, reject) => {
      const fail = (message: string) => {
        worker.terminate();
        reject(new Error(message));
      };
      worker.onmessage = (ev: MessageEvent<FromWorker>) => {
        const msg = ev.data;
        if (msg.type === 'ready') resolve(new InferenceClient(worker, msg.info, options));
        else if (msg.type === 'initError') fail(msg.message);
      };
      worker.onerror = (ev) => fail(`inference worker failed to start: ${ev.message || 'script error'}`);
      worker.postMessage({ type: 'init', options } satisfies ToWorker);
    });
  }

  /** Live frame (MediaPipe VIDEO tracking). The bitmap is transferred and closed by the worker. */
  detectForVideo(bitmap: ImageBitmap, timestamp: number, options: FrameOptions): Promise<ClientResult> {
    return this.send(bitmap, timestamp, { ...options, mode: 'video' });
  }

  /** Still image (no tracking, padded fallback for tight crops). Always runs in 'image' mode. */
  detect(bitmap: ImageBitmap, options: Omit<FrameOptions, 'mode'> & { mode?: FrameOptions['mode'] }): Promise<ClientResult> {
    return this.send(bitmap, 0, { ...options, mode: 'image' });
  }

  /**
   * Rebuild the worker's pipeline with the same options (e.g. after repeated landmarker
   * failures). Frames sent meanwhile wait for it inside the worker.
   */
  restart(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('inference client closed'));
    if (this.restarting) return Promise.reject(new Error('a restart is already running'));
    return new Promise<void>((resolve, reject) => {
      this.restarting = { resolve, reject };
      this.worker.postMessage({ type: 'init', options: this.options } satisfies ToWorker);
    });
  }

  /** Make the worker lose its WebGPU device, to show (and test) the fall-back to WASM. */
  simulateGpuDeviceLoss(): void {
    this.worker.postMessage({ type: 'simulateGpuDeviceLoss' } satisfies ToWorker);
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
   * Run the pack's 3D head on a raw feature vector (no image), e.g. teaching mode's sliders.
   * Queued behind frames in the worker; rejects when the pack has no head3d.
   */
  evaluateHead3d(features: Float32Array): Promise<Head3dEvaluation> {
    if (this.closed) return Promise.reject(new Error('inference client closed'));
    const id = this.nextId++;
    return new Promise<Head3dEvaluation>((resolve, reject) => {
      this.pendingHead3d.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'evalHead3d', id, features: features.slice() } satisfies ToWorker);
    });
  }

  private send(bitmap: ImageBitmap, timestamp: number, options: FrameOptions): Promise<ClientResult> {
    if (this.closed) {
      bitmap.close();
      return Promise.reject(new Error('inference client closed'));
    }
    const id = this.nextId++;
    return new Promise<ClientResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ type: 'frame', id, bitmap, timestamp, options } satisfies ToWorker, [bitmap]);
      } catch (e) {
        // E.g. the bitmap was already closed or transferred: a frame error, not a crash.
        this.pending.delete(id);
        reject(new Error(`could not send the frame to the worker: ${(e as Error).message}`));
      }
    });
  }

  private onMessage(msg: FromWorker): void {
    switch (msg.type) {
      case 'result': {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        p?.resolve(msg.crops ? { ...msg.result, crops: msg.crops } : msg.result);
        break;
      }
      case 'head3dResult':
      case 'head3dError': {
        const p = this.pendingHead3d.get(msg.id);
        this.pendingHead3d.delete(msg.id);
        if (msg.type === 'head3dResult') p?.resolve(msg.result);
        else p?.reject(new Error(msg.message));
        break;
      }
      case 'frameError': {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        p?.reject(new Error(msg.message));
        break;
      }
      case 'ready':
        this.info = msg.info;
        this.restarting?.resolve();
        this.restarting = undefined;
        break;
      case 'initError':
        this.restarting?.reject(new Error(msg.message));
        this.restarting = undefined;
        break;
      case 'status':
        this.info = { ...this.info, ep: msg.ep };
        for (const cb of this.statusCallbacks) cb(msg.ep, msg.message);
        break;
      default:
        break;
    }
  }

  private failAll(message: string): void {
    this.restarting?.reject(new Error(message));
    this.restarting = undefined;
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
    for (const p of this.pendingHead3d.values()) p.reject(new Error(message));
    this.pendingHead3d.clear();
  }
}
