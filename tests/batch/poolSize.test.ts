import { describe, expect, it } from 'vitest';
import { ITEMS_ON_LENT_WORKER, ITEMS_PER_WORKER, MAX_BATCH_WORKERS, batchPoolSize, planFitsLentWorker, planPoolSize } from '../../src/batch/poolSize';

describe('batchPoolSize', () => {
  it('one worker until a second has a full share of items', () => {
    expect(batchPoolSize(0, 2)).toBe(1);
    expect(batchPoolSize(1, 2)).toBe(1);
    expect(batchPoolSize(42, 2)).toBe(1);
    expect(batchPoolSize(ITEMS_PER_WORKER, 2)).toBe(1);
    expect(batchPoolSize(ITEMS_PER_WORKER + 1, 2)).toBe(2);
  });
  it('never more than asked for, never fewer than one', () => {
    expect(batchPoolSize(10_000, 2)).toBe(2);
    expect(batchPoolSize(10_000, 4)).toBe(4);
    expect(batchPoolSize(3 * ITEMS_PER_WORKER, 4)).toBe(3);
    expect(batchPoolSize(10_000, 1)).toBe(1);
    expect(batchPoolSize(10_000, 0)).toBe(1);
    expect(batchPoolSize(10_000)).toBe(MAX_BATCH_WORKERS);
  });
});

describe('planPoolSize', () => {
  it('images decide; any video gets the full pool (its frames are not known yet); other files need no worker', () => {
    expect(planPoolSize({ images: [1, 2, 3], videos: [] }, 2)).toBe(1);
    expect(planPoolSize({ images: Array.from({ length: ITEMS_PER_WORKER + 1 }), videos: [] }, 2)).toBe(2);
    expect(planPoolSize({ images: [], videos: ['v'] }, 2)).toBe(2);
    expect(planPoolSize({ images: [1], videos: ['v'] }, 3)).toBe(3);
    expect(planPoolSize({ images: [], videos: [] }, 2)).toBe(1);
  });
});

describe('planFitsLentWorker', () => {
  it('images up to ITEMS_ON_LENT_WORKER run on the live view\'s worker; more, or any video, get their own pool', () => {
    expect(planFitsLentWorker({ images: [1], videos: [] })).toBe(true);
    expect(planFitsLentWorker({ images: Array.from({ length: ITEMS_ON_LENT_WORKER }), videos: [] })).toBe(true);
    expect(planFitsLentWorker({ images: Array.from({ length: ITEMS_ON_LENT_WORKER + 1 }), videos: [] })).toBe(false);
    expect(planFitsLentWorker({ images: [], videos: ['v'] })).toBe(false);
  });
});
