/**
 * onnxruntime-web sessions for the pack's models, on WebGPU or WASM.
 *
 * Two runtimes, loaded on demand: a pipeline that opens on WASM uses `onnxruntime-web/wasm`
 * (the plain SIMD-threaded build, 14.2 MB); one that opens on WebGPU uses
 * `onnxruntime-web/webgpu` (the asyncify build, 26.8 MB), which also runs WASM, so after a
 * WebGPU device loss the same models are rebuilt on WASM in place on that runtime (the caller
 * posts a `status` message). Why not one runtime for both: the asyncify build ran the 2D model
 * 2.5–8× slower than the plain one on 1 thread in Node, same model and input (issue #16), and
 * it is the file the default (WASM) path would otherwise download first.
 */
import type * as OrtWebGpu from 'onnxruntime-web/webgpu';
import type { ExecutionProvider } from '../types';

type Ort = typeof OrtWebGpu;

/**
 * The pack does not match its model files (a tensor name, an output size): the pack's fault,
 * so it fails on every EP alike and must not trigger the WebGPU→WASM fallback.
 */
export class PackMismatchError extends Error {
  override name = 'PackMismatchError';
}

export interface OrtAssets {
  /**
   * Absolute URL of the ORT runtime wasm served by the app. With `onnxruntime-web/webgpu`
   * 1.30 this must be ort-wasm-simd-threaded.asyncify.wasm (the JSEP build runs WASM but not WebGPU).
   */
  ortWasm: string;
  /** Absolute URL of the matching .mjs loader; derived from ortWasm when absent. */
  ortMjs?: string;
  /**
   * Absolute URL of the plain ort-wasm-simd-threaded.wasm, for `onnxruntime-web/wasm`. Absent:
   * the WASM EP runs on the asyncify runtime too (slower, larger; still correct).
   */
  ortWasmPlain?: string;
}

let settings: { assets: OrtAssets; numThreads: number } | undefined;
const runtimes: Partial<Record<'wasm' | 'webgpu', Promise<Ort>>> = {};

/** Must run before the first session: ORT reads these once, at runtime initialisation. */
export function configureOrtEnv(assets: OrtAssets, numThreads?: number): void {
  if (settings) return;
  settings = { assets, numThreads: numThreads ?? defaultThreads() };
}

/**
 * The runtime a session on `ep` uses. WASM: the plain build, unless the WebGPU runtime is
 * already up (a fallback after a lost device keeps to one runtime). Loaded once each.
 */
