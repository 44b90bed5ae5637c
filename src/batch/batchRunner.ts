/**
 * Streams items through a pool of inference workers with pause / resume / cancel.
 *
 * Robustness rules (issue: batch mode):
 * - every item gets exactly one row, failures included; one bad file never stops the batch;
 * - a worker whose landmarker silently broke (software WebGL context loss was seen about once
 *   per 2,000 calls) must not turn into "no face" rows: the first item with a face becomes a
 *   known-good probe, re-run every `probeEvery` items per worker; if the probe stops finding
 *   a face, the worker is rebuilt and its "no face" rows since the last good probe are redone;
 * - a worker that crashes (uncaught error) or stops answering (closed, killed, hung: no answer
 *   within `itemTimeoutMs`) turns its item into an error row with the reason and is replaced;
 *   if it cannot be replaced it leaves the pool and the others finish the batch (issue #15).
 *
 * A worker may also join a run already going (`join`): a Batch-tab run that starts at once on the
 * live view's worker is joined by a worker of its own once that one is up.
 */
import type { FrameOptions } from '../core/pipelineTypes';
import type { BatchClient, BatchItem, BatchProgress, BatchRow } from './batchTypes';
import { errorRow, rowFromResult } from './toRow';

export interface BatchRunnerOptions {
  frame: Omit<FrameOptions, 'mode'>;
  probeEvery?: number;
  /**
   * How long one item may take in a worker before the worker is declared dead (default 120 s;
   * a FER+ image takes ~50 ms, a 4096-px photo well under 2 s on 2 cores).
   */
  itemTimeoutMs?: number;
  onRow: (row: BatchRow) => void;
  onProgress?: (p: BatchProgress) => void;
}

/** Side length above which images are downscaled before inference (memory and landmarker limits). */
export const MAX_IMAGE_SIDE = 4096;

/** The worker crashed or stopped answering: its item gets an error row and the worker is replaced. */
class WorkerLost extends Error {}

export class BatchRunner {
  private paused = false;
  private cancelled = false;
  private resumeWaiters: (() => void)[] = [];
  private done = 0;
  private failed = 0;
  private noFace = 0;
  private restarts = 0;
  private startTime = 0;
  private pausedMs = 0;
  private pausedAt = 0;
  private total = 0;
  private probe?: BatchItem;
  /** Items taken by a worker that left the pool before it could run them. */
  private requeued: BatchItem[] = [];
  private readonly retired = new Set<BatchClient>();
  /** The pool: the clients given at construction, then those that joined. */
  private readonly clients: BatchClient[];
  /** One loop per client of the pool, those that joined included; `run` waits for all of them. */
  private loops: Promise<void>[] = [];
  /** The shared queue's next item, from the moment `run` starts; undefined before. */
  private take?: () => BatchItem | undefined;
  private hasItemsLeft = (): boolean => false;
  private ended = false;

  constructor(
    clients: BatchClient[],
    private readonly options: BatchRunnerOptions,
  ) {
    if (clients.length === 0) throw new Error('BatchRunner needs at least one inference client');
    this.clients = [...clients];
  }

  /**
   * Adds a worker to the running batch: it takes items from the same queue as the others. False,
   * and the client is not used, when there is nothing left for it (not started, every item taken,
   * cancelled or ended): the caller closes it then.
   */
  join(client: BatchClient): boolean {
    if (!this.take || this.ended || this.cancelled || !this.hasItemsLeft()) return false;
    this.clients.push(client);
    this.loops.push(this.workerLoop(client, this.take));
    return true;
  }

  pause(): void {
    if (this.paused || this.cancelled) return;
    this.paused = true;
    this.pausedAt = performance.now();
    this.emit('paused');
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pausedMs += performance.now() - this.pausedAt;
    this.resumeWaiters.splice(0).forEach((r) => r());
    this.emit('running');
  }

  cancel(): void {
    this.cancelled = true;
    this.resume();
  }

