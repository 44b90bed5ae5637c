/**
 * The one "at most once per interval" rule of the live view's paced displays: the ICT head's
 * redraws (ictHead/drawPacing.ts) and the performance panel's figures (usePaced.ts).
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
