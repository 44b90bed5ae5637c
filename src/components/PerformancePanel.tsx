import { useLiveStore } from '../stores/liveStore';

const STAGES: [key: 'landmarks' | 'crop' | 'model2d' | 'regressor3d' | 'flame' | 'head3d' | 'fusion' | 'render', label: string][] = [
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
  return (
    <section className="perf" data-testid="perf-panel" aria-label="performance">
      <h3>Performance</h3>
      <dl>
        <dt>FPS</dt>
        <dd data-testid="perf-fps">{fps ? fps.toFixed(1) : '—'}</dd>
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
