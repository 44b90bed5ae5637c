/**
 * A pool of inference workers for batch runs. Each wraps an InferenceClient so the runner can
 * rebuild it (restart) when its face landmarker breaks.
 */
import type { FrameResult } from '../core/types';
import type { PipelineOptions } from '../core/pipelineTypes';
import { InferenceClient, type ClientResult } from '../worker/inferenceClient';
import type { FrameOptions } from '../core/pipelineTypes';
import type { BatchClient } from './batchTypes';

export class PooledClient implements BatchClient {
  private constructor(
    private client: InferenceClient,
    private readonly options: PipelineOptions,
  ) {}

  /** Every frame a batch worker sees is a still image: its landmarker is opened in IMAGE mode. */
  static async create(options: PipelineOptions): Promise<PooledClient> {
    const still: PipelineOptions = { ...options, frameMode: 'image' };
    return new PooledClient(await InferenceClient.createFromOptions(still), still);
  }

  get info() {
    return this.client.info;
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

  /** Rebuild the worker's pipeline; if that fails, replace the worker altogether. */
  async restart(): Promise<void> {
    try {
      await this.client.restart();
    } catch {
      this.client.close();
      this.client = await InferenceClient.createFromOptions(this.options);
    }
  }

  /** A new worker in place of one that crashed (its pending frames were already failed). */
  async replace(): Promise<void> {
    this.client.close();
    this.client = await InferenceClient.createFromOptions(this.options);
  }

  close(): void {
    this.client.close();
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
