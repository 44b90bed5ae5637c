/**
 * The ICT head's loader worker: fetches ict_head.bin (and ict_head_lod.bin for the live view's
 * lower-detail mesh), parses them, applies the LOD and precomputes what the identity fitter and the
 * renderer need (core/ict/preparedIctHead.ts), and transfers the typed arrays to the page. On the
 * page's main thread this took 200–400 ms in one go right after the first live prediction (up to
 * 1.4 s under load), freezing the camera preview, the bars and the VA disc (issue #16). Speaks
 * ictHeadProtocol.ts; the page side is ictHeadClient.ts.
 */
/// <reference lib="webworker" />
import { prepareIctHead, preparedIctHeadBuffers } from '../core/ict/preparedIctHead';
import { fetchIctFile, type IctFileRef, type IctHeadReply, type IctHeadRequest } from './ictHeadProtocol';

declare const self: DedicatedWorkerGlobalScope;

/**
 * Bytes per URL for as long as this worker lives (the page ends it when idle): a 'lod' and a 'full'
 * request fetch the 6 MB head once. A failed fetch is forgotten, so the next request tries again.
 */
const files = new Map<string, Promise<Uint8Array>>();

function file(ref: IctFileRef): Promise<Uint8Array> {
  let p = files.get(ref.url);
  if (!p) {
    p = fetchIctFile(ref);
    files.set(ref.url, p);
    p.catch(() => files.delete(ref.url));
  }
  return p;
}

async function handle(req: IctHeadRequest): Promise<void> {
  try {
    const t0 = performance.now();
    const [head, lod] = await Promise.all([file(req.head), req.lod ? file(req.lod) : undefined]);
    const fetchMs = performance.now() - t0;
    // prepareIctHead copies what it keeps out of the bytes, so the cached bytes stay whole.
    const { prepared, timings } = await prepareIctHead(req.detail, { head, lod });
    const reply: IctHeadReply = { id: req.id, ok: true, value: prepared, timings: { ...timings, fetchMs } };
    self.postMessage(reply, preparedIctHeadBuffers(prepared));
  } catch (e) {
    self.postMessage({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies IctHeadReply);
  }
}

self.onmessage = (ev: MessageEvent<IctHeadRequest>) => void handle(ev.data);
