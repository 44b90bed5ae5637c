/**
 * What a Batch-tab run owns that is not state for React: the pool of inference workers, the
 * runner, the decoded sources (files, video frames) and thumbnails the views look up by row id.
 * Large or non-serialisable, so it lives here rather than in the zustand store; framework-free.
 *
 * A run id guards against a run superseded while it was starting (a reset, another start):
 * its late results and workers are dropped, never mixed into the current run.
 */
import type { BatchRunner } from './batchRunner';
import type { ItemSource } from './buildItems';
import type { PooledClient } from './clientPool';
import type { VideoFrameSource } from './videoFrames';

export class BatchSession {
  runner?: BatchRunner;
  private pool: PooledClient[] = [];
  /** The worker kept after a run for the detail view (same pack and EP as the rows). */
  private detailClient?: PooledClient;
  private sources = new Map<number, ItemSource>();
  private thumbs = new Map<number, Blob>();
  private videos: VideoFrameSource[] = [];
  private runId = 0;

  /** Starts a run: any run in flight is superseded and its workers and videos are released. Returns the new run's id. */
  beginRun(): number {
    const id = ++this.runId;
    this.release(false);
    return id;
  }

  isCurrent(runId: number): boolean {
    return runId === this.runId;
  }

  /** The decoded inputs of the run being started (kept even if it is superseded, so the next release closes its videos). */
  adoptItems(built: { sources: Map<number, ItemSource>; thumbs: Map<number, Blob>; videoSources: VideoFrameSource[] }): void {
    this.sources = built.sources;
    this.thumbs = built.thumbs;
    this.videos = built.videoSources;
  }

  adoptPool(pool: PooledClient[]): void {
    this.pool = pool;
  }

  /** A worker that joined the running pool (after the lent one): released with the others. */
  addToPool(client: PooledClient): void {
    this.pool = [...this.pool, client];
  }

  source(id: number): ItemSource | undefined {
    return this.sources.get(id);
  }

  thumb(id: number): Blob | undefined {
    return this.thumbs.get(id);
  }

  /** The worker the detail view re-runs a row on: the one kept after the run, else one of the running pool. */
  inspectionClient(): PooledClient | undefined {
    return this.detailClient ?? this.pool[0];
  }

  /** The run ended (finished or cancelled): close its videos and all workers but one, kept for the detail view. */
  finishRun(): void {
    this.runner = undefined;
    this.release(true);
  }

  /**
   * Closes the videos and the pool's workers. With `keepDetail`, the pool's first worker stays
   * as the detail view's client (replacing an older one); without, that one is closed too.
   */
  release(keepDetail: boolean): void {
    for (const v of this.videos) v.close();
    this.videos = [];
    const keep = keepDetail ? this.pool[0] : undefined;
    for (const c of this.pool) if (c !== keep) c.close();
    this.pool = [];
    if (!keepDetail) {
      this.detailClient?.close();
      this.detailClient = undefined;
    } else if (keep) {
      if (this.detailClient && this.detailClient !== keep) this.detailClient.close();
      this.detailClient = keep;
    }
  }

  /** Back to empty: cancels a run in flight (its late results are dropped) and forgets the inputs. */
  reset(): void {
    this.runner?.cancel();
    this.runner = undefined;
    this.runId++;
    this.release(false);
    this.sources = new Map();
    this.thumbs = new Map();
  }
}
