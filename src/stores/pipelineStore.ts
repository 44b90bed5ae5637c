/**
 * The inference pipeline as the UI sees it: which pack is loaded, which execution provider
 * runs it, and whether it is ready. The worker itself lives in InferenceClient.
 */
import { create } from 'zustand';
import type { Manifest } from '../core/manifest/schema';
import { parseManifest } from '../core/manifest/parseManifest';
import type { ExecutionProvider } from '../core/types';
import type { EpPreference, ReadyInfo } from '../core/pipelineTypes';
import { InferenceClient } from '../worker/inferenceClient';
import { appAssetUrls, defaultPackUrl } from '../worker/assetUrls';
import { startupMark } from '../core/startupMarks';
import { resolveEp, switchNeedsReload, type EpChoice } from '../core/inference/epPolicy';

type Status = 'idle' | 'loading' | 'ready' | 'error';

/** Which pack runs: the one shipped with the app, or one the user brought (files in memory). */
export type PackSource =
  | { kind: 'builtin' }
  | { kind: 'files'; id: string; manifest: Manifest; files: Record<string, ArrayBuffer> };

interface PipelineState {
  status: Status;
  epPreference: EpPreference;
  ep?: ExecutionProvider;
  /** Why the preferred EP is not the one running (no WebGPU, device lost, ...). */
  epNote?: string;
  /** What the pipeline recovered from on its own (a crashed worker), until the user next changes it. */
  notice?: string;
  manifest?: Manifest;
  error?: string;
  triangles?: Uint32Array;
  client?: InferenceClient;
  /** The pack that runs (or is being loaded by `load`). */
  pack: PackSource;
  /** FLAME mesh of a FLAME pack (triangles sent once by the worker). */
  flameMesh?: ReadyInfo['flameMesh'];
  /** Branches whose manifest declares a calibration (the live view offers the switch). */
  calibrations?: ReadyInfo['calibrations'];
  models2d?: ReadyInfo['models2d'];
  /** (Re)load the current pack, e.g. with another EP; the old pipeline stops first. */
  load: (epPreference?: EpPreference) => Promise<void>;
  /** The user picks an EP: reloads only when the pipeline would change (epPolicy.switchNeedsReload). */
  chooseEp: (epPreference: EpPreference) => Promise<void>;
  /**
   * Switch to another pack. The current pipeline keeps running until the new one is ready;
   * on failure it stays, and the error message is returned (undefined on success).
   */
  loadPack: (pack: PackSource) => Promise<string | undefined>;
  /**
   * Lend the ready pipeline's worker to a short batch run (its models are loaded already: no
   * second worker to start). Undefined while nothing is ready. See ClientLease.
   */
  lendClient: () => ClientLease | undefined;
  /** The user has read the notice. */
  dismissNotice: () => void;
}

/**
 * A loan of the live pipeline's worker. A pipeline replaced while lent (another pack or EP) is
 * closed only when its last loan ends, so a run keeps the pack and EP it started with.
 */
export interface ClientLease {
  readonly client: InferenceClient;
  /** The borrower is done: its hold on the still-image landmarker ends, and a worker replaced meanwhile closes. */
  release(): void;
  /** The worker crashed or stopped answering under the borrower: the loan ends and the pipeline, if still this one, is opened again. */
  failed(): void;
}

async function fetchManifest(baseUrl: string): Promise<Manifest> {
  const res = await fetch(new URL('manifest.json', baseUrl));
  if (!res.ok) throw new Error(`could not load the model pack manifest (${res.status} ${res.statusText})`);
  const parsed = parseManifest(await res.text());
  if (!parsed.ok) throw new Error(`the model pack manifest is invalid:\n${parsed.errors.join('\n')}`);
  startupMark('page:manifest');
  return parsed.manifest;
}

