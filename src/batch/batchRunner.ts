/**
 * Streams items through a pool of inference workers with pause / resume / cancel.
 *
 * Robustness rules (issue: batch mode):
 * - every item gets exactly one row, failures included; one bad file never stops the batch;
 * - a worker whose landmarker silently broke (software WebGL context loss was seen about once
 *   per 2,000 calls) must not turn into "no face" rows: the first item with a face becomes a
 *   known-good probe, re-run every `probeEvery` items per worker; if the probe stops finding
 *   a face, the worker is rebuilt and its "no face" rows since the last good probe are redone.
 */
import type { FrameOptions } from '../core/pipelineTypes';
import type { BatchClient, BatchItem, BatchProgress, BatchRow } from './batchTypes';
import { errorRow, rowFromResult } from './toRow';

export interface BatchRunnerOptions {
  frame: Omit<FrameOptions, 'mode'>;
  probeEvery?: number;
  onRow: (row: BatchRow) => void;
  onProgress?: (p: BatchProgress) => void;
}

/** Side length above which images are downscaled before inference (memory and landmarker limits). */
export const MAX_IMAGE_SIDE = 4096;

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

  constructor(
    private readonly clients: BatchClient[],
    private readonly options: BatchRunnerOptions,
  ) {
    if (clients.length === 0) throw new Error('BatchRunner needs at least one inference client');
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
    const take = () => (this.cancelled || next >= items.length ? undefined : items[next++]);
    await Promise.all(this.clients.map((client) => this.workerLoop(client, take)));
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
      const result = await client.detect(bitmap, { ...this.options.frame, mode: 'image' });
      const row = rowFromResult(item, result, performance.now() - t0);
      row.notes = [...notes, ...row.notes];
      return row;
    } catch (e) {
      return errorRow(item, `inference failed: ${(e as Error).message}`);
    } finally {
      bitmap.close();
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
