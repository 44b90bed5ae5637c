/**
 * Teaching mode state: the face parameter adapter and the slider values, the 3D head's answer for
 * them, the frozen (or live) frame that the pipeline view explains, fusion settings and the
 * presenter layout. Inference itself goes through the shared pipeline client.
 */
import { create } from 'zustand';
import type { FusionMode } from '../core/types';
import { headFeatureVector, type FaceParamAdapter, type PresetsFile } from '../core/blendshapeModel/faceParams';
import { loadFaceParamAdapter } from '../core/blendshapeModel/loadAdapter';
import { modelByRole } from '../core/manifest/parseManifest';
import type { Head3dEvaluation } from '../core/pipelineTypes';
import type { ClientResult } from '../worker/inferenceClient';
import { defaultPackUrl } from '../worker/assetUrls';
import { latestWins } from '../worker/latestWins';
import { usePipelineStore } from './pipelineStore';
import { releaseShownFrame, type ShownFrame } from './shownFrame';

export { GEOMETRY_FILE, PRESETS_FILE } from '../core/blendshapeModel/loadAdapter';

export interface FrozenFrame {
  result: ClientResult;
  /** The frame as the worker saw it (not mirrored). */
  image: HTMLCanvasElement;
  source: 'camera' | 'image';
  at: number;
}

export type HeadState =
  | { status: 'none'; message: string }
  | { status: 'busy'; last?: Head3dEvaluation }
  | { status: 'ok'; eval: Head3dEvaluation }
  | { status: 'error'; message: string; last?: Head3dEvaluation };

interface TeachState {
  adapterStatus: 'idle' | 'loading' | 'ready' | 'error';
  adapterError?: string;
  adapter?: FaceParamAdapter;
  presetsInfo?: Pick<PresetsFile, 'source' | 'method'>;
  values?: Float32Array;
  /** Which preset was applied last (index into adapter.presets), or -1. */
  presetIndex: number;
  /** What the sliders came from, for the captions. */
  valuesOrigin: string;
  head: HeadState;
  frozen?: FrozenFrame;
  live?: ClientResult;
  /** The frame `live` was computed on, when the preview shows analysed frames (software GPU). */
  liveFrame?: ShownFrame;
  use2d: boolean;
  use3d: boolean;
  weight2d: number;
  fusionMode: Exclude<FusionMode, '2d' | '3d'>;
  presenter: boolean;
  loadAdapter: () => Promise<void>;
  setValue: (index: number, v: number) => void;
  setValues: (values: Float32Array, origin: string) => void;
  resetValues: () => void;
  applyPreset: (index: number) => void;
  nextPreset: (step?: number) => void;
  setFrozen: (f: FrozenFrame | undefined) => void;
  setLive: (r: ClientResult | undefined, frame?: ShownFrame) => void;
  toggleBranch: (b: '2d' | '3d') => void;
  setWeight2d: (w: number) => void;
  setPresenter: (on: boolean) => void;
}

/** Evaluate the 3D head for the current slider values (through `requestHeadEval`: bursts coalesce). */
async function evaluateHead(get: () => TeachState, set: (p: Partial<TeachState>) => void): Promise<void> {
  const { adapter, values } = get();
  const { client, manifest } = usePipelineStore.getState();
  const head = manifest ? modelByRole(manifest, 'head3d') : undefined;
  if (!adapter || !values) return;
  if (!client || !manifest) {
    set({ head: { status: 'none', message: 'Models are loading…' } });
    return;
  }
  if (!head) {
    set({ head: { status: 'none', message: 'This model pack has no 3D head: the sliders move the mesh only.' } });
    return;
  }
  const fv = headFeatureVector(head.input.features, adapter.features(values));
  if (!fv.ok) {
    set({ head: { status: 'none', message: `The pack’s 3D head needs ${fv.missing.join(', ')}, which ${adapter.label} does not provide.` } });
    return;
  }
  const prev = get().head;
  set({ head: { status: 'busy', last: prev.status === 'ok' ? prev.eval : prev.status === 'busy' || prev.status === 'error' ? prev.last : undefined } });
  try {
    const r = await client.evaluateHead3d(fv.values);
    set({ head: { status: 'ok', eval: r } });
  } catch (e) {
    const cur = get().head;
    set({ head: { status: 'error', message: (e as Error).message, last: cur.status === 'busy' ? cur.last : undefined } });
  }
}

const requestHeadEval = latestWins(() => evaluateHead(useTeachStore.getState, useTeachStore.setState));