async function startClient(pack: PackSource, ep: EpPreference): Promise<{ client: InferenceClient; manifest: Manifest }> {
  const packBaseUrl = defaultPackUrl();
  const manifest = pack.kind === 'builtin' ? fetchManifest(packBaseUrl) : Promise.resolve(pack.manifest);
  // The worker spawns while the manifest is on its way (start-up, issue #16).
  const client = await InferenceClient.createFromOptions(
    manifest.then((m) => ({
      packBaseUrl,
      manifest: m,
      ...(pack.kind === 'files' ? { packFiles: pack.files } : {}),
      ep,
      assets: appAssetUrls(),
    })),
  );
  return { client, manifest: await manifest };
}

let loadGeneration = 0;

/**
 * What Auto chose when it opened a client (the EP and its reason). Going back to Auto from a forced
 * EP keeps that client when Auto would choose what it runs, without timing both backends again.
 */
const autoChoiceOf = new WeakMap<InferenceClient, EpChoice>();
/** A count per client: `add` gives the count before, `remove` the count left. */
function countsPerClient() {
  const counts = new Map<InferenceClient, number>();
  return {
    add(client: InferenceClient): number {
      const before = counts.get(client) ?? 0;
      counts.set(client, before + 1);
      return before;
    },
    remove(client: InferenceClient): number {
      const left = (counts.get(client) ?? 1) - 1;
      if (left > 0) counts.set(client, left);
      else counts.delete(client);
      return left;
    },
    has: (client: InferenceClient): boolean => counts.has(client),
  };
}

/** Loans per client, and the clients replaced while on loan (closed when their last loan ends). */
const loans = countsPerClient();
const retired = new WeakSet<InferenceClient>();

/** A client the store no longer runs: closed now, or when its last loan ends. */
function retire(client: InferenceClient | undefined): void {
  if (!client) return;
  if (loans.has(client)) retired.add(client);
  else client.close();
}

/** Who wants each client's still-image landmarker kept (the Teach and Batch tabs, batch loans). */
const stillsHolds = countsPerClient();

/**
 * Keep `client`'s still-image landmarker built until the returned function is called. Built on
 * the first hold, so the first still does not wait for it; freed (≈ 40–50 MiB) when the last
 * hold ends, since the live view itself sends no stills. A failure here is not the user's: the
 * first still builds it again and reports its own error.
 */
export function holdStills(client: InferenceClient): () => void {
  if (stillsHolds.add(client) === 0) client.prepareStills().catch(() => undefined);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (stillsHolds.remove(client) === 0) client.releaseStills().catch(() => undefined);
  };
}

/** When the pipeline last reopened itself after a crash; a second crash sooner than CRASH_AGAIN_MS stops it. */
let lastCrashRecovery = -Infinity;
const CRASH_AGAIN_MS = 30_000;

/** Counts the user's EP picks: an Auto pick still asking the adapter yields to any later pick. */
let epChoices = 0;

/**
 * The client once the pipeline is ready (at once if it is), or undefined if loading fails.
 * Lets the camera start while the models are still loading (start-up, issue #16).
 */
export function whenClientReady(): Promise<InferenceClient | undefined> {
  const now = usePipelineStore.getState();
  if (now.status === 'ready' && now.client) return Promise.resolve(now.client);
  if (now.status !== 'loading') return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const unsubscribe = usePipelineStore.subscribe((s) => {
      if (s.status === 'loading') return;
      unsubscribe();
      resolve(s.status === 'ready' ? s.client : undefined);
    });
  });
}