  async run(items: readonly BatchItem[]): Promise<BatchProgress> {
    this.total = items.length;
    this.startTime = performance.now();
    let next = 0;
    const take = () => (this.cancelled ? undefined : this.requeued.shift() ?? (next < items.length ? items[next++] : undefined));
    this.take = take;
    this.hasItemsLeft = () => this.requeued.length > 0 || next < items.length;
    this.loops = this.clients.map((client) => this.workerLoop(client, take));
    try {
      // A worker that joins while the others run adds its loop: wait until no new one came.
      for (let settled = 0; settled < this.loops.length; ) {
        settled = this.loops.length;
        await Promise.all(this.loops);
      }
    } finally {
      this.ended = true;
    }
    // A worker that left the pool may have handed back an item after the others had finished.
    for (let live = this.liveClients(); this.requeued.length && live.length && !this.cancelled; live = this.liveClients())
      await Promise.all(live.map((client) => this.workerLoop(client, take)));
    // Every worker died and none could be replaced: the rest still get their row, saying why.
    for (let item = take(); item; item = take()) this.report(errorRow(item, 'not run: every inference worker crashed and could not be restarted'));
    return this.emit(this.cancelled ? 'cancelled' : 'finished');
  }

  private async workerLoop(client: BatchClient, take: () => BatchItem | undefined): Promise<void> {
    const probeEvery = this.options.probeEvery ?? 200;
    let sinceProbe: { item: BatchItem; row: BatchRow }[] = [];
    // One item is decoded ahead while the worker runs the current one: decoding (fetch/file read,
    // image decode, transfer) happens on other threads, so without this the worker idles ~10 ms
    // per image. At most one extra bitmap per worker is held.
    let item = take();
    let decoding = item && startDecode(item);
    while (item && decoding) {
      if (this.paused) await new Promise<void>((r) => this.resumeWaiters.push(r));
      // Cancelled: stop taking items, but still report the no-face rows held for the probe below.
      if (this.cancelled) {
        void decoding.then(closeDecoded);
        break;
      }
      const next = take();
      const nextDecoding = next && startDecode(next);
      const row = await this.processOne(client, item, decoding);
      if (row.workerLost) {
        delete row.workerLost;
        const replaced = await this.replaceWorker(client);
        row.reason += replaced ? '; the worker was replaced and the batch went on' : '; the worker could not be restarted and left the pool, the others go on';
        this.report(row);
        if (!replaced) {
          this.retired.add(client);
          // This worker is gone for good: hand its prefetched item to the others and settle its window.
          if (next) {
            this.requeued.push(next);
            void nextDecoding?.then(closeDecoded);
          }
          for (const w of sinceProbe) if (w.row.status === 'no-face') this.report(w.row);
          return;
        }
        item = next;
        decoding = nextDecoding;
        continue;
      }
      sinceProbe.push({ item, row });
      if (!this.probe && row.status === 'ok') this.probe = item;
      if (sinceProbe.length >= probeEvery) {
        const redo = await this.checkProbe(client, sinceProbe);
        for (const r of redo) this.report(r);
        sinceProbe = [];
      }
      // Rows of a probe window are reported at once except no-face rows, which wait for the probe.
      if (row.status !== 'no-face') this.report(row);
      item = next;
      decoding = nextDecoding;
    }
    // End of stream: settle the last window too.
    const redo = sinceProbe.length ? await this.checkProbe(client, sinceProbe) : [];
    for (const r of redo) this.report(r);
  }

  /** Returns the final rows for the window's no-face items (redone if the worker had broken). */
  private async checkProbe(client: BatchClient, window: { item: BatchItem; row: BatchRow }[]): Promise<BatchRow[]> {
    const noFace = window.filter((w) => w.row.status === 'no-face');
    if (noFace.length === 0 || !this.probe || this.cancelled) return noFace.map((w) => w.row);
    const probeRow = await this.processOne(client, this.probe);
    if (probeRow.status === 'ok') return noFace.map((w) => w.row);
    // The known-good image no longer finds a face: the worker broke. Rebuild and redo.
    this.restarts++;
    await client.restart();
    const redone: BatchRow[] = [];
    for (const w of noFace) {
      const row = await this.processOne(client, w.item);
      row.notes = [...row.notes, 'redone after the face landmarker was rebuilt'];
      redone.push(row);
    }
    return redone;
  }

