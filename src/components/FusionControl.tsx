import type { FusionMode } from '../core/types';
import { useLiveStore } from '../stores/liveStore';
import { usePipelineStore } from '../stores/pipelineStore';
import { liveCalibrationDefault } from '../core/calibration/priorCorrection';

const MODES: [FusionMode, string][] = [
  ['2d', '2D only'],
  ['3d', '3D only'],
  ['weighted', 'Late fusion (weighted)'],
  ['mean', 'Late fusion (mean)'],
  ['max', 'Late fusion (max)'],
];

/** Chooses what the "fused" bars show; the weight is w in ℓ = w·ℓ2D + (1−w)·ℓ3D. */
export function FusionControl({ has3d }: { has3d: boolean }) {
  const mode = useLiveStore((s) => s.fusionMode);
  const w = useLiveStore((s) => s.weight2d);
  const setFusion = useLiveStore((s) => s.setFusion);
  const calibrate = useLiveStore((s) => s.calibrate);
  const setCalibrate = useLiveStore((s) => s.setCalibrate);
  const calibrations = usePipelineStore((s) => s.calibrations);
  const models2d = usePipelineStore((s) => s.models2d);
  const calibrationOn = calibrate ?? liveCalibrationDefault(calibrations);
  return (
    <fieldset className="fusion" data-testid="fusion-control">
      <legend>Fusion</legend>
      <select aria-label="fusion mode" value={mode} onChange={(e) => setFusion(e.target.value as FusionMode)}>
        {MODES.map(([m, label]) => (
          <option key={m} value={m} disabled={!has3d && m !== '2d'}>
            {label}
          </option>
        ))}
      </select>
      <label>
        2D weight <output data-testid="fusion-weight">{w.toFixed(2)}</output>
        <input
          type="range"
          aria-label="2D weight"
          min={0}
          max={1}
          step={0.05}
          value={w}
          disabled={mode !== 'weighted' || !has3d}
          onChange={(e) => setFusion(mode, Number(e.target.value))}
        />
      </label>
      {!has3d && <p className="muted small">This pack has no 3D head: predictions come from the 2D model alone.</p>}
      {models2d && models2d.length > 1 && (
        <p className="muted small" data-testid="models2d">
          2D side: {models2d.map((m) => `${m.id} ×${m.weight}`).join(' + ')} (log-probabilities averaged)
        </p>
      )}
      {calibrations && calibrations.length > 0 && (
        <label title="Subtracts τ·log(training prior) from the logits, so a class the training set over-represented (FER+: neutral) does not win by default. Chosen on FER+ Valid and a cross-domain check.">
          <input type="checkbox" aria-label="class-prior correction" checked={calibrationOn} onChange={(e) => setCalibrate(e.target.checked)} /> Class-prior correction{' '}
          <span className="muted small" data-testid="calibration-label">
            ({calibrations.map((c) => `${c.id}: ${c.label}`).join('; ')})
          </span>
        </label>
      )}
    </fieldset>
  );
}
