/**
 * Batch mode state: the dropped files and their preview, the running batch (a pool of
 * inference workers through BatchRunner) and its rows. Rows and progress reach React at most
 * every FLUSH_MS, so thousands of results never mean thousands of renders.
 */
import { create } from 'zustand';
import { startBatchRun } from '../batch/batchRun';
import { BatchSession } from '../batch/batchSession';
import type { BatchProgress, BatchRow } from '../batch/batchTypes';
import { buildItems } from '../batch/buildItems';
import { PooledClient, createClientPool } from '../batch/clientPool';
import { MAX_BATCH_WORKERS, MAX_VIDEOS_MEASURED, batchPoolSize, fitsLentWorker, lentPoolSize, plannedItems, type VideoLengths } from '../batch/poolSize';
import { probeVideoDuration } from '../batch/videoFrames';
import { planBatch, type BatchPlan, type InputFile } from '../batch/prepareBatch';
import { defaultFusion } from '../core/fusion/fusionPolicy';
import { datasetPriorOf, defaultBatchPriorMode, type DatasetPrior, type PriorMode } from '../core/calibration/datasetPrior';
import type { FusionMode } from '../core/types';
import { DEFAULT_WHOLE_IMAGE_FALLBACK, type WholeImageFallback } from '../core/crop/wholeImageFallback';
import { appAssetUrls, defaultPackUrl } from '../worker/assetUrls';
import { usePipelineStore } from './pipelineStore';

export const FLUSH_MS = 100;
/** Video sampling rate a run starts with, frames per second. */
const DEFAULT_FPS = 5;

/**
 * The workers a run of `plan` uses (src/batch/poolSize.ts), `liveReady` when the live view's
 * pipeline is up to lend its worker: the view says it, the run uses it. With `lent`, `workers`
 * counts the lent one and the run's own that join it. `videos` and `fps` count the
 * frames its videos will give (unknown lengths: the full pool).
 */
export function poolFor(plan: BatchPlan | undefined, liveReady: boolean, videos?: VideoLengths, fps = DEFAULT_FPS): { workers: number; lent: boolean; items: number } {
  if (!plan) return { workers: MAX_BATCH_WORKERS, lent: false, items: Infinity };
  const items = plannedItems(plan, videos, fps);
  if (liveReady && fitsLentWorker(items)) return { workers: lentPoolSize(items), lent: true, items };
  return { workers: batchPoolSize(items), lent: false, items };
}

/**
 * Reads the length of each of the plan's videos (metadata only, ≈ 50–100 ms each), reporting after
 * each one, so the preview can count the run's frames and the run can size its pool. Plans with more
 * than MAX_VIDEOS_MEASURED videos are not read: they keep the full pool.
 */
async function measureVideos(plan: BatchPlan, report: (lengths: VideoLengths) => boolean): Promise<void> {
  const durations: (number | null)[] = [];
  for (const v of plan.videos) {
    durations.push(await probeVideoDuration(v.file).catch(() => null));
    if (!report({ durations: [...durations], complete: durations.length === plan.videos.length })) return;
  }
}

export type BatchPhase = 'empty' | 'planning' | 'preview' | 'starting' | 'running' | 'paused' | 'cancelled' | 'finished' | 'error';

interface BatchState {
  phase: BatchPhase;
  message?: string;
  inputProblems: string[];
  plan?: BatchPlan;
  /** Video sampling rate, frames per second. */
  fps: number;
  /** The plan's video lengths, read in the preview (measureVideos); undefined: not read (no video, or too many). */
  videoLengths?: VideoLengths;
  /** How the next run treats the training prior; undefined = the pack's default (defaultBatchPriorMode). */
  priorMode?: PriorMode;
  setPriorMode: (mode: PriorMode) => void;
  /** Images where no face is found: may the 2D model read them whole (core/crop/wholeImageFallback.ts)? */
  wholeImage: WholeImageFallback;
  setWholeImage: (policy: WholeImageFallback) => void;
  /** What this run used: the mode, and for 'dataset' the pack's declaration (applied when the run stops: BatchView). */
  runPrior?: { mode: PriorMode; datasetPrior?: DatasetPrior };
  progress?: BatchProgress;
  rows: BatchRow[];
  /** Fusion used for this run. */
  fusion?: { mode: FusionMode; weight2d: number; has3d: boolean };
  /** The whole-image fallback this run used (its detail view re-runs a row the same way). */
  runWholeImage?: WholeImageFallback;
  runNotes: string[];
  startedAt?: number;
  setFiles: (files: InputFile[], problems?: string[]) => Promise<void>;
  setFps: (fps: number) => void;
  start: () => Promise<void>;
  pause: () => void;
  resume: () => void;
  cancel: () => void;
  reset: () => void;
}

