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
