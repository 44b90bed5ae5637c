/**
 * The inference worker's side of its ONNX session worker (sessionHost.worker.ts): a SessionHost
 * (core/inference/ortSession.ts) whose sessions run there. Every call is one request and one
 * reply; tensors are cloned in (the caller may reuse its arrays) and moved back.
 * Where a worker cannot start a worker of its own, `startSessionHost` returns undefined and the
 * sessions stay on the inference worker's thread, as before.
 */
import type { ExecutionProvider } from '../core/types';
import { PackMismatchError, type Feeds, type Fetches, type OnnxSession, type OrtAssets, type SessionHost, type SessionSpec } from '../core/inference/ortSession';
import type { CreatedSession, FromSessionHost, ToSessionHost } from './sessionHostProtocol';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Body = ToSessionHost extends infer M ? (M extends ToSessionHost ? Omit<M, 'id'> : never) : never;

export interface StartedSessionHost extends SessionHost {
  /** Must come before the first `create` (ORT reads these once, at runtime initialisation). */
  configure(assets: OrtAssets, numThreads: number | undefined, firstEp: ExecutionProvider): void;
}

export function startSessionHost(): StartedSessionHost | undefined {
  if (typeof Worker !== 'function') return undefined;
  let worker: Worker;
  try {
    worker = new Worker(new URL('./sessionHost.worker.ts', import.meta.url), { type: 'module', name: 'onnx-sessions' });
  } catch {
    return undefined;
  }
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let failed: string | undefined;
  let lostReason: string | undefined;
  const lostWaiters: ((reason: string) => void)[] = [];

  const failAll = (reason: string) => {
    failed = reason;
    for (const p of pending.values()) p.reject(new Error(reason));
    pending.clear();
  };
  worker.onerror = (ev) => failAll(`the ONNX session worker crashed: ${ev.message || 'script error'}`);
  worker.onmessage = (ev: MessageEvent<FromSessionHost>) => {
    const msg = ev.data;
    if (msg.type === 'deviceLost') {
      lostReason = msg.reason;
      for (const w of lostWaiters.splice(0)) w(msg.reason);
      return;
    }
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (!p) return;
    if (msg.ok) p.resolve(msg.value);
    else p.reject(msg.mismatch ? new PackMismatchError(msg.error) : new Error(msg.error));
  };

  const request = <T>(body: Body, transfer: Transferable[] = []): Promise<T> => {
    if (failed) return Promise.reject(new Error(failed));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      try {
        worker.postMessage({ ...body, id } as ToSessionHost, transfer);
      } catch (e) {
        pending.delete(id);
        reject(e as Error);
      }
    });
  };

  class RemoteSession implements OnnxSession {
    constructor(
      private readonly sid: number,
      readonly spec: SessionSpec,
      public ep: ExecutionProvider,
    ) {}

    run(feeds: Feeds): Promise<Fetches> {
      return request<Fetches>({ type: 'run', sid: this.sid, feeds });
    }

    async moveToWasm(): Promise<void> {
      await request({ type: 'moveToWasm', sid: this.sid });
      this.ep = 'wasm';
    }

    async release(): Promise<void> {
      await request({ type: 'release', sid: this.sid }).catch(() => undefined);
    }
  }

  return {
    configure(assets, numThreads, firstEp) {
      void request({ type: 'configure', assets, numThreads, firstEp }).catch(() => undefined);
    },
    resolveEp(preference) {
      return request({ type: 'resolveEp', preference });
    },
    async create(spec, ep) {
      const { sid, ep: opened } = await request<CreatedSession>({ type: 'create', spec, ep });
      return new RemoteSession(sid, spec, opened);
    },
    deviceLost() {
      if (lostReason !== undefined) return Promise.resolve(lostReason);
      return new Promise<string>((resolve) => lostWaiters.push(resolve));
    },
    async destroyDevice() {
      await request({ type: 'destroyDevice' });
    },
  };
}
