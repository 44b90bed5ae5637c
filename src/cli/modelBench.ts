/**
 * onnxruntime-web latency for `npm run bench`: one model, given inputs, N runs, in this page.
 * Uses the same runtime files and settings as the app's worker (ortSession.ortRuntime).
 */
import { appAssetUrls } from '../worker/assetUrls';
import { configureOrtEnv, ortRuntime } from '../core/inference/ortSession';

export interface ModelBenchRequest {
  modelUrl: string;
  inputName: string;
  dims: number[];
  /** Flat float32 inputs, one per run (cycled). */
  inputs: number[][];
  runs: number;
  warmup: number;
  ep: 'wasm' | 'webgpu';
  numThreads: number;
  /** Default 'all', as the app opens its sessions. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

export async function benchModel(req: ModelBenchRequest): Promise<{ timesMs: number[]; firstOutput: number[] }> {
  // The app's runtime choice: the plain WASM build for the WASM EP, the asyncify one for WebGPU.
  configureOrtEnv(appAssetUrls(), req.numThreads);
  const ort = await ortRuntime(req.ep);
  const bytes = new Uint8Array(await (await fetch(req.modelUrl)).arrayBuffer());
  const session = await ort.InferenceSession.create(bytes, { executionProviders: [req.ep], graphOptimizationLevel: req.graphOptimizationLevel ?? 'all' });
  const tensors = req.inputs.map((x) => new ort.Tensor('float32', Float32Array.from(x), req.dims));
  let firstOutput: number[] = [];
  for (let i = 0; i < req.warmup; i++) await session.run({ [req.inputName]: tensors[i % tensors.length] });
  const timesMs: number[] = [];
  for (let i = 0; i < req.runs; i++) {
    const t0 = performance.now();
    const out = await session.run({ [req.inputName]: tensors[i % tensors.length] });
    timesMs.push(performance.now() - t0);
    if (i === 0) firstOutput = Array.from(Object.values(out)[0].data as Float32Array);
  }
  await session.release();
  return { timesMs, firstOutput };
}
