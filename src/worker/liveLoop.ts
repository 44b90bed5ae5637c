/**
 * Drives live inference. At most one frame in flight, so a slow device lowers the FPS instead of
 * building a queue (and latency) behind it; a frame that arrives while the worker is busy
 * replaces the one waiting, and the loop never waits for the next camera frame when one arrived
 * during the last run. Two ways, the first this browser allows:
 *
 * - `track-processor-worker`: the camera track's `MediaStreamTrackProcessor` stream is transferred
 *   to the worker, which reads the frames and runs them itself (workerLive.ts); the page only
 *   receives results. The next frame starts as soon as the last is done, not after its result has
 *   crossed the page's main thread and the next frame has come back (issue #16).
 * - the page hands frames over (frameSource.ts: `track-processor` VideoFrames, or `canvas`
 *   ImageData where there is no MediaStreamTrackProcessor): the newest goes to the worker when
 *   the previous result is back.
 */
import type { FrameResult } from '../core/types';
import type { FrameOptions } from '../core/pipelineTypes';
import type { InferenceClient, LiveFrameOutcome, LiveHandle } from './inferenceClient';
import { openFrameSource, trackProcessor, type FramePath } from './frameSource';
import type { LentPixels } from './lentPixels';

/** The analysed frame as CPU pixels (a bitmap or lent pixels from the worker, or the page's own copy). */
export type ShownFrame = ImageBitmap | LentPixels | OffscreenCanvas;

export interface LiveLoopStats {
  /** Results per second over the last 2 s. */
  fps: number;
  /** From the frame reaching the page (or, on the worker path, the worker) to its result on the page. */
  latencyMs: number;
  framePath: FramePath | 'track-processor-worker';
  /** With `keepFrames`: the analysed frame itself (CPU pixels), to show with its result. */
  shownFrame?: ShownFrame;
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

/** Frame options are flat records of primitives: equal when every field is. */
function sameOptions(a: FrameOptions, b: FrameOptions): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof FrameOptions)[]);
  for (const k of keys) if (!Object.is(a[k], b[k])) return false;
  return true;
}

/** Results per second over the last 2 s (`times` is updated in place). */
function resultRate(times: number[], now: number): number {
  times.push(now);
  while (times.length > 1 && now - times[0] > 2000) times.shift();
  return times.length > 1 ? ((times.length - 1) * 1000) / (now - times[0]) : 0;
}

/** Stops the loop; resolves once no frame of it is running any more (the worker's loop has ended). */
export type StopLiveLoop = () => Promise<void>;

export function startLiveLoop(video: HTMLVideoElement, client: InferenceClient, h: LiveLoopHandlers): StopLiveLoop {
  return startWorkerLoop(video, client, h) ?? startPageLoop(video, client, h);
}

/** The worker reads the camera itself; undefined when this browser cannot (no processor, or the stream does not transfer). */
function startWorkerLoop(video: HTMLVideoElement, client: InferenceClient, h: LiveLoopHandlers): StopLiveLoop | undefined {
  const stream = video.srcObject;
  const cameraTrack = stream instanceof MediaStream ? stream.getVideoTracks()[0] : undefined;
  const Processor = trackProcessor();
  if (!cameraTrack || !Processor || typeof VideoFrame === 'undefined') return undefined;
  // A clone: stopping the loop ends the track it reads, which must not be the one the <video> shows.
  const track = cameraTrack.clone();
  let sentOptions = h.frameOptions();
  let handle: LiveHandle;
  try {
    const { readable } = new Processor({ track, maxBufferSize: 1 });
    handle = client.startLive(readable, sentOptions, !!h.keepFrames, onFrame);
  } catch {
    track.stop();
    return undefined;
  }
  let stopped = false;
  const frameTimes: number[] = [];
  function onFrame(m: LiveFrameOutcome): void {
    if (stopped) {
      if (m.ok) m.shownFrame?.close();
      return;
    }
    // The settings the user has now, for the frames after this one (sent only when they changed).
    const options = h.frameOptions();
    if (!sameOptions(options, sentOptions)) {
      handle.setOptions(options);
      sentOptions = options;
    }
    if (!m.ok) return h.onError(m.error);
    const now = performance.now();
    const latencyMs = performance.timeOrigin + now - m.arrivedAtEpochMs;
    h.onResult(m.value, { fps: resultRate(frameTimes, now), latencyMs, framePath: 'track-processor-worker', shownFrame: m.shownFrame });
  }
  handle.ended.catch((e: unknown) => {
    if (!stopped) h.onError((e as Error).message);
  });
  return () => {
    stopped = true;
    handle.stop();
    track.stop();
    return handle.ended.catch(() => undefined);
  };
}

function startPageLoop(video: HTMLVideoElement, client: InferenceClient, h: LiveLoopHandlers): StopLiveLoop {
  let stopped = false;
  let busy = false;
  let inFlight: Promise<void> | undefined;
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
    inFlight = client
      .detectForVideo(frame.image, performance.now(), h.frameOptions())
      .then((result) => {
        if (stopped) return;
        const now = performance.now();
        h.onResult(result, { fps: resultRate(frameTimes, now), latencyMs: now - arrivedAt, framePath: source.path, shownFrame });
      })
      .catch((e: unknown) => {
        if (!stopped) h.onError((e as Error).message);
      })
      .finally(() => {
        busy = false;
        inFlight = undefined;
        pump();
      });
  };

  source.onFrame = pump;
  return () => {
    stopped = true;
    source.stop();
    return inFlight ?? Promise.resolve();
  };
}
