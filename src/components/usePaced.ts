/**
 * A value shown at most once per `minIntervalMs`: the first change at once, later ones held until
 * the interval is over, and then the newest is shown (the last value is never lost).
 *
 * Why (issue #16): on a software GPU (SwiftShader: VMs, remote desktops, CI) every repainted
 * pixel of the page is rastered and composited on the CPU the inference needs. The live view's
 * numbers changed with every result; the performance panel alone cost ≈ 6 ms of SwiftShader CPU
 * per analysed frame, for figures nobody reads 15 times a second.
 */
import { useEffect, useRef, useState } from 'react';
import { drawDelayMs } from './pacing';

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
