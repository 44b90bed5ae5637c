/**
 * Where live frames come from, as CPU pixels, newest first.
 *
 * Why not `createImageBitmap(video)`: that bitmap is GPU-backed, and MediaPipe (even with its CPU
 * delegate) then waits ≈ 54 ms per 640×480 frame in glReadPixels, the crop ≈ 8 ms more; on CPU
 * pixels the same landmarker takes 25–28 ms (issue #16). So:
 *
 * - `track-processor`: `MediaStreamTrackProcessor` reads the camera track's VideoFrames on this
 *   thread (Chromium exposes it on the page; transferring the track itself to a worker is not
 *   shipped there). Every frame is read as it arrives so the track never stalls; only the
 *   newest is kept (a newer one closes the one waiting), and it is *transferred* to the worker,
 *   which converts it to CPU pixels there (frameImage.ts), off this thread.
 * - `canvas`: browsers without it. `requestVideoFrameCallback` marks that a new frame is shown;
 *   when the worker is free the video's current frame is drawn on a CPU-backed canvas
 *   (`willReadFrequently`) and its ImageData buffer is transferred.
 *
 * Either way `take()` hands out the newest frame not yet handed out, or nothing: the loop never
 * waits for a frame it has already missed.
 */
export type FramePath = 'track-processor' | 'canvas';

export interface TakenFrame {
  image: VideoFrame | ImageData;
  /** performance.now() when the frame reached the page (for the frame-to-result latency). */
  arrivedAt: number;
}

export interface FrameSource {
  readonly path: FramePath;
  /** The newest frame not yet taken (ownership passes to the caller), or undefined. */
  take(): TakenFrame | undefined;
  /** Called whenever a new frame becomes available. */
  onFrame?: () => void;
  stop(): void;
}

export interface TrackProcessorCtor {
  new (init: { track: MediaStreamTrack; maxBufferSize?: number }): { readable: ReadableStream<VideoFrame> };
}

export function trackProcessor(): TrackProcessorCtor | undefined {
  return (globalThis as { MediaStreamTrackProcessor?: TrackProcessorCtor }).MediaStreamTrackProcessor;
}

/** Which path `openFrameSource` would take in this browser for this video. */
export function framePathFor(video: HTMLVideoElement): FramePath {
  const stream = video.srcObject;
  const track = stream instanceof MediaStream ? stream.getVideoTracks()[0] : undefined;
  return track && trackProcessor() && typeof VideoFrame !== 'undefined' ? 'track-processor' : 'canvas';
}

export function openFrameSource(video: HTMLVideoElement): FrameSource {
  const stream = video.srcObject;
  const track = stream instanceof MediaStream ? stream.getVideoTracks()[0] : undefined;
  const Processor = trackProcessor();
  if (track && Processor && typeof VideoFrame !== 'undefined') return new TrackProcessorSource(track, Processor);
  return new CanvasSource(video);
}

class TrackProcessorSource implements FrameSource {
  readonly path = 'track-processor' as const;
  onFrame?: () => void;
  private waiting?: TakenFrame;
  private stopped = false;
  private readonly reader: ReadableStreamDefaultReader<VideoFrame>;
  private readonly track: MediaStreamTrack;

  constructor(track: MediaStreamTrack, Processor: TrackProcessorCtor) {
    // A clone: cancelling our reader ends the track it reads, which must not be the one the
    // preview <video> shows.
    this.track = track.clone();
    this.reader = new Processor({ track: this.track, maxBufferSize: 1 }).readable.getReader();
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      while (!this.stopped) {
        const { value, done } = await this.reader.read();
        if (done || !value) break;
        if (this.stopped) {
          value.close();
          break;
        }
        (this.waiting?.image as VideoFrame | undefined)?.close();
        this.waiting = { image: value, arrivedAt: performance.now() };
        this.onFrame?.();
      }
    } catch {
      // The track ended or was stopped: no more frames.
    }
  }

  take(): TakenFrame | undefined {
    const f = this.waiting;
    this.waiting = undefined;
    return f;
  }

  stop(): void {
    this.stopped = true;
    (this.waiting?.image as VideoFrame | undefined)?.close();
    this.waiting = undefined;
    void this.reader.cancel().catch(() => undefined);
    this.track.stop();
  }
}

class CanvasSource implements FrameSource {
  readonly path = 'canvas' as const;
  onFrame?: () => void;
  private fresh = false;
  private freshAt = 0;
  private lastTime = -1;
  private stopped = false;
  private canvas?: OffscreenCanvas | HTMLCanvasElement;
  private timer?: number;

  constructor(private readonly video: HTMLVideoElement) {
    this.watch();
  }

  /** Mark each newly shown frame; the pixels are read only when the worker can take them. */
  private watch(): void {
    if (this.stopped) return;
    const v = this.video;
    const seen = () => {
      if (this.stopped) return;
      if (v.readyState >= 2 && v.videoWidth > 0 && v.currentTime !== this.lastTime) {
        this.lastTime = v.currentTime;
        this.fresh = true;
        this.freshAt = performance.now();
        this.onFrame?.();
      }
      this.watch();
    };
    if ('requestVideoFrameCallback' in v) v.requestVideoFrameCallback(seen);
    else this.timer = window.setTimeout(seen, 16);
  }

  take(): TakenFrame | undefined {
    const v = this.video;
    if (!this.fresh || v.videoWidth === 0) return undefined;
    this.fresh = false;
    const { videoWidth: w, videoHeight: h } = v;
    if (!this.canvas || this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(w, h) : Object.assign(document.createElement('canvas'), { width: w, height: h });
    }
    // willReadFrequently keeps this canvas in CPU memory, so getImageData is a copy, not a GPU read-back.
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
    if (!ctx) throw new Error('2D canvas not available for reading camera frames');
    ctx.drawImage(v, 0, 0, w, h);
    return { image: ctx.getImageData(0, 0, w, h), arrivedAt: this.freshAt };
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}