export function ortRuntime(ep: ExecutionProvider): Promise<Ort> {
  if (!settings) throw new Error('configureOrtEnv must run before the first session');
  const { assets, numThreads } = settings;
  const kind = ep === 'webgpu' || runtimes.webgpu || !assets.ortWasmPlain ? 'webgpu' : 'wasm';
  runtimes[kind] ??= (async () => {
    const ort = (kind === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm')) as Ort;
    // Object form, pointing at the exact file: a folder prefix would make ORT guess file names.
    // The .mjs glue is embedded in each bundle; only override it when given.
    const wasm = kind === 'webgpu' ? assets.ortWasm : assets.ortWasmPlain!;
    ort.env.wasm.wasmPaths = kind === 'webgpu' && assets.ortMjs ? { wasm, mjs: assets.ortMjs } : { wasm };
    ort.env.wasm.numThreads = numThreads;
    ort.env.logLevel = 'error';
    return ort;
  })();
  return runtimes[kind]!;
}

/** Threads need SharedArrayBuffer (cross-origin isolation); leave one core for MediaPipe and the UI. */
export function defaultThreads(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (!isolated) return 1;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 2;
  return Math.max(1, Math.min(4, cores - 1));
}

export interface SessionSpec {
  /** Model id from the manifest, used in error messages. */
  id: string;
  bytes: Uint8Array;
  inputs: string[];
  outputs: string[];
}

/** Clear error when the manifest's tensor names don't match the model file. */
export function checkNames(id: string, session: Pick<OrtWebGpu.InferenceSession, 'inputNames' | 'outputNames'>, spec: Pick<SessionSpec, 'inputs' | 'outputs'>): void {
  for (const name of spec.inputs) {
    if (!session.inputNames.includes(name)) {
      throw new PackMismatchError(`model ${id}: input '${name}' not found; the model has: ${session.inputNames.join(', ') || '(none)'}`);
    }
  }
  for (const name of spec.outputs) {
    if (!session.outputNames.includes(name)) {
      throw new PackMismatchError(`model ${id}: output '${name}' not found; the model has: ${session.outputNames.join(', ') || '(none)'}`);
    }
  }
}

export class ModelSession {
  private constructor(
    private session: OrtWebGpu.InferenceSession,
    private ort: Ort,
    readonly spec: SessionSpec,
    public ep: ExecutionProvider,
  ) {}

  static async create(spec: SessionSpec, ep: ExecutionProvider): Promise<ModelSession> {
    const ort = await ortRuntime(ep);
    return new ModelSession(await ModelSession.open(ort, spec, ep), ort, spec, ep);
  }

  private static async open(ort: Ort, spec: SessionSpec, ep: ExecutionProvider): Promise<OrtWebGpu.InferenceSession> {
    let session: OrtWebGpu.InferenceSession;
    try {
      session = await ort.InferenceSession.create(spec.bytes, {
        executionProviders: [ep],
        graphOptimizationLevel: 'all',
        // Outputs are read back every frame anyway; keep them on the CPU.
        preferredOutputLocation: 'cpu',
      });
    } catch (e) {
      let msg = (e as Error).message ?? String(e);
      // onnxruntime-web/webgpu (1.30) is built for the *asyncify* runtime; the JSEP files lack webgpuInit.
      if (/webgpuInit/.test(msg)) msg += ` (the ORT runtime files must be ort-wasm-simd-threaded.asyncify.{mjs,wasm}; got ${String(ort.env.wasm.wasmPaths && (ort.env.wasm.wasmPaths as { mjs?: unknown }).mjs)})`;
      throw new Error(`model ${spec.id}: could not be loaded on ${ep}: ${msg}`, { cause: e });
    }
    try {
      checkNames(spec.id, session, spec);
    } catch (e) {
      await session.release().catch(() => undefined);
      throw e;
    }
    return session;
  }

  /** Run with float32 inputs; returns the requested outputs as Float32Array with dims. */
  async run(feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
    const inputs: Record<string, OrtWebGpu.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) inputs[name] = new this.ort.Tensor('float32', t.data, t.dims);
    const out = await this.session.run(inputs, this.spec.outputs);
    const result: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
    for (const name of this.spec.outputs) {
      const t = out[name];
      if (t.type !== 'float32') throw new Error(`model ${this.spec.id}: output '${name}' is ${t.type}, expected float32`);
      // getData copies from GPU when needed; slice() detaches from ORT's buffer so dispose() is safe.
      result[name] = { data: (t.data as Float32Array).slice(), dims: t.dims };
      t.dispose();
    }
    return result;
  }

  /** Rebuild this model on WASM (after WebGPU device loss). */
  async moveToWasm(): Promise<void> {
    const old = this.session;
    this.ort = await ortRuntime('wasm');
    this.session = await ModelSession.open(this.ort, this.spec, 'wasm');
    this.ep = 'wasm';
    await old.release().catch(() => undefined);
  }

  async release(): Promise<void> {
    await this.session.release().catch(() => undefined);
  }
}

/**
 * Resolves when ORT's WebGPU device is lost (only meaningful after a WebGPU session exists).
 * Never rejects; resolves with the loss reason.
 */
export async function webgpuDeviceLost(): Promise<string> {
  try {
    const ort = await runtimes.webgpu;
    if (!ort) return new Promise(() => undefined);
    const device = await ort.env.webgpu.device;
    if (!device) return new Promise(() => undefined);
    const info = await device.lost;
    return `${info.reason}: ${info.message}`;
  } catch (e) {
    return `WebGPU device unavailable: ${(e as Error).message}`;
  }
}

/** Destroy ORT's WebGPU device (as a GPU reset would); `webgpuDeviceLost` then resolves. */
export async function destroyWebGpuDevice(): Promise<void> {
  const ort = await runtimes.webgpu;
  if (!ort) return;
  const device = await Promise.resolve(ort.env.webgpu.device).catch(() => undefined);
  device?.destroy();
}
