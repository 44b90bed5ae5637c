/**
 * Timing the pack's image models on one EP, for Auto's choice on a hardware WebGPU adapter
 * (epPolicy.pickFaster): a zero image of the model's input size, one warm-up run (shader
 * compilation, WASM page-in), then the median of a few runs. The 2D models dominate the ONNX
 * time per frame (the 3D head is ≈ 0.3 ms on either EP), so they decide.
 */
import type { ExecutionProvider } from '../types';
import type { Fei2dModel } from '../manifest/schema';
import { ModelSession } from './ortSession';

const TIMED_RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median warm run of `model` on `ep` (ms). */
export async function timeImageModel(model: Fei2dModel, bytes: Uint8Array, ep: ExecutionProvider): Promise<number> {
  const [h, w] = model.input.size;
  const c = model.input.channels;
  const dims = model.input.layout === 'NHWC' ? [1, h, w, c] : [1, c, h, w];
  const session = await ModelSession.create({ id: model.id, bytes, inputs: [model.input.name], outputs: [model.outputs.logits.name] }, ep);
  try {
    const feeds = { [model.input.name]: { data: new Float32Array(h * w * c), dims } };
    await session.run(feeds);
    const times: number[] = [];
    for (let i = 0; i < TIMED_RUNS; i++) {
      const t0 = performance.now();
      await session.run(feeds);
      times.push(performance.now() - t0);
    }
    return median(times);
  } finally {
    await session.release();
  }
}

/** Sum over the pack's 2D models of their median warm run on `ep` (ms). */
export async function timeImageModels(models: { model: Fei2dModel; bytes: Uint8Array }[], ep: ExecutionProvider): Promise<number> {
  let total = 0;
  for (const m of models) total += await timeImageModel(m.model, m.bytes, ep);
  return total;
}
