/**
 * The ONNX session worker: holds the pack's onnxruntime-web sessions for one inference worker
 * (sessionHost.ts is its other end). Why a worker of its own (start-up, issue #16): ORT's
 * set-up — its runtime, wasm functions compiled on first call, graph optimisation, the warm-up
 * run — took ≈ 0.4 s of the inference worker's one thread, after MediaPipe's ≈ 0.5 s; here it
 * runs on the second core while MediaPipe sets up. Requests are handled as they arrive, the way
 * the same calls ran on the inference worker's thread before.
 */
/// <reference lib="webworker" />
import { configureOrtEnv, ModelSession, ortRuntime, PackMismatchError, webgpuDeviceLost } from '../core/inference/ortSession';
import { destroyWebGpuDevice } from '../core/inference/ortSession';
import { startupMark } from '../core/startupMarks';
import { resolveEp } from '../core/inference/epPolicy';
import type { Fetches } from '../core/inference/ortSession';
import type { CreatedSession, FromSessionHost, ToSessionHost } from './sessionHostProtocol';

declare const self: DedicatedWorkerGlobalScope;

startupMark('sessions-worker:start');

const sessions = new Map<number, ModelSession>();
let nextSid = 1;
let watchingDevice = false;

function post(msg: FromSessionHost, transfer: Transferable[] = []): void {
  self.postMessage(msg, transfer);
}

function session(sid: number): ModelSession {
  const s = sessions.get(sid);
  if (!s) throw new Error(`ONNX session ${sid} is not open`);
  return s;
}

async function handle(msg: ToSessionHost): Promise<{ value?: unknown; transfer?: Transferable[] }> {
  switch (msg.type) {
    case 'configure':
      configureOrtEnv(msg.assets, msg.numThreads);
      // The runtime's script and wasm start loading now, before the pack's bytes arrive.
      void ortRuntime(msg.firstEp).catch(() => undefined);
      return {};
    case 'resolveEp':
      return { value: await resolveEp(msg.preference) };
    case 'create': {
      const s = await ModelSession.create(msg.spec, msg.ep);
      startupMark(`sessions-worker:created-${msg.spec.id}`);
      const sid = nextSid++;
      sessions.set(sid, s);
      if (s.ep === 'webgpu' && !watchingDevice) {
        watchingDevice = true;
        void webgpuDeviceLost().then((reason) => post({ type: 'deviceLost', reason }));
      }
      return { value: { sid, ep: s.ep } satisfies CreatedSession };
    }
    case 'run': {
      const out: Fetches = await session(msg.sid).run(msg.feeds);
      // Fresh arrays per run (ModelSession copies them out of ORT): moved, not cloned.
      return { value: out, transfer: Object.values(out).map((t) => t.data.buffer as ArrayBuffer) };
    }
    case 'moveToWasm':
      await session(msg.sid).moveToWasm();
      return {};
    case 'release': {
      const s = sessions.get(msg.sid);
      sessions.delete(msg.sid);
      await s?.release();
      return {};
    }
    case 'destroyDevice':
      await destroyWebGpuDevice();
      return {};
  }
}

self.onmessage = (ev: MessageEvent<ToSessionHost>) => {
  const msg = ev.data;
  handle(msg).then(
    ({ value, transfer }) => post({ type: 'reply', id: msg.id, ok: true, value }, transfer),
    (e: unknown) => post({ type: 'reply', id: msg.id, ok: false, error: e instanceof Error ? e.message || e.name : String(e), mismatch: e instanceof PackMismatchError }),
  );
};