  private async processOne(client: BatchClient, item: BatchItem, decoding = startDecode(item)): Promise<BatchRow> {
    const t0 = performance.now();
    const decoded = await decoding;
    if ('error' in decoded) return errorRow(item, `could not decode: ${decoded.error.message || 'not a supported image'}`);
    let bitmap = decoded.bitmap;
    try {
      if (bitmap.width === 0 || bitmap.height === 0) return errorRow(item, 'the image is empty (0 pixels)');
      const notes: string[] = [];
      const side = Math.max(bitmap.width, bitmap.height);
      if (side > MAX_IMAGE_SIDE) {
        const s = MAX_IMAGE_SIDE / side;
        const big = bitmap;
        bitmap = await createImageBitmap(big, { resizeWidth: Math.round(big.width * s), resizeHeight: Math.round(big.height * s), resizeQuality: 'medium' });
        notes.push(`downscaled from ${big.width}×${big.height}`);
        big.close();
      }
      const result = await this.watch(client.detect(bitmap, { ...this.options.frame, mode: 'image' }));
      const row = rowFromResult(item, result, performance.now() - t0);
      row.notes = [...notes, ...row.notes];
      return row;
    } catch (e) {
      const message = (e as Error).message;
      if (e instanceof WorkerLost || /worker crashed/.test(message)) {
        const row = errorRow(item, `the inference worker crashed on this item (${message})`);
        row.workerLost = true;
        return row;
      }
      return errorRow(item, `inference failed: ${message}`);
    } finally {
      bitmap.close();
    }
  }

  private liveClients(): BatchClient[] {
    return this.clients.filter((c) => !this.retired.has(c));
  }

  /** Rejects with WorkerLost when the worker does not answer in time (closed, killed or hung). */
  private watch<T>(p: Promise<T>): Promise<T> {
    const ms = this.options.itemTimeoutMs ?? 120_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new WorkerLost(`no answer in ${Math.round(ms / 1000)} s`)), ms);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  /** A fresh worker in place of a crashed one; false when that is impossible (it then leaves the pool). */
  private async replaceWorker(client: BatchClient): Promise<boolean> {
    this.restarts++;
    try {
      await this.watch(client.replace ? client.replace() : client.restart());
      return true;
    } catch {
      return false;
    }
  }

  private report(row: BatchRow): void {
    this.done++;
    if (row.status === 'error') this.failed++;
    if (row.status === 'no-face') this.noFace++;
    this.options.onRow(row);
    this.emit(this.paused ? 'paused' : 'running');
  }

  private emit(state: BatchProgress['state']): BatchProgress {
    const elapsed = (performance.now() - this.startTime - this.pausedMs - (this.paused ? performance.now() - this.pausedAt : 0)) / 1000;
    const ips = elapsed > 0 ? this.done / elapsed : 0;
    const p: BatchProgress = {
      done: this.done,
      total: this.total,
      failed: this.failed,
      noFace: this.noFace,
      imagesPerSecond: ips,
      etaSeconds: ips > 0 ? (this.total - this.done) / ips : Infinity,
      state,
      restarts: this.restarts,
    };
    this.options.onProgress?.(p);
    return p;
  }
}

type Decoded = { bitmap: ImageBitmap } | { error: Error };

/** Starts decoding an item; never rejects, so a prefetched failure cannot go unhandled. */
function startDecode(item: BatchItem): Promise<Decoded> {
  return item.decode().then(
    (bitmap) => ({ bitmap }),
    (e: unknown) => ({ error: e instanceof Error ? e : new Error(String(e)) }),
  );
}

function closeDecoded(d: Decoded): void {
  if ('bitmap' in d) d.bitmap.close();
}
