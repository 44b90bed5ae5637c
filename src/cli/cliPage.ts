/**
 * Browser side of the command-line tools: runs exactly the app's worker pipeline and
 * BatchRunner over files served by the CLI's local server, streaming rows back to Node.
 */
import { BatchRunner } from '../batch/batchRunner';
import type { BatchItem } from '../batch/batchTypes';
import type { ItemLabel } from '../core/labels/datasetLabels';
import { parseManifest } from '../core/manifest/parseManifest';
import type { FusionMode } from '../core/types';
import type { EpPreference } from '../worker/protocol';
import { InferenceClient } from '../worker/inferenceClient';
import { appAssetUrls } from '../app/assetUrls';
import { serializeRow, type SerializedRow } from './serializedRow';
import { benchModel, type ModelBenchRequest } from './modelBench';

export interface CliRunRequest {
  packBaseUrl: string;
  ep: EpPreference;
  workers: number;
  fusionMode?: FusionMode;
  weight2d?: number;
  wantCanonicalLandmarks?: boolean;
  wholeImageFallback?: boolean;
  /** A worker that does not answer within this is declared dead (BatchRunner's default when absent). */
  itemTimeoutMs?: number;
  items: { id: number; path: string; url: string; label?: ItemLabel }[];
}

declare global {
  interface Window {
    ig3dCli: { run: (req: CliRunRequest) => Promise<unknown>; benchModel: (req: ModelBenchRequest) => Promise<{ timesMs: number[]; firstOutput: number[] }> };
    /** Provided by the Node side with page.exposeFunction. */
    ig3dReport: (rows: SerializedRow[], progress: unknown) => Promise<void>;
  }
}

async function decodeUrl(url: string): Promise<ImageBitmap> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return createImageBitmap(await res.blob());
}

window.ig3dCli = {
  benchModel,
  async run(req) {
    const res = await fetch(new URL('manifest.json', req.packBaseUrl));
    const parsed = parseManifest(await res.text());
    if (!parsed.ok) throw new Error(`invalid manifest:\n${parsed.errors.join('\n')}`);
    const manifest = parsed.manifest;
    const clients = await Promise.all(
      Array.from({ length: req.workers }, () =>
        InferenceClient.createFromOptions({ packBaseUrl: req.packBaseUrl, manifest, ep: req.ep, assets: appAssetUrls() }),
      ),
    );
    const items: BatchItem[] = req.items.map((it) => ({
      id: it.id,
      path: it.path,
      kind: 'image',
      label: it.label,
      decode: () => decodeUrl(it.url),
    }));
    let buffer: SerializedRow[] = [];
    let progress: unknown;
    let sending = Promise.resolve();
    const flush = () => {
      if (buffer.length === 0) return sending;
      const rows = buffer;
      buffer = [];
      sending = sending.then(() => window.ig3dReport(rows, progress));
      return sending;
    };
    const timer = setInterval(() => void flush(), 250);
    const has3d = manifest.models.some((m) => m.role === 'head3d');
    const runner = new BatchRunner(clients, {
      itemTimeoutMs: req.itemTimeoutMs,
      frame: {
        fusionMode: req.fusionMode ?? (has3d ? manifest.fusion?.mode ?? 'weighted' : '2d'),
        weight2d: req.weight2d ?? manifest.fusion?.weight2d ?? 1,
        wantCanonicalLandmarks: req.wantCanonicalLandmarks,
        wholeImageFallback: req.wholeImageFallback,
      },
      onRow: (row) => buffer.push(serializeRow(row)),
      onProgress: (p) => (progress = p),
    });
    const final = await runner.run(items);
    clearInterval(timer);
    progress = final;
    await flush();
    clients.forEach((c) => c.close());
    return { progress: final, ep: clients[0].info.ep, pack: manifest.name };
  },
};
