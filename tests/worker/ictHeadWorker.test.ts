// The ICT head's loader worker (issue #16) and its page-side client, in Node: the real worker module
// behind a stand-in Worker that clones (and transfers) every message as a browser would; fetch serves
// public/models. Message shapes, transfer, errors, retry after a failure, and the in-page fallback.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { prepareIctHead, preparedIctHeadBuffers } from '../../src/core/ict/preparedIctHead';
import type { IctFileRef, IctHeadReply, IctHeadRequest } from '../../src/worker/ictHeadProtocol';
import { differences } from '../ict/differences';

const ORIGIN = 'http://app.test/';
const real: Record<string, Uint8Array> = {
  'models/ict_head.bin': new Uint8Array(readFileSync('public/models/ict_head.bin')),
  'models/ict_head_lod.bin': new Uint8Array(readFileSync('public/models/ict_head_lod.bin')),
};
/** What the stand-in server answers per path: bytes, or an HTTP status. */
let served: Record<string, Uint8Array | number>;
let fetched: string[];
const ref = (file: string, what: string): IctFileRef => ({ url: ORIGIN + file, what, shownAs: file });
const HEAD = ref('models/ict_head.bin', 'ICT head asset');
const LOD = ref('models/ict_head_lod.bin', 'ICT head LOD');

/** The worker module's global scope: it sets onmessage; its postMessage goes to the Worker that sent the request. */
const scope: { onmessage?: (ev: { data: IctHeadRequest }) => void; postMessage: (msg: IctHeadReply, transfer?: Transferable[]) => void } = {
  postMessage: () => undefined,
};
let workerMode: 'ok' | 'throws' | 'script-error';
const WORKER_MODULE = new URL('../../src/worker/ictHead.worker.ts', import.meta.url).pathname;

