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

const { createClientPool } = await import('../../src/batch/clientPool');
const pipelineOptions = { packBaseUrl: 'http://127.0.0.1/models/', manifest: {} as never, ep: 'wasm' as const, assets: { ortWasm: '', mediapipeWasmDir: '' } };

describe('PooledClient', () => {
  it('keeps every frame option (whole-image fallback, canonical landmarks, crops)', async () => {
    const [client] = await createClientPool(1, pipelineOptions);
    const bitmap = {} as ImageBitmap;
    const options: FrameOptions = { mode: 'video', fusionMode: 'weighted', weight2d: 0.7, wantCrops: true, wholeImageFallback: true, wantCanonicalLandmarks: true };
    await client.detect(bitmap, options);
    expect(detect).toHaveBeenLastCalledWith(bitmap, { fusionMode: 'weighted', weight2d: 0.7, wantCrops: true, wholeImageFallback: true, wantCanonicalLandmarks: true });
    await client.detectWithCrops(bitmap, { fusionMode: '2d', weight2d: 1, wholeImageFallback: true });
    expect(detect).toHaveBeenLastCalledWith(bitmap, { fusionMode: '2d', weight2d: 1, wholeImageFallback: true });
  });

  it('replaces the worker when its pipeline cannot be rebuilt; both open their landmarker for still images', async () => {
    created.length = 0;
    const [client] = await createClientPool(1, pipelineOptions);
    await client.restart();
    const still = { ...pipelineOptions, frameMode: 'image' };
    expect(created).toEqual([still, still]);
  });
});
