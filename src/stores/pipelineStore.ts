/**
 * The inference pipeline as the UI sees it: which pack is loaded, which execution provider
 * runs it, and whether it is ready. The worker itself lives in InferenceClient.
 */
import { create } from 'zustand';
import type { Manifest } from '../core/manifest/schema';
import { parseManifest } from '../core/manifest/parseManifest';
import type { ExecutionProvider } from '../core/types';
import type { EpPreference } from '../worker/protocol';
import { InferenceClient } from '../worker/inferenceClient';
import { appAssetUrls, defaultPackUrl } from '../app/assetUrls';

type Status = 'idle' | 'loading' | 'ready' | 'error';

interface PipelineState {
  status: Status;
  epPreference: EpPreference;
  ep?: ExecutionProvider;
  /** Why the preferred EP is not the one running (no WebGPU, device lost, ...). */
  epNote?: string;
  manifest?: Manifest;
  error?: string;
  triangles?: Uint32Array;
  client?: InferenceClient;
  load: (epPreference?: EpPreference) => Promise<void>;
}

async function fetchManifest(baseUrl: string): Promise<Manifest> {
  const res = await fetch(new URL('manifest.json', baseUrl));
  if (!res.ok) throw new Error(`could not load the model pack manifest (${res.status} ${res.statusText})`);
  const parsed = parseManifest(await res.text());
  if (!parsed.ok) throw new Error(`the model pack manifest is invalid:\n${parsed.errors.join('\n')}`);
  return parsed.manifest;
}

export const usePipelineStore = create<PipelineState>()((set, get) => ({
  status: 'idle',
  epPreference: 'auto',
  async load(epPreference = get().epPreference) {
    get().client?.close();
    set({ status: 'loading', epPreference, error: undefined, client: undefined, epNote: undefined });
    try {
      const packBaseUrl = defaultPackUrl();
      const manifest = await fetchManifest(packBaseUrl);
      const client = await InferenceClient.createFromOptions({
        packBaseUrl,
        manifest,
        ep: epPreference,
        assets: appAssetUrls(),
      });
      client.onStatus((ep, message) => set({ ep, epNote: message }));
      set({ status: 'ready', client, manifest, ep: client.info.ep, epNote: client.info.epNote, triangles: client.info.triangles });
    } catch (e) {
      set({ status: 'error', error: `Model failed to load: ${(e as Error).message}` });
    }
  },
}));
