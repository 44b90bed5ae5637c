/**
 * The one "at most once per interval" rule of the live view's paced displays: the ICT head's
 * redraws (ictHead/drawPacing.ts), the bars and VA disc (gaugePacing.ts) and the performance
 * panel's figures (usePaced.ts).
 */

/**
 * How long to hold a new input before drawing it: 0 = draw now. `lastDrawAt` is when the last
 * draw started (−Infinity before the first), all times in the same clock (performance.now()).
 */
export function drawDelayMs(lastDrawAt: number, now: number, minIntervalMs: number): number {
  if (!(minIntervalMs > 0)) return 0;
  const wait = lastDrawAt + minIntervalMs - now;
  // A clock that went backwards (or a stale lastDrawAt from the future) must not hold a draw forever.
  return wait > 0 && wait <= minIntervalMs ? wait : 0;
}

/**
 * When a held input is drawn if no newer one comes: one more interval after it is due. Live, the
 * next result (every 50–70 ms) normally comes first and the held display is drawn with it, in the
 * same composited frame as the overlay; a timer of its own made each draw one more composited
 * frame, which on a software GPU costs CPU (issue #16). The last result is still drawn.
 */
export function heldDrawTimerMs(wait: number, minIntervalMs: number): number {
  return wait + Math.max(0, minIntervalMs);
}

/** On a software rasteriser: the live view's paced parts change at most 10 times a second (≈ every other result at 15–20 FPS). */
export const SOFTWARE_LIVE_MIN_INTERVAL_MS = 100;

export interface LivePacing {
  minIntervalMs: number;
  /** For the performance panel. */
  label: string;
}

/**
 * A live display's pacing: `software` is the software rasteriser's name (render3d/softwareGl.ts),
 * undefined on a hardware GPU (every result); `override` a bench-only interval (benchSkip.ts).
 */
export function softwareLivePacing(software: string | undefined, override?: number): LivePacing {
  if (software === undefined) return { minIntervalMs: 0, label: 'every result' };
  const ms = override ?? SOFTWARE_LIVE_MIN_INTERVAL_MS;
  if (ms <= 0) return { minIntervalMs: 0, label: `every result (forced by the URL, software GPU ${software})` };
  return { minIntervalMs: ms, label: `at most ${(1000 / ms).toFixed(0)}/s (software GPU: ${software})` };
}
