import type { EpPreference } from '../core/pipelineTypes';
import { useShallow } from 'zustand/react/shallow';
import { usePipelineStore } from '../stores/pipelineStore';

/** Shows which execution provider runs the models and lets a user force one. */
export function EpBadge() {
  const { ep, epNote, notice, epPreference, status, chooseEp, dismissNotice } = usePipelineStore(
    useShallow((s) => ({ ep: s.ep, epNote: s.epNote, notice: s.notice, epPreference: s.epPreference, status: s.status, chooseEp: s.chooseEp, dismissNotice: s.dismissNotice })),
  );
  return (
    <div className="ep">
      <span className={`badge badge--${ep ?? 'none'}`} data-testid="ep-badge" title={epNote}>
        {status === 'loading' ? 'loading…' : ep ? `${ep.toUpperCase()}${epPreference === 'auto' ? ' (auto)' : ''}` : '—'}
      </span>
      <select
        aria-label="execution provider"
        value={epPreference}
        onChange={(e) => void chooseEp(e.target.value as EpPreference)}
        disabled={status === 'loading'}
      >
        <option value="auto">Auto (fastest here)</option>
        <option value="webgpu">Force WebGPU</option>
        <option value="wasm">Force WASM</option>
      </select>
      {epNote && <span className="muted small" data-testid="ep-note">{epNote}</span>}
      {notice && (
        <span className="small" role="status" data-testid="pipeline-notice">
          {notice}{' '}
          <button type="button" onClick={dismissNotice} aria-label="Dismiss this notice">
            ×
          </button>
        </span>
      )}
    </div>
  );
}
