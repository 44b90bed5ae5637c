import type { BatchProgress } from '../../batch/batchTypes';
import { formatSeconds } from './util';

export function BatchProgressBar({ progress, phase }: { progress?: BatchProgress; phase: string }) {
  if (!progress) return null;
  const { done, total, imagesPerSecond, etaSeconds, failed, noFace, restarts } = progress;
  const percent = total ? Math.floor((done / total) * 100) : 0;
  const active = phase === 'running' || phase === 'paused';
  return (
    <div
      className="batch-progress"
      data-testid="batch-progress"
      data-done={done}
      data-total={total}
      data-state={phase}
      data-percent={percent}
      data-ips={imagesPerSecond.toFixed(3)}
    >
      <progress max={total || 1} value={done} aria-label="batch progress" />
      <span data-testid="batch-progress-text">
        {done} / {total} ({percent}%)
      </span>
      <span data-testid="batch-rate">{imagesPerSecond.toFixed(1)} images/s</span>
      {active && <span data-testid="batch-eta">ETA {phase === 'paused' ? 'paused' : formatSeconds(etaSeconds)}</span>}
      <span className="muted">
        {noFace} without a face, {failed} errors{restarts ? `, ${restarts} landmarker restarts` : ''}
      </span>
      <span className={`tag batch-state batch-state--${phase}`} data-testid="batch-state">
        {phase}
      </span>
    </div>
  );
}
