/**
 * Browser side of the command-line tools: runs exactly the app's worker pipeline and
 * BatchRunner over files served by the CLI's local server, streaming rows back to Node.
 */
import { startBatchRun } from '../batch/batchRun';
import type { BatchItem, BatchProgress } from '../batch/batchTypes';
import { createClientPool } from '../batch/clientPool';
import type { ItemLabel } from '../core/labels/datasetLabels';
import { parseManifest } from '../core/manifest/parseManifest';
import { defaultFusion } from '../core/fusion/fusionPolicy';
import { defaultBatchPriorMode, type PriorMode } from '../core/calibration/datasetPrior';
import { asTrained } from '../batch/datasetPriorRows';
import type { FusionMode } from '../core/types';
import type { EpPreference } from '../core/pipelineTypes';
import type { WholeImageFallback } from '../core/crop/wholeImageFallback';
import { appAssetUrls } from '../worker/assetUrls';
import { serializeRow, type SerializedRow } from './serializedRow';
import { BundleReader, type BundleRef } from './bundleReader';
import { benchModel, type ModelBenchRequest } from './modelBench';

export interface CliRunRequest {
  packBaseUrl: string;
  ep: EpPreference;
  workers: number;
  fusionMode?: FusionMode;
  weight2d?: number;
  wantCanonicalLandmarks?: boolean;
  /** Rows carry the first 2D model's crop (grey bytes): offline checks of other 2D nets on the app's own crops. */
  wantCrops?: boolean;
  /** When no face is found in an image (core/crop/wholeImageFallback.ts); undefined = 'off'. */
  wholeImageFallback?: WholeImageFallback;
  /**
   * How the run treats the training prior; undefined = the pack's default. 'dataset' runs the net as
   * trained and marks each face row pending: the Node side adapts its outputs when the run ends.
   */
  priorMode?: PriorMode;
  /** A worker that does not answer within this is declared dead (BatchRunner's default when absent). */
  itemTimeoutMs?: number;
  items: { id: number; path: string; label?: ItemLabel }[];
  /** Where the items' files are: bundles of consecutive items (fileBundle.ts). */
  bundles: BundleRef[];
}

declare global {
  interface Window {
    ig3dCli: { run: (req: CliRunRequest) => Promise<unknown>; benchModel: (req: ModelBenchRequest) => Promise<{ timesMs: number[]; firstOutput: number[] }> };
    /** Provided by the Node side with page.exposeFunction. */
    ig3dReport: (rows: SerializedRow[], progress: unknown) => Promise<void>;
  }
}

window.ig3dCli = {
  benchModel,
  async run(req) {
    const res = await fetch(new URL('manifest.json', req.packBaseUrl));
    const parsed = parseManifest(await res.text());
    if (!parsed.ok) throw new Error(`invalid manifest:\n${parsed.errors.join('\n')}`);
    const manifest = parsed.manifest;
    // The same pool as the Batch tab: every frame option reaches the worker, and a worker whose
    // pipeline cannot be rebuilt is replaced.
    const clients = await createClientPool(req.workers, { packBaseUrl: req.packBaseUrl, manifest, ep: req.ep, assets: appAssetUrls() });
    const files = new BundleReader(req.bundles);
    const items: BatchItem[] = req.items.map((it) => ({
      id: it.id,
      path: it.path,
      kind: 'image',
      label: it.label,
      decode: async () => createImageBitmap(await files.file(it.id)),
    }));
    // Rows go to Node in order, one message per flush, each with the newest progress.
    let progress: BatchProgress | undefined;
    let sending = Promise.resolve();
    const fusion = defaultFusion(manifest);
    const priorMode = req.priorMode ?? defaultBatchPriorMode(manifest);
    const run = startBatchRun(clients, items, {
      itemTimeoutMs: req.itemTimeoutMs,
      frame: {
        fusionMode: req.fusionMode ?? fusion.mode,
        weight2d: req.weight2d ?? fusion.weight2d,
        wantCanonicalLandmarks: req.wantCanonicalLandmarks,
        wantCrops: req.wantCrops,
        wholeImageFallback: req.wholeImageFallback,
        calibrate: priorMode === 'fixed',
      },
      flushMs: 250,
      deliver: (rows, p) => {
        progress = p ?? progress;
        if (rows.length === 0) return;
        const serialized = (priorMode === 'dataset' ? rows.map(asTrained) : rows).map(serializeRow);
        const at = progress;
        sending = sending.then(() => window.ig3dReport(serialized, at));
      },
    });
    const final = await run.done;
    await sending;
    clients.forEach((c) => c.close());
    return { progress: final, ep: clients[0].info.ep, pack: manifest.name, priorMode };
  },
};
