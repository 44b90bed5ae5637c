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
}

export interface LiveLoopHandlers {
  frameOptions: () => FrameOptions;
  onResult: (r: FrameResult, stats: LiveLoopStats) => void;
  onError: (message: string) => void;
}

export function startLiveLoop(video: HTMLVideoElement, client: InferenceClient, h: LiveLoopHandlers): () => void {
  let stopped = false;
  let busy = false;
  const frameTimes: number[] = [];
  const source = openFrameSource(video);

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
    client
      .detectForVideo(frame.image, performance.now(), h.frameOptions())
      .then((result) => {
        if (stopped) return;
        const now = performance.now();
        frameTimes.push(now);
        while (frameTimes.length > 1 && now - frameTimes[0] > 2000) frameTimes.shift();
        const fps = frameTimes.length > 1 ? ((frameTimes.length - 1) * 1000) / (now - frameTimes[0]) : 0;
        h.onResult(result, { fps, latencyMs: now - arrivedAt, framePath: source.path });
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
