import { useShallow } from 'zustand/react/shallow';
import { useLiveStore } from '../stores/liveStore';
import { usePaced } from './usePaced';

/** The panel's figures change at most this often (usePaced.ts says why): twice a second, readable. */
export const PERF_PANEL_MIN_INTERVAL_MS = 500;

const STAGES: [key: 'idle' | 'pixels' | 'landmarks' | 'crop' | 'model2d' | 'regressor3d' | 'flame' | 'head3d' | 'fusion' | 'render', label: string][] = [
  ['idle', 'Worker idle'],
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

/**
 * Shown only when there is a figure: the FLAME rows with a FLAME pack; the worker's idle time before
 * a frame when it reads the camera itself (worker/workerLive.ts).
 */
const ONLY_WHEN_MEASURED = new Set(['regressor3d', 'flame', 'idle']);

/**
 * `preview`: what the live preview shows and why (previewMode.ts); `headRedraw`: how often the live
 * ICT head redraws (ictHead/drawPacing.ts); `gaugesRedraw`: how often the bars and the VA disc change
 * (gaugePacing.ts); each omitted where there is none.
 */
export function PerformancePanel({ preview, headRedraw, gaugesRedraw }: { preview?: string; headRedraw?: string; gaugesRedraw?: string } = {}) {
  const live = useLiveStore(useShallow((s) => ({ fps: s.fps, timings: s.timings, latencyMs: s.latencyMs, framePath: s.framePath })));
  // One paced snapshot, so all rows change in the same repaint.
  const { fps, timings, latencyMs, framePath } = usePaced(live, PERF_PANEL_MIN_INTERVAL_MS);
  return (
    <section className="perf" data-testid="perf-panel" aria-label="performance">
      <h3>Performance</h3>
      <dl>
        <dt>FPS</dt>
        <dd data-testid="perf-fps">{fps ? fps.toFixed(1) : '—'}</dd>
        <div className="perf-row" title="How camera frames reach the inference worker: track-processor-worker = the worker reads the camera itself (a transferred MediaStreamTrackProcessor stream); track-processor = the page hands it VideoFrames (the stream does not transfer here); canvas = a canvas read-back where the browser lacks MediaStreamTrackProcessor">
          <dt>Frame path</dt>
          <dd data-testid="perf-frame-path">{framePath ?? '—'}</dd>
        </div>
        {preview && (
          <div className="perf-row" title="On a software GPU the preview shows each analysed frame, so the screen is redrawn once per result instead of 30 times a second">
            <dt>Preview</dt>
            <dd data-testid="perf-preview">{preview}</dd>
          </div>
        )}
        {headRedraw && (
          <div className="perf-row" title="On a software GPU the 3D head's fit and drawing share the CPU with the analysis, so it redraws at most this often (always with the newest result)">
            <dt>3D head redraw</dt>
            <dd data-testid="perf-head-redraw">{headRedraw}</dd>
          </div>
        )}
        {gaugesRedraw && (
          <div className="perf-row" title="On a software GPU every composited frame costs CPU the analysis needs, so the preview, the bars and the valence/arousal disc change at most this often, together (always to the newest result)">
            <dt>Preview &amp; bars redraw</dt>
            <dd data-testid="perf-gauges-redraw">{gaugesRedraw}</dd>
          </div>
        )}
        <div className="perf-row" title="From the camera frame reaching the page (with frame path track-processor-worker: reaching the worker) to its result back on the page">
          <dt>Frame → result</dt>
          <dd data-testid="perf-latency">{latencyMs !== undefined ? `${latencyMs.toFixed(1)} ms` : '—'}</dd>
        </div>
        {STAGES.filter(([key]) => timings[key] !== undefined || !ONLY_WHEN_MEASURED.has(key)).map(([key, label]) => (
          <div key={key} className="perf-row">
            <dt>{label}</dt>
            <dd data-testid={`perf-${key}`}>{timings[key] !== undefined ? `${timings[key]!.toFixed(1)} ms` : '—'}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
