/** Which times of a video to analyse, for a chosen sampling rate. Pure. */

export interface FrameSampling {
  times: number[];
  /** Set when the video was longer than maxFrames allows at this rate. */
  capped?: string;
}

/**
 * Times (seconds) at `fps` samples per second, starting at 0 and strictly before the end.
 * `maxFrames` bounds one video's share of a batch; a longer video is sampled more sparsely,
 * evenly over its whole length, and says so.
 */
export function sampleTimes(duration: number, fps: number, maxFrames = 3000): FrameSampling {
  if (!Number.isFinite(duration) || duration <= 0) return { times: [] };
  if (!Number.isFinite(fps) || fps <= 0) throw new Error(`sampling rate must be positive, got ${fps}`);
  // Avoid the last instant: seeking to exactly `duration` often yields no frame.
  const end = duration - 1e-3;
  let n = Math.floor(end * fps + 1e-9) + 1;
  let step = 1 / fps;
  let capped: string | undefined;
  if (n > maxFrames) {
    capped = `video is ${duration.toFixed(1)} s: sampled ${maxFrames} frames evenly instead of ${n} at ${fps}/s`;
    n = maxFrames;
    step = end / (maxFrames - 1 || 1);
  }
  const times = Array.from({ length: n }, (_, i) => Math.round(i * step * 1000) / 1000).filter((t) => t <= end);
  return { times, capped };
}

/** Path of one sampled frame, e.g. `clips/a.webm#t=1.500`. */
export const framePath = (videoPath: string, time: number) => `${videoPath}#t=${time.toFixed(3)}`;
