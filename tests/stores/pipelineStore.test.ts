// Picking an execution provider in the badge's menu: which picks reopen the pack (a new worker,
// every model loaded again: seconds on a 2-core machine) and which only relabel what runs.
// Going back to Auto after forcing WASM used to reopen everything to end where it started.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PipelineOptions } from '../../src/core/pipelineTypes';

interface FakeClient {
  info: { ep: 'wasm' | 'webgpu'; epNote?: string };
  onStatus: (cb: (ep: 'wasm' | 'webgpu', message: string) => void) => () => void;
  close: ReturnType<typeof vi.fn>;
  prepareStills: ReturnType<typeof vi.fn>;
  releaseStills: ReturnType<typeof vi.fn>;
  onCrash: (cb: (message: string) => void) => void;
  /** Reports a status as the worker would (e.g. a lost WebGPU device). */
  report?: (ep: 'wasm' | 'webgpu', message: string) => void;
  /** Crashes as the worker would (an uncaught error once ready). */
  crash?: (message: string) => void;
}

// Each load hands out a client that runs on what the options' Auto/forced EP would give here.
const created: { options: PipelineOptions; client: FakeClient }[] = [];
let openAs: (options: PipelineOptions) => FakeClient['info'] = () => ({ ep: 'wasm' });

vi.mock('../../src/worker/inferenceClient', () => ({
  InferenceClient: {
    createFromOptions: async (options: PipelineOptions | Promise<PipelineOptions>) => {
      const resolved = await options;
      const client: FakeClient = {
        info: openAs(resolved),
        onStatus: (cb) => ((client.report = cb), () => {}),
        onCrash: (cb) => void (client.crash = cb),
        close: vi.fn(),
        prepareStills: vi.fn(async () => undefined),
        releaseStills: vi.fn(async () => undefined),
      };
      created.push({ options: resolved, client });
      return client;
    },
  },
}));
vi.mock('../../src/worker/assetUrls', () => ({
  defaultPackUrl: () => 'http://app.test/models/',
  appAssetUrls: () => ({}),
}));

const { holdStills, usePipelineStore } = await import('../../src/stores/pipelineStore');

const manifestText = readFileSync(new URL('../../public/models/manifest.json', import.meta.url), 'utf8');
const SOFTWARE = { vendor: 'google', architecture: 'swiftshader', device: '', description: '' };
const HARDWARE = { vendor: 'nvidia', architecture: 'ampere', device: '', description: '' };

/** A browser whose WebGPU adapter describes itself as `info`; counts the adapter requests. */
function adapterIs(info: Record<string, string> | undefined) {
  const requestAdapter = vi.fn(async () => (info ? { info } : null));
  vi.stubGlobal('navigator', { gpu: { requestAdapter } });
  return requestAdapter;
}

const state = () => usePipelineStore.getState();
const lastOptions = () => created[created.length - 1].options;