export const useTeachStore = create<TeachState>()((set, get) => ({
  adapterStatus: 'idle',
  presetIndex: -1,
  valuesOrigin: 'neutral start (all blendshapes 0)',
  head: { status: 'none', message: 'Models are loading…' },
  use2d: true,
  use3d: true,
  weight2d: 0.5,
  fusionMode: 'weighted',
  presenter: false,

  async loadAdapter() {
    const { adapterStatus } = get();
    if (adapterStatus === 'loading' || adapterStatus === 'ready') return;
    const { triangles, manifest, pack } = usePipelineStore.getState();
    if (!triangles || !manifest) return; // called again when the pipeline is ready
    set({ adapterStatus: 'loading', adapterError: undefined });
    try {
      const source = { packBaseUrl: defaultPackUrl(), ...(pack.kind === 'files' ? { packFiles: pack.files } : {}) };
      const { adapter, presetsInfo, origin } = await loadFaceParamAdapter(source, manifest, triangles);
      set({ adapter, adapterStatus: 'ready', values: adapter.initialValues(), presetIndex: -1, valuesOrigin: origin, presetsInfo });
      requestHeadEval();
    } catch (e) {
      set({ adapterStatus: 'error', adapterError: `The face model could not be loaded: ${(e as Error).message}` });
    }
  },

  setValue(index, v) {
    const values = get().values?.slice();
    if (!values) return;
    values[index] = v;
    set({ values, presetIndex: -1, valuesOrigin: 'edited with the sliders' });
    requestHeadEval();
  },
  setValues(values, origin) {
    set({ values: values.slice(), valuesOrigin: origin });
    requestHeadEval();
  },
  resetValues() {
    const a = get().adapter;
    if (!a) return;
    set({ values: a.initialValues(), presetIndex: -1, valuesOrigin: 'reset (all blendshapes 0)' });
    requestHeadEval();
  },
  applyPreset(index) {
    const a = get().adapter;
    const p = a?.presets[index];
    if (!a || !p) return;
    set({ values: p.values.slice(), presetIndex: index, valuesOrigin: `preset “${p.cls}” (mean of ${p.count ?? '?'} FER+ Train faces)` });
    requestHeadEval();
  },
  nextPreset(step = 1) {
    const a = get().adapter;
    if (!a || a.presets.length === 0) return;
    const n = a.presets.length;
    const i = get().presetIndex;
    get().applyPreset(i < 0 ? (step > 0 ? 0 : n - 1) : (((i + step) % n) + n) % n);
  },
  setFrozen(frozen) {
    set({ frozen });
  },
  setLive(live, liveFrame) {
    releaseShownFrame(get().liveFrame, liveFrame);
    set({ live, liveFrame });
  },
  toggleBranch(b) {
    const { use2d, use3d } = get();
    // At least one branch stays on.
    if (b === '2d') set({ use2d: !use2d || !use3d ? true : false });
    else set({ use3d: !use3d || !use2d ? true : false });
  },
  setWeight2d(w) {
    set({ weight2d: Math.max(0, Math.min(1, w)) });
  },
  setPresenter(presenter) {
    set({ presenter });
  },
}));

/**
 * Keeps the teach state in step with the pipeline: another pack means another adapter (and the
 * frozen frame is stale); another client (EP change, restart) means the head is evaluated again.
 * Called once by the app shell, not at import, so importing this store (a test, the CLI page,
 * a view) has no side effect on the pipeline store. Returns the unsubscribe function.
 */
export function connectTeachStore(): () => void {
  const unsubscribe = usePipelineStore.subscribe(onPipelineChange);
  // The pipeline starts loading before the first render (main.tsx): it may already be up.
  const now = usePipelineStore.getState();
  if (now.client) onPipelineChange(now, { ...now, client: undefined });
  return unsubscribe;
}

type PipelineSnapshot = ReturnType<typeof usePipelineStore.getState>;

function onPipelineChange(s: PipelineSnapshot, prev: PipelineSnapshot): void {
  if (s.manifest !== prev.manifest && prev.manifest) {
    // Another pack (e.g. a FLAME pack dropped in): another adapter, and the old frame is stale.
    useTeachStore.getState().setLive(undefined);
    useTeachStore.setState({ adapterStatus: 'idle', adapter: undefined, values: undefined, frozen: undefined });
    void useTeachStore.getState().loadAdapter();
  } else if (s.client !== prev.client || s.manifest !== prev.manifest) {
    const t = useTeachStore.getState();
    if (t.adapterStatus === 'idle' || t.adapterStatus === 'error') void t.loadAdapter();
    else if (t.values) t.setValues(t.values, t.valuesOrigin);
  }
}
