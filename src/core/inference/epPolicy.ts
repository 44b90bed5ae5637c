/**
 * Execution-provider policy, in one place: which EP a pack opens on, and the WebGPU → WASM
 * fallback (at load, and at run time after a failure or a lost device).
 *
 * "Auto" means the fastest backend that works here, by measurement: `resolveEp` rules out a
 * missing or software WebGPU adapter before anything loads, `pickFaster` times the pack's
 * models on both backends otherwise, `openOnEp` opens with the load-time fallback, and `EpGuard`
 * owns the run-time one; the branches only ever call `guard.run`.
 */
import type { ExecutionProvider } from '../types';
import type { EpPreference } from '../pipelineTypes';
import { PackMismatchError, webgpuDeviceLost, type ModelSession } from './ortSession';

/** What a WebGPU adapter says about itself (GPUAdapterInfo, plus the older adapter flag). */
export interface AdapterFacts {
  isFallbackAdapter?: boolean;
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

/** Names software rasterisers use for themselves in GPUAdapterInfo. */
const SOFTWARE_NAMES: [RegExp, string][] = [
  [/swiftshader/i, 'SwiftShader'],
  [/llvmpipe/i, 'llvmpipe'],
  [/lavapipe/i, 'lavapipe'],
  [/microsoft basic render|\bwarp\b/i, 'Microsoft Basic Render Driver'],
];

/**
 * Why this adapter is a software one (e.g. "SwiftShader"), or undefined for a real GPU.
 * A software adapter runs these models 50–200× slower than WASM (issue #16 measured the 2D model
 * at 1,126 ms on SwiftShader vs 17 ms on WASM), so Auto never picks it.
 */
export function softwareAdapter(info: AdapterFacts): string | undefined {
  const text = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  for (const [re, name] of SOFTWARE_NAMES) if (re.test(text)) return name;
  if (info.isFallbackAdapter) return text.trim() ? `fallback adapter: ${text.trim()}` : 'fallback adapter';
  return undefined;
}

/** The resolved EP and, for Auto, whether timing both backends must decide. */
export interface EpChoice {
  ep: ExecutionProvider;
  note?: string;
  /** Auto on a hardware adapter: time the models on both EPs before settling (pickFaster). */
  measure?: boolean;
}

async function adapterFacts(): Promise<{ facts?: AdapterFacts; reason?: string }> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return { reason: 'WebGPU is not available in this browser' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { reason: 'no WebGPU adapter' };
    const a = adapter as GPUAdapter & { isFallbackAdapter?: boolean; info?: GPUAdapterInfo & { isFallbackAdapter?: boolean } };
    const info = a.info;
    return {
      facts: {
        isFallbackAdapter: info?.isFallbackAdapter ?? a.isFallbackAdapter,
        vendor: info?.vendor,
        architecture: info?.architecture,
        device: info?.device,
        description: info?.description,
      },
    };
  } catch (e) {
    return { reason: `WebGPU adapter request failed: ${(e as Error).message}` };
  }
}

/**
 * 'wasm' → WASM. 'webgpu' → WebGPU when an adapter answers (a user may force even a software
 * one). 'auto' → WASM without an adapter or with a software one; on a hardware adapter both EPs
 * are timed (`measure`, settled by pickFaster). Every Auto decision carries a note saying why.
 */
export async function resolveEp(choice: EpPreference): Promise<EpChoice> {
  if (choice === 'wasm') return { ep: 'wasm' };
  const { facts, reason } = await adapterFacts();
  if (reason) return { ep: 'wasm', note: choice === 'webgpu' ? `${reason}: using WASM instead` : `auto: ${reason}: using WASM` };
  if (choice === 'webgpu') return { ep: 'webgpu' };
  const software = softwareAdapter(facts!);
  if (software) return { ep: 'wasm', note: `auto: WebGPU adapter is software (${software}): using WASM` };
  return { ep: 'webgpu', measure: true };
}

/**
 * Whether picking `wanted` needs the pack opened again. Forcing the EP that already runs changes
 * nothing the pipeline does (the preference is only read when it opens), so the switch is
 * instant: on a software adapter Auto already runs WASM, and "Force WASM" used to throw away and
 * rebuild the landmarker and every session (8–12 s on a 2-core machine) to end where it started.
 * Auto keeps the pipeline only when `auto` — what Auto would choose here, from `resolveEp('auto')`
 * or from the Auto load that opened the running pipeline — needs no timing run and names the EP
 * that runs; without it, Auto reopens (on a hardware adapter it must time both backends).
 */
