import { useLiveStore } from '../stores/liveStore';

const STAGES: [key: 'pixels' | 'landmarks' | 'crop' | 'model2d' | 'regressor3d' | 'flame' | 'head3d' | 'fusion' | 'render', label: string][] = [
  ['pixels', 'Frame → pixels'],
  ['landmarks', 'Landmarks'],
  ['crop', 'Crop'],
  ['model2d', '2D model'],
  ['regressor3d', 'FLAME regressor'],
  ['flame', 'FLAME decode'],
  ['head3d', '3D head'],
  ['fusion', 'Fusion'],
  ['render', 'Render'],
];

/** Shown only when a FLAME pack produces them, so the default pack's panel stays as it was. */
const FLAME_ONLY = new Set(['regressor3d', 'flame']);

export function PerformancePanel() {
  const fps = useLiveStore((s) => s.fps);
  const timings = useLiveStore((s) => s.timings);
  const latencyMs = useLiveStore((s) => s.latencyMs);
  const framePath = useLiveStore((s) => s.framePath);
  return (
    <section className="perf" data-testid="perf-panel" aria-label="performance">
      <h3>Performance</h3>
      <dl>
        <dt>FPS</dt>
        <dd data-testid="perf-fps">{fps ? fps.toFixed(1) : '—'}</dd>
        <div className="perf-row" title="How camera frames reach the inference worker: MediaStreamTrackProcessor VideoFrames, or a canvas read-back where the browser lacks it">
          <dt>Frame path</dt>
          <dd data-testid="perf-frame-path">{framePath ?? '—'}</dd>
        </div>
        <div className="perf-row" title="From the camera frame reaching the page to its result back on the page">
          <dt>Frame → result</dt>
          <dd data-testid="perf-latency">{latencyMs !== undefined ? `${latencyMs.toFixed(1)} ms` : '—'}</dd>
        </div>
        {STAGES.filter(([key]) => timings[key] !== undefined || !FLAME_ONLY.has(key)).map(([key, label]) => (
          <div key={key} className="perf-row">
            <dt>{label}</dt>
            <dd data-testid={`perf-${key}`}>{timings[key] !== undefined ? `${timings[key]!.toFixed(1)} ms` : '—'}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
