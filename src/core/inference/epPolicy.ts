/**
 * Execution-provider policy, in one place: which EP a pack opens on, and the WebGPU → WASM
 * fallback (at load, and at run time after a failure or a lost device).
 *
 * This is the seam for a measured "Auto" (time each model on each backend and pick per
 * model): `resolveEp` decides before load, `openOnEp` opens with the load-time fallback, and
 * `EpGuard` owns the run-time one; the branches only ever call `guard.run`.
 */
import type { ExecutionProvider } from '../types';
import type { EpPreference } from '../pipelineTypes';
import { PackMismatchError, webgpuDeviceLost, type ModelSession } from './ortSession';

/** 'auto' → WebGPU when an adapter is available, else WASM; the note says why WASM was chosen. */
export async function resolveEp(choice: EpPreference): Promise<{ ep: ExecutionProvider; note?: string }> {
  if (choice === 'wasm') return { ep: 'wasm' };
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  let reason: string | undefined;
  if (!gpu) reason = 'WebGPU is not available in this browser';
  else {
    try {
      if (!(await gpu.requestAdapter())) reason = 'no WebGPU adapter';
    } catch (e) {
      reason = `WebGPU adapter request failed: ${(e as Error).message}`;
    }
  }
  if (!reason) return { ep: 'webgpu' };
  return { ep: 'wasm', note: choice === 'webgpu' ? `${reason}: using WASM instead` : `${reason}: using WASM` };
}

/**
 * Open the pack's sessions on `ep`; when WebGPU fails to open them, open them all on WASM and
 * say why. A PackMismatchError is the pack's fault (it would fail on WASM too): thrown as is.
 */
export async function openOnEp<T>(
  choice: { ep: ExecutionProvider; note?: string },
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
