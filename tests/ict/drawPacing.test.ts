import { describe, expect, it } from 'vitest';
import { drawDelayMs, heldDrawTimerMs, softwareLivePacing, SOFTWARE_LIVE_MIN_INTERVAL_MS } from '../../src/components/pacing';

describe('live ICT head pacing', () => {
  it('draws the first input at once and holds one that comes sooner than the interval', () => {
    expect(drawDelayMs(-Infinity, 1000, 100)).toBe(0);
    expect(drawDelayMs(1000, 1030, 100)).toBe(70);
    expect(drawDelayMs(1000, 1100, 100)).toBe(0);
    expect(drawDelayMs(1000, 1500, 100)).toBe(0);
  });

  it('never holds without an interval, and never longer than one interval (clock going backwards)', () => {
    expect(drawDelayMs(1000, 1001, 0)).toBe(0);
    expect(drawDelayMs(1000, 1001, NaN)).toBe(0);
    expect(drawDelayMs(5000, 1000, 100)).toBe(0);
  });

  it('leaves a held input to the next result: its own timer fires one interval after it is due', () => {
    // Drawn at 1000, held at 1066 (due at 1100): the result at 1133 draws it; the timer would at 1200.
    expect(1066 + heldDrawTimerMs(drawDelayMs(1000, 1066, 100), 100)).toBe(1200);
    expect(drawDelayMs(1000, 1133, 100)).toBe(0);
    expect(heldDrawTimerMs(70, 0)).toBe(70);
  });

  it('paces only on a software rasteriser, and says so', () => {
    expect(softwareLivePacing(undefined)).toEqual({ minIntervalMs: 0, label: 'every result' });
    const sw = softwareLivePacing('SwiftShader');
    expect(sw.minIntervalMs).toBe(SOFTWARE_LIVE_MIN_INTERVAL_MS);
    expect(sw.label).toBe('at most 10/s (software GPU: SwiftShader)');
    expect(softwareLivePacing('SwiftShader', 0)).toMatchObject({ minIntervalMs: 0 });
    expect(softwareLivePacing('llvmpipe', 200).label).toBe('at most 5/s (software GPU: llvmpipe)');
    // A hardware GPU is never paced, whatever the bench asks.
    expect(softwareLivePacing(undefined, 200).minIntervalMs).toBe(0);
  });
});
