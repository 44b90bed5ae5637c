/**
 * Drives live inference: the newest camera frame, as CPU pixels (frameSource.ts), goes to the
 * worker; when its result is back the next newest goes at once. At most one frame in flight, so
 * a slow device lowers the FPS instead of building a queue (and latency) behind it; a frame that
 * arrives while the worker is busy replaces the one waiting, and the loop never waits for the
 * next camera frame when one arrived during the last run.
 */
import type { FrameResult } from '../core/types';
import type { FrameOptions } from '../core/pipelineTypes';
import type { InferenceClient } from './inferenceClient';
import { openFrameSource, type FramePath } from './frameSource';

export interface LiveLoopStats {
  /** Results per second over the last 2 s. */
  fps: number;
  /** From the frame reaching the page to its result being back on the page. */
  latencyMs: number;
  framePath: FramePath;
  /** With `keepFrames`: the analysed frame itself (CPU pixels), to show with its result. */
  shownFrame?: OffscreenCanvas;
}

export interface LiveLoopHandlers {
  frameOptions: () => FrameOptions;
  onResult: (r: FrameResult, stats: LiveLoopStats) => void;
  onError: (message: string) => void;
  /**
   * Keep a CPU copy of each frame sent, handed back with its result (LiveView's analysed-frame
   * preview on a software GPU). Two canvases take turns, so the one being shown is not the one
   * the next frame is written into.
   */
  keepFrames?: boolean;
}

/** A CPU-backed copy of a frame (willReadFrequently keeps Chromium's canvas off the GPU). */
function copyFrame(into: OffscreenCanvas | undefined, image: VideoFrame | ImageData): OffscreenCanvas {
  const w = image instanceof ImageData ? image.width : image.displayWidth;
  const h = image instanceof ImageData ? image.height : image.displayHeight;
  const c = into && into.width === w && into.height === h ? into : new OffscreenCanvas(w, h);
  const ctx = c.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('2D canvas not available for the preview');
  if (image instanceof ImageData) ctx.putImageData(image, 0, 0);
  else ctx.drawImage(image, 0, 0, w, h);
  return c;
}

export function startLiveLoop(video: HTMLVideoElement, client: InferenceClient, h: LiveLoopHandlers): () => void {
  let stopped = false;
  let busy = false;
  const frameTimes: number[] = [];
  const source = openFrameSource(video);
  const kept: (OffscreenCanvas | undefined)[] = [undefined, undefined];
  let turn = 0;

  const pump = (): void => {
    if (stopped || busy) return;
    let frame;
    try {
      frame = source.take();
    } catch (e) {
      h.onError((e as Error).message);
      return;
    }
    if (!frame) return;
    busy = true;
    const { arrivedAt } = frame;
    let shownFrame: OffscreenCanvas | undefined;
    if (h.keepFrames) {
      // Before the transfer below detaches the frame.
      turn = 1 - turn;
      try {
        shownFrame = kept[turn] = copyFrame(kept[turn], frame.image);
      } catch {
        shownFrame = undefined;
      }
    }
    client
      .detectForVideo(frame.image, performance.now(), h.frameOptions())
      .then((result) => {
        if (stopped) return;
        const now = performance.now();
        frameTimes.push(now);
        while (frameTimes.length > 1 && now - frameTimes[0] > 2000) frameTimes.shift();
        const fps = frameTimes.length > 1 ? ((frameTimes.length - 1) * 1000) / (now - frameTimes[0]) : 0;
        h.onResult(result, { fps, latencyMs: now - arrivedAt, framePath: source.path, shownFrame });
      })
      .catch((e: unknown) => {
        if (!stopped) h.onError((e as Error).message);
      })
      .finally(() => {
        busy = false;
        pump();
      });
  };

  source.onFrame = pump;
  return () => {
    stopped = true;
    source.stop();
  };
}