class StandInWorker {
  static made: StandInWorker[] = [];
  onmessage: ((ev: { data: IctHeadReply }) => void) | null = null;
  onerror: ((ev: { message: string; preventDefault(): void }) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  terminated = false;
  readonly sent: IctHeadRequest[] = [];
  readonly transfers: ArrayBuffer[][] = [];
  /** This worker's own instance of the worker module (a new Worker starts with nothing cached). */
  private readonly handler: Promise<(ev: { data: IctHeadRequest }) => void>;
  constructor(url: URL | string, options?: WorkerOptions) {
    if (workerMode === 'throws') throw new DOMException('no workers here', 'SecurityError');
    expect(String(url)).toMatch(/ictHead\.worker\.ts$/);
    expect(options?.type).toBe('module');
    StandInWorker.made.push(this);
    this.handler = import(/* @vite-ignore */ `${WORKER_MODULE}?instance=${StandInWorker.made.length}`).then(() => scope.onmessage!);
  }
  postMessage(msg: IctHeadRequest): void {
    this.sent.push(msg);
    if (workerMode === 'script-error') {
      setTimeout(() => this.onerror?.({ message: '', preventDefault: () => undefined }));
      return;
    }
    const data = structuredClone(msg);
    void this.handler.then((handle) => {
      scope.postMessage = (reply, transfer = []) => {
        this.transfers.push(transfer as ArrayBuffer[]);
        const cloned = structuredClone(reply, { transfer });
        setTimeout(() => !this.terminated && this.onmessage?.({ data: cloned }));
      };
      handle({ data });
    });
  }
  terminate(): void {
    this.terminated = true;
  }
}

async function freshModules() {
  vi.resetModules();
  return import('../../src/worker/ictHeadClient');
}

async function freshLoader() {
  await freshModules();
  return import('../../src/components/ictHead/loadIctHead');
}

beforeEach(() => {
  served = { ...real };
  fetched = [];
  workerMode = 'ok';
  StandInWorker.made = [];
  vi.stubGlobal('self', scope);
  vi.stubGlobal('document', { baseURI: ORIGIN });
  vi.stubGlobal('Worker', StandInWorker);
  vi.stubGlobal('fetch', async (url: string) => {
    fetched.push(url);
    const body = served[url.slice(ORIGIN.length)];
    if (body === undefined || typeof body === 'number') return new Response('no', { status: typeof body === 'number' ? body : 404 });
    return new Response(body.slice());
  });
});
afterEach(() => vi.unstubAllGlobals());

describe('ICT head loader worker', () => {
  it('replies with the prepared head, every array transferred, equal to the in-page parse', async () => {
    const { loadPreparedIctHead } = await freshModules();
    const loaded = await loadPreparedIctHead('lod', { head: HEAD, lod: LOD });
    expect(loaded.preparedBy).toBe('worker');
    expect(loaded.workerProblem).toBeUndefined();
    const [w] = StandInWorker.made;
    expect(w.sent).toEqual([{ id: 1, detail: 'lod', head: HEAD, lod: LOD }]);
    // The reply's transfer list moved every array the head holds (the worker kept none).
    expect(w.transfers[0].length).toBe(preparedIctHeadBuffers(loaded).length);
    expect(w.transfers[0].every((b) => b.byteLength === 0)).toBe(true);
    const { prepared } = await prepareIctHead('lod', { head: real['models/ict_head.bin'], lod: real['models/ict_head_lod.bin'] });
    const { preparedBy: _p, workerProblem: _w, timings, ...value } = loaded;
    expect(differences(value, prepared)).toEqual([]);
    expect(Object.keys(timings).sort()).toEqual(['basisMs', 'fetchMs', 'lodMs', 'parseMs']);
    // Idle: the worker (and the 6 MB it holds) is ended.
    expect(w.terminated).toBe(true);
  });

  it('fetches the head once for two details asked together', async () => {
    const { loadPreparedIctHead } = await freshModules();
    const [lod, full] = await Promise.all([loadPreparedIctHead('lod', { head: HEAD, lod: LOD }), loadPreparedIctHead('full', { head: HEAD })]);
    expect(lod.head.vertexCount).toBeLessThan(full.head.vertexCount);
    expect(fetched.filter((u) => u.endsWith('ict_head.bin'))).toHaveLength(1);
    expect(StandInWorker.made).toHaveLength(1);
  });

  it('a missing or corrupt file: the reader’s message, no fallback; a later request tries again', async () => {
    const { loadPreparedIctHead } = await freshModules();
    served['models/ict_head.bin'] = 404;
    await expect(loadPreparedIctHead('full', { head: HEAD })).rejects.toThrow('ICT head asset: HTTP 404 for models/ict_head.bin');
    served['models/ict_head_lod.bin'] = new TextEncoder().encode('not a LOD file');
    served['models/ict_head.bin'] = real['models/ict_head.bin'];
    await expect(loadPreparedIctHead('lod', { head: HEAD, lod: LOD })).rejects.toThrow("ICT head LOD: bad magic 'not '");
    // The file is fine again: the failed fetch was not kept.
    const again = await loadPreparedIctHead('full', { head: HEAD });
    expect(again.preparedBy).toBe('worker');
    expect(again.head.vertexCount).toBe(26719);
  });
});

describe('in-page fallback', () => {
  it('where the worker cannot be created, the page prepares the same head and says why', async () => {
    workerMode = 'throws';
    const { loadPreparedIctHead } = await freshModules();
    const loaded = await loadPreparedIctHead('lod', { head: HEAD, lod: LOD });
    expect(loaded.preparedBy).toBe('page');
    expect(loaded.workerProblem).toContain('no workers here');
    const { prepared } = await prepareIctHead('lod', { head: real['models/ict_head.bin'], lod: real['models/ict_head_lod.bin'] });
    expect(differences(loaded.head, prepared.head)).toEqual([]);
    // The page does not try again for the next load, and gives the same messages for bad files.
    served['models/ict_head.bin'] = 404;
    await expect(loadPreparedIctHead('full', { head: HEAD })).rejects.toThrow('ICT head asset: HTTP 404 for models/ict_head.bin');
  });

  it('a worker whose script fails to load: the waiting request is prepared on the page', async () => {
    workerMode = 'script-error';
    const { loadPreparedIctHead } = await freshModules();
    const loaded = await loadPreparedIctHead('full', { head: HEAD });
    expect(loaded.preparedBy).toBe('page');
    expect(loaded.workerProblem).toMatch(/worker failed .*did not load/);
    expect(StandInWorker.made[0].terminated).toBe(true);
    await loadPreparedIctHead('lod', { head: HEAD, lod: LOD });
    expect(StandInWorker.made).toHaveLength(1);
  });
});

describe('loadIctHead (the views’ entry)', () => {
  it('one load per page and detail; a failed load is retried by the next view that asks', async () => {
    const { loadIctHead } = await freshLoader();
    const [a, b] = await Promise.all([loadIctHead('lod'), loadIctHead('lod')]);
    expect(a).toBe(b);
    expect(await loadIctHead('lod')).toBe(a);
    expect(a.preparedBy).toBe('worker');
    expect(StandInWorker.made.flatMap((w) => w.sent).map((r) => r.detail)).toEqual(['lod']);
    served['models/ict_head.bin'] = 404;
    await expect(loadIctHead('full')).rejects.toThrow('ICT head asset: HTTP 404 for models/ict_head.bin');
    served['models/ict_head.bin'] = real['models/ict_head.bin'];
    const full = await loadIctHead('full');
    expect(full.head.vertexCount).toBe(26719);
    expect(StandInWorker.made.flatMap((w) => w.sent).map((r) => r.detail)).toEqual(['lod', 'full', 'full']);
  });
});
