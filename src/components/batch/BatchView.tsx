import { useCallback, useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { modelByRole } from '../../core/manifest/parseManifest';
import { FACE_CROP_MAX_SIDE, type WholeImageFallback } from '../../core/crop/wholeImageFallback';
import { datasetPriorOf, defaultBatchPriorMode, type PriorMode } from '../../core/calibration/datasetPrior';
import { adaptBatchRows } from '../../batch/datasetPriorRows';
import { ClassMixPanel } from './ClassMixPanel';
import { poolFor, useBatchStore } from '../../stores/batchStore';
import { ITEMS_ON_LENT_WORKER, ITEMS_ON_LENT_WORKER_ALONE, ITEMS_PER_WORKER, MAX_VIDEOS_MEASURED } from '../../batch/poolSize';
import { holdStills, usePipelineStore } from '../../stores/pipelineStore';
import { BatchExports } from './BatchExports';
import { BatchInput } from './BatchInput';
import { BatchPreview } from './BatchPreview';
import { BatchProgressBar } from './BatchProgressBar';
import { FusionFitPanel } from './FusionFitPanel';
import { MetricsPanel } from './MetricsPanel';
import { ResultsTable } from './ResultsTable';
import { RowDetail } from './RowDetail';
import { VideoTimelines } from './VideoTimeline';
import './batch.css';

export function BatchView() {
  const s = useBatchStore(useShallow((b) => ({ cancel: b.cancel, fps: b.fps, videoLengths: b.videoLengths, fusion: b.fusion, inputProblems: b.inputProblems, message: b.message, pause: b.pause, phase: b.phase, plan: b.plan, progress: b.progress, reset: b.reset, resume: b.resume, rows: b.rows, runNotes: b.runNotes, priorMode: b.priorMode, runPrior: b.runPrior, setPriorMode: b.setPriorMode, wholeImage: b.wholeImage, setWholeImage: b.setWholeImage, runWholeImage: b.runWholeImage, setFps: b.setFps, start: b.start })));
  const { manifest, status: pipelineStatus, epPreference, calibrations, client } = usePipelineStore(useShallow((s) => ({ manifest: s.manifest, status: s.status, epPreference: s.epPreference, calibrations: s.calibrations, client: s.client })));
  // A run on the live view's worker (batchStore.poolFor) needs its still-image landmarker: built
  // from the tab's opening, while files are picked and the preview is read, so Run is not kept
  // waiting for it (1–2 s here); given back on leaving, or when the files picked need a pool of their own
  // (kept while the videos' lengths are read: a short clip borrows the worker too).
  const liveReady = pipelineStatus === 'ready';
  // Memoised: a run re-renders this view at every row flush, and counting frames samples each video.
  const pool = useMemo(() => poolFor(s.plan, liveReady, s.videoLengths, s.fps), [s.plan, liveReady, s.videoLengths, s.fps]);
  const readingVideos = !!s.videoLengths && !s.videoLengths.complete;
  const mayLend = liveReady && (!s.plan || pool.lent || readingVideos);
  useEffect(() => (mayLend && client ? holdStills(client) : undefined), [mayLend, client]);
  const [openId, setOpenId] = useState<number>();
  const close = useCallback(() => setOpenId(undefined), []);
  const has3dPack = !!manifest && !!modelByRole(manifest, 'head3d');
  const active = s.phase === 'running' || s.phase === 'paused' || s.phase === 'starting';
  const busy = s.phase === 'running' || s.phase === 'starting';
  const done = s.phase === 'finished' || s.phase === 'cancelled';
  // The dataset prior needs every row: applied whenever the run is not going (finished, paused,
  // cancelled), over all rows so far; while it runs, the rows are as the net gave them.
  const [showTrained, setShowTrained] = useState(false);
  const runDatasetPrior = s.runPrior?.mode === 'dataset' ? s.runPrior.datasetPrior : undefined;
  const adaptation = useMemo(
    () => (runDatasetPrior && !busy && s.fusion ? adaptBatchRows(s.rows, runDatasetPrior, s.fusion) : undefined),
    [runDatasetPrior, busy, s.rows, s.fusion],
  );
  const rows = adaptation && !showTrained ? adaptation.rows : s.rows;
  const datasetPrior = manifest ? datasetPriorOf(manifest) : undefined;
  const priorMode: PriorMode = s.priorMode ?? (manifest ? defaultBatchPriorMode(manifest) : 'off');
  const fixedLabel = calibrations?.map((c) => `${c.id}: ${c.label}`).join('; ');
  const openRow = openId === undefined ? undefined : rows.find((r) => r.id === openId);
  // The detail view re-runs a row as the run did: its fusion and its whole-image fallback.
  const detailFusion = useMemo(
    () => ({ fusionMode: s.fusion?.mode ?? '2d', weight2d: s.fusion?.weight2d ?? 1, wholeImageFallback: s.runWholeImage }),
    [s.fusion, s.runWholeImage],
  );
  const fusionLabel = s.fusion
    ? s.fusion.has3d
      ? `${s.fusion.mode}${s.fusion.mode === 'weighted' ? `, w=${s.fusion.weight2d}` : ''}`
      : '2D only (no 3D head in the pack)'
    : '';

  return (
    <div className="batch" data-testid="batch-view">
      <BatchInput disabled={active || s.phase === 'planning'} />
      {s.phase === 'planning' && <p>Reading files…</p>}
      {s.message && (
        <p className={s.phase === 'error' ? 'banner banner--error' : 'muted'} role={s.phase === 'error' ? 'alert' : 'status'} data-testid="batch-message">
          {s.message}
        </p>
      )}
      {s.plan && <BatchPreview preview={s.plan.preview} problems={s.inputProblems} />}

      {s.plan && (
        <div className="batch-toolbar batch-controls">
          <label title="Frames analysed per second of video">
            Video frames per second{' '}
            <input
              type="number"
              min={0.2}
              max={30}
              step={0.5}
              value={s.fps}
              disabled={active}
              onChange={(e) => s.setFps(Number(e.target.value))}
              data-testid="batch-fps"
              style={{ width: 70 }}
            />
          </label>
          <label title="How the answers treat FER+'s class mix (36 % neutral): as the net learned it; the pack's fixed correction (subtracts τ·log prior, as the live view does); or adapted to this dataset's own mix, estimated from its faces without labels. The CSV's calibration column records it.">
            Class prior{' '}
            <select aria-label="batch class prior" value={priorMode} disabled={active} onChange={(e) => s.setPriorMode(e.target.value as PriorMode)} data-testid="batch-prior-mode">
              <option value="off">as trained</option>
              {!!calibrations?.length && <option value="fixed">fixed correction ({fixedLabel})</option>}
              {datasetPrior?.prior && <option value="dataset">adapt to this dataset (label-free EM)</option>}
            </select>
          </label>
          <label title={`When the landmarker finds no face in an image, the 2D model can still read the whole image (its centred square). Datasets of tight face crops (FER+, 48×48) need this: the detector misses some of their faces. Such rows stay 'no face', have no 3D answer, and their notes say the image was read whole; the metrics leave them out.`}>
            No face found{' '}
            <select aria-label="batch whole-image fallback" value={s.wholeImage} disabled={active} onChange={(e) => s.setWholeImage(e.target.value as WholeImageFallback)} data-testid="batch-whole-image">
              <option value="face-crops">read small square images whole (face crops, ≤ {FACE_CROP_MAX_SIDE} px)</option>
              <option value="always">read every image whole</option>
              <option value="off">leave unanswered</option>
            </select>
          </label>
          {!active && (
            <button data-testid="batch-start" onClick={() => void s.start()} disabled={pipelineStatus !== 'ready' && !manifest}>
              {done ? 'Run again' : 'Start'}
            </button>
          )}
          {s.phase === 'running' && (
            <button data-testid="batch-pause" onClick={s.pause}>
              Pause
            </button>
          )}
          {s.phase === 'paused' && (
            <button data-testid="batch-resume" onClick={s.resume}>
              Resume
            </button>
          )}
          {(s.phase === 'running' || s.phase === 'paused') && (
            <button data-testid="batch-cancel" onClick={s.cancel}>
              Cancel
            </button>
          )}
          {!active && (
            <button data-testid="batch-reset" onClick={s.reset}>
              Clear
            </button>
          )}
          <span className="muted small" data-testid="batch-pool-note" data-workers={pool.workers} data-lent-worker={pool.lent} data-items={Number.isFinite(pool.items) ? pool.items : undefined}>
            {readingVideos ? "Reading the videos' lengths to choose the workers…" : poolNote(pool)}
            {s.plan && s.plan.videos.length > 0 && !readingVideos && ` ${videoNote(s.plan, pool.items, s.fps)}`} Execution provider: {epPreference} (change it at the top right).
            {!has3dPack && ' The loaded pack has no 3D head: results are 2D only.'}
          </span>
        </div>
      )}
      <BatchProgressBar progress={s.progress} phase={s.phase} />
      {s.runNotes.length > 0 && <p className="muted small" data-testid="batch-notes">{s.runNotes.join(' · ')}</p>}
      {s.phase === 'cancelled' && s.progress && (
        <p className="batch-warn" data-testid="batch-cancelled">
          Cancelled: {s.progress.total - s.progress.done} of {s.progress.total} items were not processed and have no row.
        </p>
      )}

      {runDatasetPrior && s.rows.length > 0 && (
        <ClassMixPanel prior={runDatasetPrior} estimate={adaptation?.estimate} skipped={adaptation?.skipped} pending={busy} showTrained={showTrained} onShowTrained={setShowTrained} />
      )}
      {s.rows.length > 0 && (
        <>
          <BatchExports rows={rows} />
          <ResultsTable rows={rows} onOpen={setOpenId} />
          <VideoTimelines rows={rows} />
          {!busy && <MetricsPanel rows={rows} fusionLabel={fusionLabel} />}
          {!busy && <FusionFitPanel rows={s.rows} manifest={manifest} has3d={has3dPack && (s.fusion?.has3d ?? false)} />}
          {busy && <p className="muted small">Metrics and fusion fitting appear when the run finishes, is paused or is cancelled.</p>}
        </>
      )}
      {openRow && <RowDetail row={openRow} fusion={detailFusion} onClose={close} />}
    </div>
  );
}

/** How many frames the plan's videos give at this rate (pool.items counts them with the images). */
function videoNote(plan: { images: readonly unknown[]; videos: readonly unknown[] }, items: number, fps: number): string {
  if (!Number.isFinite(items)) return `With more than ${MAX_VIDEOS_MEASURED} videos their frames are not counted ahead: the run gets the full pool.`;
  const frames = items - plan.images.length;
  return `${plan.videos.length === 1 ? 'The video gives' : `The ${plan.videos.length} videos give`} ${frames} frame${frames === 1 ? '' : 's'} at ${fps}/s.`;
}

/** What the run will use (batchStore.poolFor). */
function poolNote(pool: { workers: number; lent: boolean }): string {
  if (pool.lent && pool.workers > 1)
    return `Starts at once in the live view's inference worker, whose models are already loaded; ${pool.workers === 2 ? 'a worker' : `${pool.workers - 1} workers`} of the run's own join${pool.workers === 2 ? 's' : ''} it when up (from ${ITEMS_ON_LENT_WORKER + 1} images or frames the run starts its own pool).`;
  if (pool.lent) return `Runs in the live view's inference worker, whose models are already loaded (from ${ITEMS_ON_LENT_WORKER_ALONE + 1} images or frames a worker of the run's own joins it).`;
  if (pool.workers > 1) return `Runs ${pool.workers} inference workers.`;
  return `Runs 1 inference worker (a second one starts from ${ITEMS_PER_WORKER + 1} images or frames: its start-up costs more than it saves on fewer).`;
}
