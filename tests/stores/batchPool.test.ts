// Which workers a Batch-tab run uses: the live view's (lent) for short runs when it is up,
// otherwise a pool of its own sized by src/batch/poolSize.ts.
import { describe, expect, it, vi } from 'vitest';
import { ITEMS_ON_LENT_WORKER, ITEMS_ON_LENT_WORKER_ALONE, ITEMS_PER_WORKER, MAX_BATCH_WORKERS, MAX_VIDEOS_MEASURED } from '../../src/batch/poolSize';
import type { BatchPlan } from '../../src/batch/prepareBatch';
import { poolFor } from '../../src/stores/batchStore';

const plan = (images: number, videos = 0) => ({ images: Array.from({ length: images }), videos: Array.from({ length: videos }), others: [] }) as unknown as BatchPlan;

describe('poolFor', () => {
  it('a short run borrows the live worker when the live pipeline is up', () => {
    expect(poolFor(plan(12), true)).toEqual({ workers: 1, lent: true, items: 12 });
    expect(poolFor(plan(ITEMS_ON_LENT_WORKER_ALONE), true)).toEqual({ workers: 1, lent: true, items: ITEMS_ON_LENT_WORKER_ALONE });
    // Beyond a few dozen, a worker of the run's own joins the lent one.
    expect(poolFor(plan(ITEMS_ON_LENT_WORKER_ALONE + 1), true)).toEqual({ workers: MAX_BATCH_WORKERS, lent: true, items: ITEMS_ON_LENT_WORKER_ALONE + 1 });
    expect(poolFor(plan(ITEMS_ON_LENT_WORKER), true)).toEqual({ workers: MAX_BATCH_WORKERS, lent: true, items: ITEMS_ON_LENT_WORKER });
  });
  it('without a ready live pipeline, the same run starts its own worker', () => {
    expect(poolFor(plan(12), false)).toEqual({ workers: 1, lent: false, items: 12 });
    expect(poolFor(plan(ITEMS_PER_WORKER + 1), false)).toEqual({ workers: 2, lent: false, items: ITEMS_PER_WORKER + 1 });
  });
  it('longer runs get their own pool', () => {
    expect(poolFor(plan(ITEMS_ON_LENT_WORKER + 1), true)).toEqual({ workers: 2, lent: false, items: ITEMS_ON_LENT_WORKER + 1 });
    expect(poolFor(undefined, true)).toEqual({ workers: MAX_BATCH_WORKERS, lent: false, items: Infinity });
  });
  it('a video counts by its frames once its length is read; until then it gets the full pool', () => {
    expect(poolFor(plan(1, 1), true)).toEqual({ workers: MAX_BATCH_WORKERS, lent: false, items: Infinity });
    expect(poolFor(plan(1, 1), true, { durations: [], complete: false }, 5)).toEqual({ workers: MAX_BATCH_WORKERS, lent: false, items: Infinity });
    // A 2.1 s clip: 11 frames at 5/s, with the image 12 items: the live worker runs them.
    expect(poolFor(plan(1, 1), true, { durations: [2.1], complete: true }, 5)).toEqual({ workers: 1, lent: true, items: 12 });
    expect(poolFor(plan(1, 1), false, { durations: [2.1], complete: true }, 5)).toEqual({ workers: 1, lent: false, items: 12 });
    // A 60 s clip at 5/s: 300 frames, a pool of two.
    expect(poolFor(plan(0, 1), true, { durations: [60], complete: true }, 5)).toEqual({ workers: 2, lent: false, items: 300 });
  });
});

describe('the preview reads the videos\u2019 lengths', () => {
  it('each video once, in plan order; an unreadable one counts no frame; more than MAX_VIDEOS_MEASURED are not read', async () => {
    vi.resetModules();
    const probed: string[] = [];
    vi.doMock('../../src/batch/videoFrames', () => ({
      probeVideoDuration: async (file: Blob) => {
        const name = await file.text();
        probed.push(name);
        if (name === 'bad') throw new Error('the video data is corrupt');
        return 2.1;
      },
    }));
    // A fresh store module that reads lengths through the mock above.
    const { useBatchStore, poolFor: pool } = await import('../../src/stores/batchStore');
    const files = (names: string[]) => names.map((n) => ({ path: `clips/${n}.webm`, file: new Blob([n]) }));

    await useBatchStore.getState().setFiles([...files(['a', 'bad']), { path: 'clips/x.png', file: new Blob(['x']) }]);
    await vi.waitFor(() => expect(useBatchStore.getState().videoLengths?.complete).toBe(true));
    expect(probed).toEqual(['a', 'bad']);
    const s = useBatchStore.getState();
    expect(s.videoLengths!.durations).toEqual([2.1, null]);
    // One image and 11 frames of the readable clip (at the default 5/s): the live worker runs them.
    expect(pool(s.plan, true, s.videoLengths, s.fps)).toEqual({ workers: 1, lent: true, items: 12 });

    probed.length = 0;
    const many = Array.from({ length: MAX_VIDEOS_MEASURED + 1 }, (_, i) => `v${i}`);
    await useBatchStore.getState().setFiles(files(many));
    expect(useBatchStore.getState().videoLengths).toBeUndefined();
    await new Promise((r) => setTimeout(r, 20));
    expect(probed).toEqual([]);
    const t = useBatchStore.getState();
    expect(pool(t.plan, true, t.videoLengths, t.fps)).toEqual({ workers: MAX_BATCH_WORKERS, lent: false, items: Infinity });
    vi.doUnmock('../../src/batch/videoFrames');
  });
});
