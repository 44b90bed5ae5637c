import { describe, expect, it } from 'vitest';
import { ITEMS_ON_LENT_WORKER, ITEMS_ON_LENT_WORKER_ALONE, ITEMS_PER_WORKER, MAX_BATCH_WORKERS, batchPoolSize, fitsLentWorker, lentPoolSize, plannedItems } from '../../src/batch/poolSize';

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

describe('plannedItems', () => {
  const images = (n: number) => Array.from({ length: n });
  it('a plan without video: its images (other files need no worker)', () => {
    expect(plannedItems({ images: images(3), videos: [] }, undefined, 5)).toBe(3);
    expect(plannedItems({ images: [], videos: [] }, undefined, 5)).toBe(0);
  });
  it('videos add their frames at the sampling rate, as buildItems samples them', () => {
    // 2.1 s at 5/s: t = 0, 0.2, …, 2.0 (11 frames); at 2/s: 0, 0.5, …, 2.0 (5 frames).
    const lengths = { durations: [2.1], complete: true };
    expect(plannedItems({ images: images(4), videos: ['v'] }, lengths, 5)).toBe(4 + 11);
    expect(plannedItems({ images: images(4), videos: ['v'] }, lengths, 2)).toBe(4 + 5);
    expect(plannedItems({ images: [], videos: ['a', 'b'] }, { durations: [2.1, 10], complete: true }, 1)).toBe(3 + 10);
  });
  it('an unreadable video gives no frame (it becomes an error row without a worker)', () => {
    expect(plannedItems({ images: images(2), videos: ['v', 'bad'] }, { durations: [1, null], complete: true }, 5)).toBe(2 + 5);
  });
  it('unknown lengths count as a large run: still reading, not read, or read for another plan', () => {
    expect(plannedItems({ images: [], videos: ['v'] }, undefined, 5)).toBe(Infinity);
    expect(plannedItems({ images: [], videos: ['v', 'w'] }, { durations: [1], complete: false }, 5)).toBe(Infinity);
    expect(plannedItems({ images: [], videos: ['v', 'w'] }, { durations: [1], complete: true }, 5)).toBe(Infinity);
  });
  it('the pool follows the count', () => {
    const long = { durations: [60], complete: true }; // 300 frames at 5/s
    expect(batchPoolSize(plannedItems({ images: [], videos: ['v'] }, long, 5))).toBe(2);
    expect(batchPoolSize(plannedItems({ images: [], videos: ['v'] }, long, 1))).toBe(1); // 60 frames
  });
});

describe('fitsLentWorker', () => {
  it("up to ITEMS_ON_LENT_WORKER items run on the live view's worker; more, or an unknown count, get their own pool", () => {
    expect(fitsLentWorker(1)).toBe(true);
    expect(fitsLentWorker(ITEMS_ON_LENT_WORKER)).toBe(true);
    expect(fitsLentWorker(ITEMS_ON_LENT_WORKER + 1)).toBe(false);
    expect(fitsLentWorker(Infinity)).toBe(false);
  });
});

describe('lentPoolSize', () => {
  it('the lent worker runs a few items alone; beyond that, workers of the run\'s own join it up to the pool\'s size', () => {
    expect(lentPoolSize(1)).toBe(1);
    expect(lentPoolSize(ITEMS_ON_LENT_WORKER_ALONE)).toBe(1);
    expect(lentPoolSize(ITEMS_ON_LENT_WORKER_ALONE + 1)).toBe(MAX_BATCH_WORKERS);
    expect(lentPoolSize(ITEMS_ON_LENT_WORKER_ALONE + 1, 3)).toBe(3);
    expect(lentPoolSize(ITEMS_ON_LENT_WORKER_ALONE + 1, 1)).toBe(1);
    expect(lentPoolSize(ITEMS_ON_LENT_WORKER_ALONE + 1, 0)).toBe(1);
  });
});
