// Which workers a Batch-tab run uses: the live view's (lent) for short runs when it is up,
// otherwise a pool of its own sized by src/batch/poolSize.ts.
import { describe, expect, it } from 'vitest';
import { ITEMS_ON_LENT_WORKER, ITEMS_PER_WORKER, MAX_BATCH_WORKERS } from '../../src/batch/poolSize';
import type { BatchPlan } from '../../src/batch/prepareBatch';
import { poolFor } from '../../src/stores/batchStore';

const plan = (images: number, videos = 0) => ({ images: Array.from({ length: images }), videos: Array.from({ length: videos }), others: [] }) as unknown as BatchPlan;

describe('poolFor', () => {
  it('a short run borrows the live worker when the live pipeline is up', () => {
    expect(poolFor(plan(12), true)).toEqual({ workers: 1, lent: true });
    expect(poolFor(plan(ITEMS_ON_LENT_WORKER), true)).toEqual({ workers: 1, lent: true });
  });
  it('without a ready live pipeline, the same run starts its own worker', () => {
    expect(poolFor(plan(12), false)).toEqual({ workers: 1, lent: false });
    expect(poolFor(plan(ITEMS_PER_WORKER + 1), false)).toEqual({ workers: 2, lent: false });
  });
  it('longer runs and videos get their own pool', () => {
    expect(poolFor(plan(ITEMS_ON_LENT_WORKER + 1), true)).toEqual({ workers: 2, lent: false });
    expect(poolFor(plan(1, 1), true)).toEqual({ workers: MAX_BATCH_WORKERS, lent: false });
    expect(poolFor(undefined, true)).toEqual({ workers: MAX_BATCH_WORKERS, lent: false });
  });
});