export function switchNeedsReload(running: ExecutionProvider | undefined, wanted: EpPreference, auto?: EpChoice): boolean {
  if (wanted === 'auto') return !auto || auto.measure === true || running === undefined || auto.ep !== running;
  return running !== wanted;
}

const fmtMs = (ms: number) => `${ms.toLocaleString('en-US', { maximumFractionDigits: ms < 10 ? 1 : 0 })} ms`;

/**
 * Auto on a hardware adapter: `time(ep)` gives the median warm run of the pack's models on `ep`
 * (summed over models); the faster EP wins, and the note gives both figures. A backend that
 * fails to open or run loses.
 */
export async function pickFaster(time: (ep: ExecutionProvider) => Promise<number>): Promise<EpChoice & { timings: Partial<Record<ExecutionProvider, number>> }> {
  const timings: Partial<Record<ExecutionProvider, number>> = {};
  const errors: string[] = [];
  for (const ep of ['wasm', 'webgpu'] as const) {
    try {
      timings[ep] = await time(ep);
    } catch (e) {
      errors.push(`${ep}: ${(e as Error).message}`);
    }
  }
  const { wasm, webgpu } = timings;
  if (wasm === undefined && webgpu === undefined) throw new Error(`no backend could run the models (${errors.join('; ')})`);
  if (webgpu === undefined) return { ep: 'wasm', note: `auto: WebGPU failed the timing run (${errors.join('; ')}): using WASM`, timings };
  if (wasm === undefined) return { ep: 'webgpu', note: `auto: WASM failed the timing run (${errors.join('; ')}): using WebGPU`, timings };
  const ep = webgpu < wasm ? 'webgpu' : 'wasm';
  return { ep, note: `auto: WASM ${fmtMs(wasm)} vs WebGPU ${fmtMs(webgpu)} per frame's models`, timings };
}

/**
 * Open the pack's sessions on `ep`; when WebGPU fails to open them, open them all on WASM and
 * say why. A PackMismatchError is the pack's fault (it would fail on WASM too): thrown as is.
 */
export async function openOnEp<T>(
  choice: EpChoice,
  open: (ep: ExecutionProvider) => Promise<T>,
): Promise<{ ep: ExecutionProvider; note?: string; opened: T }> {
  try {
    return { ...choice, opened: await open(choice.ep) };
  } catch (e) {
    if (choice.ep !== 'webgpu' || e instanceof PackMismatchError) throw e;
    return { ep: 'wasm', note: `WebGPU failed (${(e as Error).message}): using WASM`, opened: await open('wasm') };
  }
}

export type EpStatusListener = (s: { ep: ExecutionProvider; message: string }) => void;

/**
 * Run-time fallback: every model runs through `run`; a WebGPU failure (or a lost device) moves
 * every session to WASM once, tells the listeners, and retries the call.
 */
export class EpGuard {
  private gpuLost = false;
  private readonly listeners: EpStatusListener[] = [];

  constructor(
    private current: ExecutionProvider,
    private readonly sessions: () => readonly ModelSession[],
  ) {
    if (current === 'webgpu') {
      void webgpuDeviceLost().then((reason) => {
        this.gpuLost = true;
        this.emit(`WebGPU device lost (${reason}); switching to WASM`);
      });
    }
  }

  get ep(): ExecutionProvider {
    return this.current;
  }

  onStatus(cb: EpStatusListener): void {
    this.listeners.push(cb);
  }

  /** Run `fn` on `session`; a WebGPU failure moves every model to WASM and retries once. */
  async run<T>(session: { ep: ExecutionProvider }, fn: () => Promise<T>): Promise<T> {
    if (this.gpuLost && this.current === 'webgpu') await this.fallBackToWasm('the WebGPU device was lost');
    try {
      return await fn();
    } catch (e) {
      if (session.ep !== 'webgpu') throw e;
      // Any WebGPU failure falls back; the text only picks the wording (a lost device surfaces
      // inside ORT as a failed buffer map: say what happened, not how).
      const msg = (e as Error).message;
      await this.fallBackToWasm(this.gpuLost || /device (was )?lost/i.test(msg) ? 'the WebGPU device was lost' : `WebGPU run failed: ${msg}`);
      return fn();
    }
  }

  private async fallBackToWasm(reason: string): Promise<void> {
    if (this.current === 'wasm') return;
    this.current = 'wasm';
    await Promise.all(this.sessions().map((s) => s.moveToWasm()));
    this.emit(`now running on WASM: ${reason}`);
  }

  private emit(message: string): void {
    for (const l of this.listeners) l({ ep: this.current, message });
  }
}
