/**
 * Page side of the ICT head's loader worker (ictHead.worker.ts): asks it for a prepared head
 * (core/ict/preparedIctHead.ts) and takes the typed arrays over by transfer, so fetching, parsing,
 * float16 → float32, the LOD and the fitter's precomputation never run on the page's main thread.
 * Where no worker can run (the constructor throws, its script fails to load, it crashes), the page
 * prepares the head itself, yielding between the steps, and says so (`preparedBy`, `workerProblem`).
 * The worker is started on demand and ended once no request is waiting: it holds the 6 MB file.
 */
import { prepareIctHead, type IctMeshDetail, type IctPrepareTimings, type PreparedIctHead } from '../core/ict/preparedIctHead';
import { fetchIctFile, type IctFileRef, type IctHeadReply, type IctHeadRequest } from './ictHeadProtocol';

export type IctPreparedBy = 'worker' | 'page';

export interface LoadedIctHead extends PreparedIctHead {
  /** Where the CPU work ran: the loader worker, or (fallback) the page's main thread. */
  preparedBy: IctPreparedBy;
  /** Why the page prepared it (the worker could not run). */
  workerProblem?: string;
  timings: IctPrepareTimings & { fetchMs: number };
}

/** The worker could not be used at all (as opposed to the files being bad): prepare on the page. */
class WorkerUnavailable extends Error {}

type Pending = { resolve: (v: Extract<IctHeadReply, { ok: true }>) => void; reject: (e: Error) => void };

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();
/** Set once the worker failed: later loads on this page go straight to the fallback. */
let workerProblem: string | undefined;

function endWorker(reason?: string): void {
  worker?.terminate();
  worker = undefined;
  if (reason === undefined) return;
  workerProblem = reason;
  const waiting = [...pending.values()];
  pending.clear();
  for (const p of waiting) p.reject(new WorkerUnavailable(reason));
}

function startWorker(): Worker {
  let w: Worker;
  try {
    w = new Worker(new URL('./ictHead.worker.ts', import.meta.url), { type: 'module', name: 'ict-head' });
  } catch (e) {
    throw new WorkerUnavailable(`the ICT head worker could not be created (${(e as Error).message})`);
  }
  w.onmessage = (ev: MessageEvent<IctHeadReply>) => {
    const r = ev.data;
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (r.ok) p.resolve(r);
    else p.reject(new Error(r.error));
    if (pending.size === 0 && worker === w) endWorker();
  };
  // A script that fails to load or an uncaught error: the worker is of no further use.
  w.onerror = (ev) => {
    ev.preventDefault();
    if (worker === w) endWorker(`the ICT head worker failed (${ev.message || 'its script did not load'})`);
  };
  w.onmessageerror = () => {
    if (worker === w) endWorker('the ICT head worker sent a message the page could not read');
  };
  return w;
}

function viaWorker(detail: IctMeshDetail, files: { head: IctFileRef; lod?: IctFileRef }): Promise<LoadedIctHead> {
  worker ??= startWorker();
  const id = nextId++;
  const w = worker;
  return new Promise<Extract<IctHeadReply, { ok: true }>>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.postMessage({ id, detail, ...files } satisfies IctHeadRequest);
  }).then((r) => ({ ...r.value, preparedBy: 'worker' as const, timings: r.timings }));
}

/** A new task before the next step, so that the page's own parse is not one long task. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function onPage(detail: IctMeshDetail, files: { head: IctFileRef; lod?: IctFileRef }, problem: string): Promise<LoadedIctHead> {
  const t0 = performance.now();
  const [head, lod] = await Promise.all([fetchIctFile(files.head), files.lod ? fetchIctFile(files.lod) : undefined]);
  const fetchMs = performance.now() - t0;
  await nextTask();
  const { prepared, timings } = await prepareIctHead(detail, { head, lod }, nextTask);
  return { ...prepared, preparedBy: 'page', workerProblem: problem, timings: { ...timings, fetchMs } };
}

/**
 * The head at `detail`, prepared by the worker, or by the page where no worker can run. Rejects
 * with the readers' messages for a missing or corrupt file (both paths give the same ones).
 */
export async function loadPreparedIctHead(detail: IctMeshDetail, files: { head: IctFileRef; lod?: IctFileRef }): Promise<LoadedIctHead> {
  if (workerProblem === undefined) {
    try {
      return await viaWorker(detail, files);
    } catch (e) {
      if (!(e instanceof WorkerUnavailable)) throw e;
      workerProblem ??= e.message;
    }
  }
  return onPage(detail, files, workerProblem ?? 'no worker');
}
