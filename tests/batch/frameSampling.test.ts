import { describe, expect, it } from 'vitest';
import { framePath, sampleTimes } from '../../src/batch/frameSampling';

describe('frame sampling', () => {
  it('samples from 0 at the chosen rate, strictly before the end', () => {
    expect(sampleTimes(2, 5).times).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8]);
    expect(sampleTimes(4.2, 1).times).toEqual([0, 1, 2, 3, 4]);
    expect(sampleTimes(0.05, 5).times).toEqual([0]);
  });

  it('handles unknown or empty durations and rejects bad rates', () => {
    expect(sampleTimes(NaN, 5).times).toEqual([]);
    expect(sampleTimes(Infinity, 5).times).toEqual([]);
    expect(sampleTimes(0, 5).times).toEqual([]);
    expect(() => sampleTimes(2, 0)).toThrow(/positive/);
  });

  it('caps very long videos evenly over their whole length and says so', () => {
    const s = sampleTimes(3600, 10, 100);
    expect(s.times).toHaveLength(100);
    expect(s.times[0]).toBe(0);
    expect(s.times[99]).toBeLessThan(3600);
    expect(s.times[99]).toBeGreaterThan(3599);
    expect(s.capped).toMatch(/100 frames evenly instead of 36000/);
    expect(sampleTimes(10, 2, 100).capped).toBeUndefined();
  });

  it('names frames by video and time', () => {
    expect(framePath('clips/a.webm', 1.5)).toBe('clips/a.webm#t=1.500');
  });
});
