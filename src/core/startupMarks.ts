/**
 * User-timing marks on the way to the first prediction (issue #16: start-up). They cost next to
 * nothing, show up in Chrome's performance panel (Timings track) for the page and each worker,
 * and `npm run bench -- startup` prints their medians to say where start-up time goes.
 */
export const STARTUP_MARK_PREFIX = 'ig3d:';

export function startupMark(name: string): void {
  try {
    globalThis.performance?.mark?.(STARTUP_MARK_PREFIX + name);
  } catch {
    // A mark must never break what it measures (e.g. a mark buffer full in a long session).
  }
}
