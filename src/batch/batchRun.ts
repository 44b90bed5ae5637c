/**
 * One batch run as both the Batch tab and the CLI page drive it: a BatchRunner over a client
 * pool, with rows and progress buffered and handed on every `flushMs` — so thousands of results
 * mean a few renders (Batch tab) or a few messages to Node (CLI), not thousands.
 */
import { BatchRunner } from './batchRunner';
import type { BatchClient, BatchItem, BatchProgress, BatchRow } from './batchTypes';
import type { FrameOptions } from '../core/pipelineTypes';

export interface BatchRunOptions {
  frame: Omit<FrameOptions, 'mode'>;
  flushMs: number;
  /** A worker that does not answer within this is declared dead (BatchRunner's default when absent). */
  itemTimeoutMs?: number;
  /**
   * New rows since the last call and the newest progress (undefined when it did not change).
   * Called only when there is something new; the last call carries the final progress.
   */
  deliver: (rows: BatchRow[], progress: BatchProgress | undefined) => void;
}

export interface BatchRun {
  /** Pause, resume, cancel. */
  runner: BatchRunner;
  /** The final progress, after the last rows were delivered. */
  done: Promise<BatchProgress>;
}

export function startBatchRun(clients: BatchClient[], items: BatchItem[], opts: BatchRunOptions): BatchRun {
  let rows: BatchRow[] = [];
  let latest: BatchProgress | undefined;
  const flush = () => {
    if (rows.length === 0 && !latest) return;
    const out = rows;
    const progress = latest;
    rows = [];
    latest = undefined;
    opts.deliver(out, progress);
  };
  const runner = new BatchRunner(clients, {
    frame: opts.frame,
    itemTimeoutMs: opts.itemTimeoutMs,
    onRow: (r) => rows.push(r),
    onProgress: (p) => (latest = p),
  });
  const timer = setInterval(flush, opts.flushMs);
  const done = runner.run(items).then(
    (final) => {
      clearInterval(timer);
      latest = final;
      flush();
      return final;
    },
    (e: unknown) => {
      clearInterval(timer);
      throw e;
    },
  );
  return { runner, done };
}
