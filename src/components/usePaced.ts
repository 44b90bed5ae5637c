/**
 * A value shown at most once per `minIntervalMs`: the first change at once, later ones held until
 * the interval is over, and then the newest is shown (the last value is never lost).
 *
 * Why (issue #16): on a software GPU (SwiftShader: VMs, remote desktops, CI) every repainted
 * pixel of the page is rastered and composited on the CPU the inference needs. The live view's
 * numbers changed with every result; the performance panel alone cost ≈ 6 ms of SwiftShader CPU
 * per analysed frame, for figures nobody reads 15 times a second.
 */
import { useEffect, useReducer, useRef, useState } from 'react';
import { drawDelayMs, heldDrawTimerMs } from './pacing';

export function usePaced<T>(value: T, minIntervalMs: number): T {
  const [shown, setShown] = useState(value);
  const shownAt = useRef(-Infinity);
  useEffect(() => {
    if (Object.is(value, shown)) return;
    const show = () => {
      shownAt.current = performance.now();
      setShown(value);
    };
    const wait = drawDelayMs(shownAt.current, performance.now(), minIntervalMs);
    if (wait === 0) {
      show();
      return;
    }
    // A newer value re-runs this effect and clears the timer: the newest one is shown when due.
    const timer = setTimeout(show, wait);
    return () => clearTimeout(timer);
  }, [value, shown, minIntervalMs]);
  return shown;
}

/**
 * Like usePaced, but decided while rendering, so a due value is shown in the same commit (and the
 * same composited frame) as the change that brought it: usePaced's effect would show it one commit
 * later, in a frame of its own. A held value is shown with the next change that comes once the
 * interval is over (that change itself, the newest), and by a timer only when none comes
 * (heldDrawTimerMs). The live gauges use it (gaugePacing.ts): on a software GPU a frame of their
 * own costs CPU the analysis needs.
 */
export function usePacedWithChanges<T>(value: T, minIntervalMs: number): T {
  const shown = useRef<{ value: T; at: number }>({ value, at: -Infinity });
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const current = shown.current;
  let wait = 0;
  if (!Object.is(value, current.value)) {
    const now = performance.now();
    wait = drawDelayMs(current.at, now, minIntervalMs);
    // Decided during render on purpose: the value shown is a function of the props and the time
    // of the last change shown, and showing it now is what keeps it in this commit.
    if (wait === 0) shown.current = { value, at: now };
  }
  const held = !Object.is(value, shown.current.value);
  useEffect(() => {
    if (!held) return;
    const timer = setTimeout(rerender, heldDrawTimerMs(wait, minIntervalMs));
    return () => clearTimeout(timer);
  }, [held, value, wait, minIntervalMs]);
  return shown.current.value;
}
