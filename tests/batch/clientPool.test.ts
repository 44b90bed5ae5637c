// The batch pool passes every frame option on to its worker client: the CLI and the Batch tab
// rely on the whole-image fallback and canonical landmarks reaching the pipeline.
import { describe, expect, it, vi } from 'vitest';
import type { FrameOptions } from '../../src/core/pipelineTypes';

const detect = vi.fn(async (_bitmap: unknown, options: Omit<FrameOptions, 'mode'>) => ({ options }));
const restart = vi.fn(async () => {
  throw new Error('landmarker broken');
});
const created: unknown[] = [];
vi.mock('../../src/worker/inferenceClient', () => ({
  InferenceClient: {
    createFromOptions: vi.fn(async (options: unknown) => {
      created.push(options);
      return { info: { ep: 'wasm' }, detect, restart, close: vi.fn() };
    }),
  },
}));

const { PooledClient, createClientPool } = await import('../../src/batch/clientPool');
const pipelineOptions = { packBaseUrl: 'http://127.0.0.1/models/', manifest: {} as never, ep: 'wasm' as const, assets: { ortWasm: '', mediapipeWasmDir: '' } };

describe('PooledClient', () => {
  it('keeps every frame option (whole-image fallback, canonical landmarks, crops)', async () => {
    const [client] = await createClientPool(1, pipelineOptions);
    const bitmap = {} as ImageBitmap;
    const options: FrameOptions = { mode: 'video', fusionMode: 'weighted', weight2d: 0.7, wantCrops: true, wholeImageFallback: 'always', wantCanonicalLandmarks: true };
    await client.detect(bitmap, options);
    expect(detect).toHaveBeenLastCalledWith(bitmap, { fusionMode: 'weighted', weight2d: 0.7, wantCrops: true, wholeImageFallback: 'always', wantCanonicalLandmarks: true });
    await client.detectWithCrops(bitmap, { fusionMode: '2d', weight2d: 1, wholeImageFallback: 'face-crops' });
    expect(detect).toHaveBeenLastCalledWith(bitmap, { fusionMode: '2d', weight2d: 1, wholeImageFallback: 'face-crops' });
  });

  it('replaces the worker when its pipeline cannot be rebuilt; both open their landmarker for still images', async () => {
    created.length = 0;
    const [client] = await createClientPool(1, pipelineOptions);
    await client.restart();
    const still = { ...pipelineOptions, frameMode: 'image' };
    expect(created).toEqual([still, still]);
  });
});

/** The live view's worker as a loan: records how it was given back, and is never to be closed here. */
function loanOfLiveWorker() {
  const lent = { info: { ep: 'wasm' }, detect: vi.fn(async () => ({ lent: true })), restart: vi.fn(async () => undefined), close: vi.fn() };
  const loan = { client: lent as never, release: vi.fn(), failed: vi.fn() };
  return { lent, loan };
}

describe('PooledClient on a lent worker (a short Batch-tab run on the live view\'s worker)', () => {
  it('runs stills on the lent worker and gives it back at the end without closing it', async () => {
    created.length = 0;
    const { lent, loan } = loanOfLiveWorker();
    const client = PooledClient.borrow(loan, pipelineOptions);
    expect(client.borrowed).toBe(true);
    expect(await client.detect({} as ImageBitmap, { mode: 'video', fusionMode: '2d', weight2d: 1 })).toEqual({ lent: true });
    expect(lent.detect).toHaveBeenCalledWith(expect.anything(), { fusionMode: '2d', weight2d: 1 });
    client.close();
    client.close();
    expect(loan.release).toHaveBeenCalledTimes(1);
    expect(lent.close).not.toHaveBeenCalled();
    expect(created).toEqual([]); // no worker of its own was started
  });

  it('a lent worker that crashed: the owner is told, and the run goes on in a worker of its own', async () => {
    created.length = 0;
    const { lent, loan } = loanOfLiveWorker();
    const client = PooledClient.borrow(loan, pipelineOptions);
    await client.replace();
    expect(loan.failed).toHaveBeenCalledTimes(1);
    expect(lent.close).not.toHaveBeenCalled();
    expect(created).toEqual([{ ...pipelineOptions, frameMode: 'image' }]);
    expect(client.borrowed).toBe(false);
    await client.detect({} as ImageBitmap, { mode: 'image', fusionMode: '2d', weight2d: 1 });
    expect(lent.detect).not.toHaveBeenCalled();
    client.close();
    expect(loan.release).not.toHaveBeenCalled();
  });

  it('a lent worker is never rebuilt under its owner: restart gives it back and starts one of its own', async () => {
    created.length = 0;
    const { lent, loan } = loanOfLiveWorker();
    const client = PooledClient.borrow(loan, pipelineOptions);
    await client.restart();
    expect(lent.restart).not.toHaveBeenCalled();
    expect(loan.release).toHaveBeenCalledTimes(1);
    expect(created).toHaveLength(1);
  });
});
