/**
 * A pool of inference workers for batch runs. Each wraps an InferenceClient so the runner can
 * rebuild it (restart) when its face landmarker breaks.
 */
import type { FrameResult } from '../core/types';
import type { PipelineOptions } from '../core/pipelineTypes';
import { InferenceClient, type ClientResult } from '../worker/inferenceClient';
import type { FrameOptions } from '../core/pipelineTypes';
import type { BatchClient } from './batchTypes';

/** A worker lent by its owner (the live view's pipeline): given back, never closed, by the batch. */
export interface LentClient {
  readonly client: InferenceClient;
  release(): void;
  failed(): void;
}

export class PooledClient implements BatchClient {
  /** The owner's worker, never closed here (even after its loan ended and a replacement failed). */
  private readonly lent?: InferenceClient;

  private constructor(
    private client: InferenceClient,
    private readonly options: PipelineOptions,
    private loan?: LentClient,
  ) {
    this.lent = loan?.client;
  }

  /** Every frame a batch worker sees is a still image: its landmarker is opened in IMAGE mode. */
  static async create(options: PipelineOptions): Promise<PooledClient> {
    const still: PipelineOptions = { ...options, frameMode: 'image' };
    return new PooledClient(await InferenceClient.createFromOptions(still), still);
  }

  /**
   * A pool member running on a worker that is already up (the live view's: same pack and EP):
   * a short run then starts in well under a second instead of paying a worker's start-up
   * (2.5–5 s here). If the lent worker breaks, the batch goes on in a worker of its own, made
   * from `options`.
   */
  static borrow(loan: LentClient, options: PipelineOptions): PooledClient {
    return new PooledClient(loan.client, { ...options, frameMode: 'image' }, loan);
  }

  get info() {
    return this.client.info;
  }

  /** Whether this runs on a worker lent by the live view (the run notes say so). */
  get borrowed(): boolean {
    return this.loan !== undefined;
  }

  detect(bitmap: ImageBitmap, options: FrameOptions): Promise<FrameResult> {
    return this.detectWithCrops(bitmap, options);
  }

  /**
   * Still image, with every frame option passed on (crops for the detail view, the whole-image
   * fallback, canonical landmarks); the mode is always 'image'.
   */
  detectWithCrops(bitmap: ImageBitmap, options: Omit<FrameOptions, 'mode'> & { mode?: FrameOptions['mode'] }): Promise<ClientResult> {
    const { mode: _mode, ...still } = options;
    return this.client.detect(bitmap, still);
  }

  /**
   * Rebuild the worker's pipeline; if that fails, replace the worker altogether. A lent worker is
   * not rebuilt under its owner: it is given back and the run goes on in a worker of its own.
   */
  async restart(): Promise<void> {
    if (this.loan) return this.ownWorker('release');
    if (this.client === this.lent) throw new Error('the lent worker was given back and no worker of its own could be started');
    try {
      await this.client.restart();
    } catch {
      this.client.close();
      this.client = await InferenceClient.createFromOptions(this.options);
    }
  }

  /** A new worker in place of one that crashed (its pending frames were already failed). */
  async replace(): Promise<void> {
    if (this.loan) return this.ownWorker('failed');
    if (this.client !== this.lent) this.client.close();
    this.client = await InferenceClient.createFromOptions(this.options);
  }

  close(): void {
    this.loan?.release();
    this.loan = undefined;
    if (this.client !== this.lent) this.client.close();
  }

  /** Ends the loan (the owner is told how) and goes on in a worker of this run's own. */
  private async ownWorker(how: 'release' | 'failed'): Promise<void> {
    const loan = this.loan!;
    this.loan = undefined;
    loan[how]();
    this.client = await InferenceClient.createFromOptions(this.options);
  }
}

/** Starts `size` workers in parallel; if any fails, the others are closed and the error is thrown. */
export async function createClientPool(size: number, options: PipelineOptions): Promise<PooledClient[]> {
  const settled = await Promise.allSettled(Array.from({ length: size }, () => PooledClient.create(options)));
  const ok = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    ok.forEach((c) => c.close());
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  return ok;
}