beforeEach(() => {
  created.length = 0;
  vi.stubGlobal('fetch', async () => new Response(manifestText));
  usePipelineStore.setState({ status: 'idle', epPreference: 'auto', ep: undefined, epNote: undefined, client: undefined, pack: { kind: 'builtin' } });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('pipeline store: choosing the execution provider', () => {
  it('Auto → forced WASM → Auto on a software adapter opens the pack once, and Auto gets its reason back', async () => {
    adapterIs(SOFTWARE);
    openAs = () => ({ ep: 'wasm', epNote: 'auto: WebGPU adapter is software (SwiftShader): using WASM' });
    await state().load('auto');
    expect(created).toHaveLength(1);
    expect(state()).toMatchObject({ status: 'ready', ep: 'wasm', epPreference: 'auto' });

    await state().chooseEp('wasm');
    expect(state()).toMatchObject({ epPreference: 'wasm', ep: 'wasm', epNote: undefined });
    await state().chooseEp('auto');
    expect(created).toHaveLength(1);
    expect(state()).toMatchObject({ status: 'ready', epPreference: 'auto', ep: 'wasm', epNote: 'auto: WebGPU adapter is software (SwiftShader): using WASM' });
    expect(created[0].client.close).not.toHaveBeenCalled();
  });

  it('a pack opened on forced WASM: Auto asks the adapter, and keeps WASM where the adapter is software or missing', async () => {
    openAs = () => ({ ep: 'wasm' });
    await state().load('wasm');
    const asked = adapterIs(SOFTWARE);
    await state().chooseEp('auto');
    expect(asked).toHaveBeenCalledTimes(1);
    expect(created).toHaveLength(1);
    expect(state()).toMatchObject({ epPreference: 'auto', ep: 'wasm', epNote: expect.stringMatching(/software \(SwiftShader\)/) });

    await state().chooseEp('wasm');
    adapterIs(undefined);
    await state().chooseEp('auto');
    expect(created).toHaveLength(1);
    expect(state().epNote).toBe('auto: no WebGPU adapter: using WASM');
  });

  it('a pack opened on forced WASM with a hardware adapter: Auto reopens it to time both backends', async () => {
    openAs = () => ({ ep: 'wasm' });
    await state().load('wasm');
    adapterIs(HARDWARE);
    openAs = () => ({ ep: 'webgpu', epNote: 'auto: WASM 17 ms vs WebGPU 3 ms per frame\'s models' });
    await state().chooseEp('auto');
    expect(created).toHaveLength(2);
    expect(lastOptions().ep).toBe('auto');
    expect(created[0].client.close).toHaveBeenCalled();
    expect(state()).toMatchObject({ status: 'ready', ep: 'webgpu', epPreference: 'auto' });
  });

  it("Auto's timed choice is kept: Auto → forced WebGPU (what runs) → Auto reopens nothing", async () => {
    adapterIs(HARDWARE);
    openAs = () => ({ ep: 'webgpu', epNote: 'auto: WASM 17 ms vs WebGPU 3 ms per frame\'s models' });
    await state().load('auto');
    await state().chooseEp('webgpu');
    await state().chooseEp('auto');
    expect(created).toHaveLength(1);
    expect(state()).toMatchObject({ ep: 'webgpu', epPreference: 'auto', epNote: expect.stringMatching(/WebGPU 3 ms/) });
  });

  it('a WebGPU device lost since Auto chose it: Auto reopens and chooses again', async () => {
    adapterIs(HARDWARE);
    openAs = () => ({ ep: 'webgpu', epNote: 'auto: WASM 17 ms vs WebGPU 3 ms per frame\'s models' });
    await state().load('auto');
    usePipelineStore.setState({ ep: 'wasm', epNote: 'now running on WASM: the WebGPU device was lost' }); // as EpGuard reports it
    await state().chooseEp('wasm');
    await state().chooseEp('auto');
    expect(created).toHaveLength(2);
  });

  it('a later pick made while Auto still asks the adapter wins', async () => {
    openAs = () => ({ ep: 'wasm' });
    await state().load('wasm');
    let answer!: (a: unknown) => void;
    vi.stubGlobal('navigator', { gpu: { requestAdapter: () => new Promise((r) => (answer = r)) } });
    const auto = state().chooseEp('auto');
    expect(state().epPreference).toBe('auto'); // the menu follows the pick at once
    await state().chooseEp('wasm');
    answer({ info: SOFTWARE });
    await auto;
    expect(state()).toMatchObject({ epPreference: 'wasm', epNote: undefined });
    expect(created).toHaveLength(1);
  });
});

describe('pipeline store: lending the live worker to a batch run', () => {
  beforeEach(() => {
    adapterIs(SOFTWARE);
    openAs = () => ({ ep: 'wasm' });
  });

  it('nothing to lend before the pipeline is ready', () => {
    expect(state().lendClient()).toBeUndefined();
  });

  it('a loan keeps the still-image landmarker built while it lasts, and gives it back once', async () => {
    await state().load('wasm');
    const live = created[0].client;
    const loan = state().lendClient()!;
    expect(loan.client).toBe(live);
    expect(live.prepareStills).toHaveBeenCalledTimes(1);
    loan.release();
    loan.release();
    expect(live.releaseStills).toHaveBeenCalledTimes(1);
    expect(live.close).not.toHaveBeenCalled();
  });

  it('the Batch tab, the Teach tab and a loan share one still-image landmarker: built on the first hold, freed after the last', async () => {
    await state().load('wasm');
    const live = created[0].client;
    const unholdTab = holdStills(live as never);
    const loan = state().lendClient()!;
    expect(live.prepareStills).toHaveBeenCalledTimes(1);
    loan.release();
    expect(live.releaseStills).not.toHaveBeenCalled();
    unholdTab();
    unholdTab();
    expect(live.releaseStills).toHaveBeenCalledTimes(1);
  });

  it('an EP switch during a loan: the lent worker runs on until the loan ends, then closes; it no longer speaks for the badge', async () => {
    await state().load('wasm');
    const lent = created[0].client;
    const loan = state().lendClient()!;
    openAs = () => ({ ep: 'webgpu' });
    await state().chooseEp('webgpu');
    expect(created).toHaveLength(2);
    expect(lent.close).not.toHaveBeenCalled();
    lent.report!('wasm', 'now running on WASM: the WebGPU device was lost');
    expect(state().epNote).toBeUndefined();
    loan.release();
    expect(lent.close).toHaveBeenCalledTimes(1);
  });

  it('a pipeline replaced with no loan is closed at once', async () => {
    await state().load('wasm');
    await state().load('wasm');
    expect(created[0].client.close).toHaveBeenCalledTimes(1);
  });

  it('a lent worker that failed under the batch: the live pipeline opens again', async () => {
    await state().load('wasm');
    const loan = state().lendClient()!;
    loan.failed();
    await vi.waitFor(() => expect(state().status).toBe('ready'));
    expect(created).toHaveLength(2);
    expect(state().client).toBe(created[1].client);
    expect(created[0].client.close).toHaveBeenCalled();
  });
});

describe('pipeline store: a crashed worker', () => {
  beforeEach(() => {
    adapterIs(SOFTWARE);
    openAs = () => ({ ep: 'wasm' });
  });

  it('opens the models again in a new worker, with the same EP preference, and says why until the next change', async () => {
    await state().load('wasm');
    const first = created[0].client;
    first.crash!('inference worker crashed: out of memory');
    await vi.waitFor(() => expect(state().notice).toBeDefined());
    expect(created).toHaveLength(2);
    expect(lastOptions().ep).toBe('wasm');
    expect(first.close).toHaveBeenCalled();
    expect(state()).toMatchObject({ status: 'ready', client: created[1].client, notice: 'The inference worker crashed: out of memory; the models were opened again in a new worker.' });
    await state().chooseEp('wasm');
    expect(state().notice).toBeUndefined();
  });

  it('the notice can be dismissed', async () => {
    usePipelineStore.setState({ notice: 'The inference worker crashed: x; the models were opened again in a new worker.' });
    state().dismissNotice();
    expect(state().notice).toBeUndefined();
  });

  it('a worker that crashes again soon after is not reopened in a loop: the error says so, and Retry opens it', async () => {
    let now = 1_000_000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    await state().load('wasm');
    created[0].client.crash!('inference worker crashed: bad frame');
    await vi.waitFor(() => expect(state().notice).toBeDefined());
    now += 5_000;
    created[1].client.crash!('inference worker crashed: bad frame');
    expect(state()).toMatchObject({ status: 'error', client: undefined, notice: undefined });
    expect(state().error).toMatch(/^The inference worker crashed: bad frame, again within 30 s of being opened after a crash, so it was not opened again\. Press Retry/);
    expect(created).toHaveLength(2);
    expect(created[1].client.close).toHaveBeenCalled();
    await state().load();
    expect(state()).toMatchObject({ status: 'ready', client: created[2].client });
    // Long after, a crash is reopened again.
    now += 60_000;
    created[2].client.crash!('inference worker crashed: once');
    await vi.waitFor(() => expect(created).toHaveLength(4));
    vi.restoreAllMocks();
  });

  it('a replaced worker crashing later changes nothing', async () => {
    await state().load('wasm');
    const old = created[0].client;
    await state().load('wasm');
    old.crash!('inference worker crashed: late');
    await Promise.resolve();
    expect(created).toHaveLength(2);
    expect(state().notice).toBeUndefined();
  });
});
