/**
 * Drives live inference: grab a video frame, send it to the worker, wait for the result,
 * repeat. One frame in flight at a time, so a slow device lowers the FPS instead of
 * building a queue (and latency) behind it.
 */
import type { FrameResult } from '../core/types';
import type { FrameOptions } from '../core/pipelineTypes';
import type { InferenceClient } from './inferenceClient';

export interface LiveLoopHandlers {
  frameOptions: () => FrameOptions;
  onResult: (r: FrameResult, fps: number) => void;
  onError: (message: string) => void;
}

export function startLiveLoop(video: HTMLVideoElement, client: InferenceClient, h: LiveLoopHandlers): () => void {
  let stopped = false;
  let lastVideoTime = -1;
  const frameTimes: number[] = [];

  const schedule = () => {
    if (stopped) return;
    if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(() => void tick());
    else requestAnimationFrame(() => void tick());
  };

  const tick = async () => {
    if (stopped) return;
    if (video.readyState < 2 || video.currentTime === lastVideoTime || video.videoWidth === 0) return schedule();
    lastVideoTime = video.currentTime;
    try {
      const bitmap = await createImageBitmap(video);
      const result = await client.detectForVideo(bitmap, performance.now(), h.frameOptions());
      if (stopped) return;
      const now = performance.now();
      frameTimes.push(now);
      while (frameTimes.length > 1 && now - frameTimes[0] > 2000) frameTimes.shift();
      const fps = frameTimes.length > 1 ? ((frameTimes.length - 1) * 1000) / (now - frameTimes[0]) : 0;
      h.onResult(result, fps);
    } catch (e) {
      if (!stopped) h.onError((e as Error).message);
    }
    schedule();
  };

  schedule();
  return () => {
    stopped = true;
  };
}
