// Slider bursts: one evaluation at a time, and a burst during a run becomes exactly one more run.
import { describe, expect, it } from 'vitest';
import { latestWins } from '../../src/worker/latestWins';

describe('latestWins', () => {
  it('runs once now and once more after a burst, never in parallel', async () => {
    let runs = 0;
    let active = 0;
    let maxActive = 0;
    const release: (() => void)[] = [];
    const request = latestWins(async () => {
      runs++;
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((r) => release.push(r));
      active--;
    });
    request();
    request();
    request();
    request();
    expect(runs).toBe(1);
    release.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2);
    release.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
  });

  it('keeps going after a failed run', async () => {
    let runs = 0;
    const request = latestWins(async () => {
      runs++;
      throw new Error('worker gone');
    });
    request();
    await new Promise((r) => setTimeout(r, 0));
    request();
    await new Promise((r) => setTimeout(r, 0));
    expect(runs).toBe(2);
  });
});