export const usePipelineStore = create<PipelineState>()((set, get) => {
  const adopt = (pack: PackSource, client: InferenceClient, manifest: Manifest, openedWith: EpPreference) => {
    startupMark('page:pipeline-ready');
    if (openedWith === 'auto') autoChoiceOf.set(client, { ep: client.info.ep, note: client.info.epNote });
    // A replaced client still lent to a batch run may report too: only the current one speaks for the badge.
    client.onStatus((ep, message) => {
      if (get().client === client) set({ ep, epNote: message });
    });
    // A crashed worker takes its models with it: open them again in a new one. The live view
    // restarts its loop on the new client, as after an EP switch; the notice says what happened.
    // A worker that crashes again soon after (a frame or a model that breaks it every time) is
    // not reopened in a loop: the error banner says so and its Retry is the user's call.
    client.onCrash((message) => {
      if (get().client !== client) return;
      const now = performance.now();
      if (now - lastCrashRecovery < CRASH_AGAIN_MS) {
        retire(client);
        set({
          status: 'error',
          client: undefined,
          notice: undefined,
          error: `The ${message}, again within ${CRASH_AGAIN_MS / 1000} s of being opened after a crash, so it was not opened again. Press Retry, or pick another execution provider.`,
        });
        return;
      }
      lastCrashRecovery = now;
      const notice = `The ${message}; the models were opened again in a new worker.`;
      void get().load().then(() => {
        if (get().status === 'ready') set({ notice });
      });
    });
    set({
      status: 'ready',
      error: undefined,
      pack,
      client,
      manifest,
      ep: client.info.ep,
      epNote: client.info.epNote,
      triangles: client.info.triangles,
      flameMesh: client.info.flameMesh,
      calibrations: client.info.calibrations,
      models2d: client.info.models2d,
    });
  };
  return {
    status: 'idle',
    epPreference: 'auto',
    pack: { kind: 'builtin' },
    async load(epPreference = get().epPreference) {
      // Switching the EP twice quickly starts two loads; only the newest may win.
      const generation = ++loadGeneration;
      const pack = get().pack;
      retire(get().client);
      set({ status: 'loading', epPreference, error: undefined, client: undefined, epNote: undefined, notice: undefined });
      try {
        const { client, manifest } = await startClient(pack, epPreference);
        if (generation !== loadGeneration) return client.close();
        adopt(pack, client, manifest, epPreference);
      } catch (e) {
        if (generation !== loadGeneration) return;
        set({ status: 'error', error: `Model failed to load: ${(e as Error).message}` });
      }
    },
    async chooseEp(epPreference) {
      const choice = ++epChoices;
      const { status, ep, client } = get();
      const keep = (epNote: string | undefined) => set({ epPreference, epNote, notice: undefined });
      if (status !== 'ready' || !client) return get().load(epPreference);
      if (epPreference !== 'auto') {
        // Same pipeline: only the badge and its note change (Auto's "why WASM" no longer applies).
        if (!switchNeedsReload(ep, epPreference)) return keep(undefined);
        return get().load(epPreference);
      }
      // Back to Auto: the choice that opened this client, else what Auto would choose here now
      // (no WebGPU, or a software adapter, is known without opening anything).
      const generation = loadGeneration;
      set({ epPreference }); // the menu shows Auto at once; the note follows the answer
      const auto = autoChoiceOf.get(client) ?? (await resolveEp('auto'));
      if (choice !== epChoices || generation !== loadGeneration || get().client !== client) return; // a later pick or load won
      if (!switchNeedsReload(get().ep, 'auto', auto)) return keep(auto.note);
      return get().load('auto');
    },
    async loadPack(pack) {
      try {
        const epPreference = get().epPreference;
        const { client, manifest } = await startClient(pack, epPreference);
        retire(get().client);
        adopt(pack, client, manifest, epPreference);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
    dismissNotice() {
      set({ notice: undefined });
    },
    lendClient() {
      const { status, client } = get();
      if (status !== 'ready' || !client) return undefined;
      loans.add(client);
      const unholdStills = holdStills(client);
      let open = true;
      /** Ends this loan; true when it was the current pipeline's last. */
      const end = (): boolean => {
        if (!open) return false;
        open = false;
        unholdStills();
        if (loans.remove(client) > 0) return false;
        if (retired.has(client)) client.close();
        return get().client === client;
      };
      return {
        client,
        release: () => void end(),
        failed: () => {
          // Whatever broke the worker broke it for the live view too: open the pipeline again.
          if (end() && get().status === 'ready') void get().load();
        },
      };
    },
  };
});