/** Not reactive: the workers, decoded sources and thumbnails of the run, which the views look up by row id. */
export const batchSession = new BatchSession();
/** The reading of the current plan's video lengths, which a run started meanwhile waits for. */
let measuring: Promise<void> | undefined;

export const useBatchStore = create<BatchState>()((set, get) => ({
  phase: 'empty',
  inputProblems: [],
  fps: DEFAULT_FPS,
  wholeImage: DEFAULT_WHOLE_IMAGE_FALLBACK,
  rows: [],
  runNotes: [],

  async setFiles(files, problems = []) {
    if (get().phase === 'running' || get().phase === 'paused' || get().phase === 'starting') return;
    set({ phase: 'planning', inputProblems: problems, plan: undefined, videoLengths: undefined, rows: [], progress: undefined, message: undefined, runNotes: [], runPrior: undefined });
    measuring = undefined;
    try {
      const plan = await planBatch(files);
      const n = plan.images.length + plan.videos.length + plan.others.length;
      const measure = plan.videos.length > 0 && plan.videos.length <= MAX_VIDEOS_MEASURED;
      set({ phase: n ? 'preview' : 'empty', plan, videoLengths: measure ? { durations: [], complete: false } : undefined, message: n ? undefined : 'No files found in what was dropped.' });
      // A short clip can then run on the live view's worker, and a long one gets its pool before Run.
      if (measure) {
        measuring = measureVideos(plan, (videoLengths) => {
          if (get().plan !== plan) return false;
          set({ videoLengths });
          return true;
        });
      }
    } catch (e) {
      set({ phase: 'error', message: `Could not read the files: ${(e as Error).message}` });
    }
  },

  setPriorMode(priorMode) {
    set({ priorMode });
  },
  setWholeImage(wholeImage) {
    set({ wholeImage });
  },
  setFps(fps) {
    if (Number.isFinite(fps) && fps > 0) set({ fps: Math.min(fps, 60) });
  },

  async start() {
    const { plan, fps, wholeImage } = get();
    if (!plan) return;
    const noPack = () => set({ phase: 'error', message: 'The model pack is not loaded yet.' });
    if (!usePipelineStore.getState().manifest) return noPack();
    const runId = batchSession.beginRun();
    set({ phase: 'starting', rows: [], progress: undefined, message: 'Starting inference workers…', runNotes: [], runPrior: undefined });
    // Run pressed while the preview still reads the videos' lengths: the pool depends on them.
    if (measuring && !get().videoLengths?.complete) {
      set({ message: "Reading the videos' lengths…" });
      await measuring;
      if (!batchSession.isCurrent(runId)) return;
    }
    // Read again after that wait: the run uses the pipeline of the moment it starts its workers.
    const pipe = usePipelineStore.getState();
    if (!pipe.manifest) {
      batchSession.release(false);
      return noPack();
    }

    const manifest = pipe.manifest;
    const priorMode = get().priorMode ?? defaultBatchPriorMode(manifest);
    const datasetPrior = priorMode === 'dataset' ? datasetPriorOf(manifest).prior : undefined;
    // The dataset prior starts from the net as trained: the fixed correction runs only when chosen.
    const calibrate = priorMode === 'fixed';
    const { mode, weight2d, has3d } = defaultFusion(manifest);
    const fusion = { mode, weight2d, has3d };
    const options = {
      packBaseUrl: defaultPackUrl(),
      manifest,
      // A pack the user dropped runs from its files, like in live mode.
      ...(pipe.pack.kind === 'files' ? { packFiles: pipe.pack.files } : {}),
      ep: pipe.epPreference,
      assets: appAssetUrls(),
      // The workers share the cores: one WASM thread each.
      numThreads: 1,
    };
    // A short run borrows the live view's worker when it is up (same pack, same EP): its models
    // are loaded, so the first row comes in well under a second instead of after a worker's
    // start-up. Beyond a few dozen items, workers of the run's own start beside it and join the
    // run when up. Larger runs start their own pool.
    const { workers: size, lent } = poolFor(plan, pipe.status === 'ready', get().videoLengths, fps);
    const loan = lent ? pipe.lendClient() : undefined;
    if (loan) set({ message: "Reading the files; the live view's worker runs them…" });
    const poolReady = loan ? Promise.resolve([PooledClient.borrow(loan, options)]) : createClientPool(size, options);
    const runPressedAt = performance.now();
    const joining = loan ? Array.from({ length: size - 1 }, () => PooledClient.create(options)) : [];
    const closeJoining = () => joining.forEach((j) => void j.then((c) => c.close(), () => undefined));
    let pool: PooledClient[];
    try {
      const [p, built] = await Promise.all([
        poolReady,
        buildItems(plan, { fps, onStatus: (s) => set({ message: s }) }).then((b) => {
          batchSession.adoptItems(b);
          return b;
        }),
      ]).catch((e: unknown) => {
        // Reading the inputs failed: whatever workers did start (or were lent) are given back.
        void poolReady.then((started) => started.forEach((c) => c.close()), () => undefined);
        closeJoining();
        throw e;
      });
      pool = p;
      if (!batchSession.isCurrent(runId)) {
        pool.forEach((c) => c.close());
        closeJoining();
        return;
      }
      batchSession.adoptPool(pool);
      const items = built.items;

      const run = startBatchRun(pool, items, {
        frame: { fusionMode: fusion.mode, weight2d: fusion.weight2d, calibrate, wholeImageFallback: wholeImage },
        flushMs: FLUSH_MS,
        deliver: (add, progress) => {
          if (!batchSession.isCurrent(runId)) return;
          set((s) => ({
            rows: add.length ? s.rows.concat(add) : s.rows,
            progress: progress ?? s.progress,
            phase: progress ? (progress.state === 'paused' ? 'paused' : progress.state === 'running' ? 'running' : s.phase) : s.phase,
          }));
        },
      });
      batchSession.runner = run.runner;
      const ep = pool[0].info.ep;
      const epNote = `${ep.toUpperCase()}${pool[0].info.epNote ? ` (${pool[0].info.epNote})` : ''}`;
      // A worker of the run's own that comes up while items are left joins the lent one; one that
      // comes too late, or to a run already superseded, is closed. One that fails to start costs
      // nothing but its help: the lent worker goes on, and the notes say why it ran alone.
      for (const j of joining)
        j.then(
          (c) => {
            if (!batchSession.isCurrent(runId) || !run.runner.join(c)) return c.close();
            batchSession.addToPool(c);
            const after = ((performance.now() - runPressedAt) / 1000).toFixed(1);
            set({ runNotes: [...built.notes, `the live view's worker (models already loaded), joined after ${after} s by a worker of the run's own, on ${epNote}`] });
          },
          (e: unknown) => {
            if (batchSession.isCurrent(runId)) set((s) => ({ runNotes: [...s.runNotes, `a worker of the run's own could not start (${(e as Error).message}): the live view's worker ran alone`] }));
          },
        );
      set({
        phase: 'running',
        fusion,
        runWholeImage: wholeImage,
        runPrior: { mode: datasetPrior || priorMode !== 'dataset' ? priorMode : 'off', datasetPrior },
        startedAt: performance.now(),
        message: undefined,
        runNotes: [...built.notes, `${pool[0].borrowed ? "the live view's worker (models already loaded)" : `${pool.length} worker${pool.length > 1 ? 's' : ''}`} on ${epNote}`],
        progress: { done: 0, total: items.length, failed: 0, noFace: 0, imagesPerSecond: 0, etaSeconds: Infinity, state: 'running', restarts: 0 },
      });
      const final = await run.done;
      if (!batchSession.isCurrent(runId)) return;
      batchSession.finishRun();
      set({ phase: final.state === 'cancelled' ? 'cancelled' : 'finished', progress: final });
    } catch (e) {
      if (!batchSession.isCurrent(runId)) return;
      batchSession.release(false);
      set({ phase: 'error', message: `The batch could not run: ${(e as Error).message}` });
    }
  },

  pause() {
    batchSession.runner?.pause();
    if (get().phase === 'running') set({ phase: 'paused' });
  },
  resume() {
    batchSession.runner?.resume();
    if (get().phase === 'paused') set({ phase: 'running' });
  },
  cancel() {
    batchSession.runner?.cancel();
  },
  reset() {
    batchSession.reset();
    measuring = undefined;
    set({ phase: 'empty', plan: undefined, videoLengths: undefined, rows: [], progress: undefined, message: undefined, inputProblems: [], runNotes: [], runPrior: undefined });
  },
}));
