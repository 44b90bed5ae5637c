import { memo, useMemo } from 'react';
import { EXPRESSION_LABELS } from '../../core/classes/expressionClasses';
import type { FaceParamAdapter, ParamSpec } from '../../core/blendshapeModel/faceParams';
import { useTeachStore } from '../../stores/teachStore';
import { ExpressionBars } from '../ExpressionBars';
import { VACircumplex } from '../VACircumplex';
import { ParamMeshView } from './ParamMeshView';
import { shownHeadEvaluation } from './teachFrame';

const NO_TRAIL: { valence: number; arousal: number }[] = [];
const OPEN_GROUPS = new Set(['brows', 'eyes', 'jaw', 'mouth', 'expression', 'eyelids']);

const Slider = memo(function Slider({ p, index, value, reference }: { p: ParamSpec; index: number; value: number; reference?: number }) {
  const setValue = useTeachStore((s) => s.setValue);
  const changed = reference !== undefined && Math.abs(reference - value) > 1e-3;
  return (
    <label className={`teach-slider ${changed ? 'teach-slider--changed' : ''}`} title={p.feedsHead ? undefined : 'mesh only: not an input of the 3D head'}>
      <span className="teach-slider-name">{p.label}</span>
      <input
        type="range"
        min={p.min}
        max={p.max}
        step={p.step}
        value={value}
        aria-label={p.label}
        data-testid={`param-${p.key}`}
        onChange={(e) => setValue(index, Number(e.target.value))}
      />
      <output>
        {value.toFixed(2)}
        {p.unit ? ` ${p.unit}` : ''}
      </output>
    </label>
  );
});

/**
 * Sliders for the adapter's parameters (grouped by face region), presets, the mesh and the 3D head's
 * answer. Memoised, and reading only what it shows from the store: live results do not re-render it.
 */
export const ParamExplorer = memo(function ParamExplorer({ adapter, meshCanvasRef }: { adapter: FaceParamAdapter; meshCanvasRef: React.MutableRefObject<HTMLCanvasElement | null> }) {
  const values = useTeachStore((s) => s.values)!;
  const head = useTeachStore((s) => s.head);
  const presetIndex = useTeachStore((s) => s.presetIndex);
  const origin = useTeachStore((s) => s.valuesOrigin);
  const presenter = useTeachStore((s) => s.presenter);
  const frozen = useTeachStore((s) => s.frozen);
  const presetsInfo = useTeachStore((s) => s.presetsInfo);
  const { applyPreset, resetValues } = useTeachStore.getState();

  // Values copied from the frozen frame: sliders moved away from them are highlighted.
  const reference = useMemo(() => {
    if (!frozen) return undefined;
    const v = adapter.fromFrame(frozen.result);
    return typeof v === 'string' ? undefined : v;
  }, [adapter, frozen]);

  const byGroup = useMemo(() => {
    const m = new Map<string, { p: ParamSpec; i: number }[]>();
    adapter.params.forEach((p, i) => {
      if (!p.hidden) m.set(p.group, [...(m.get(p.group) ?? []), { p, i }]);
    });
    return m;
  }, [adapter]);

  const evalNow = shownHeadEvaluation(head);

  return (
    <section className="teach-explorer" aria-label="3D parameter explorer" data-testid="teach-explorer">
      <h2>Explore the 3D parameters</h2>
      <p className="muted small" data-testid="teach-values-origin">
        Showing: {origin}
      </p>
      <ParamMeshView adapter={adapter} values={values} presenter={presenter} canvasRef={meshCanvasRef} />

      <div className="teach-head">
        <ExpressionBars title="3D head (these parameters)" probs={evalNow?.probs} testId="teach-bars-3d" emphasis />
        <div data-testid="teach-head-va">
          <VACircumplex va={evalNow?.va} trail={NO_TRAIL} size={presenter ? 260 : 190} />
        </div>
      </div>
      <p className="small" role="status" data-testid="teach-head-status" data-status={head.status}>
        {head.status === 'none' && head.message}
        {head.status === 'error' && <span className="warning">3D head failed: {head.message}</span>}
        {head.status === 'busy' && <span className="muted">evaluating…</span>}
        {head.status === 'ok' && <span className="muted">3D head evaluated on {values.length} slider values ({adapter.params.filter((p) => p.feedsHead).length} are its inputs).</span>}
      </p>

      <div className="teach-presets" role="group" aria-label="expression presets">
        <span className="small muted">Presets (data-made):</span>
        {adapter.presets.length === 0 && <span className="small muted">none for {adapter.label} yet</span>}
        {adapter.presets.map((p, i) => (
          <button
            key={p.cls}
            type="button"
            className={i === presetIndex ? 'active' : ''}
            aria-pressed={i === presetIndex}
            data-testid={`preset-${p.cls}`}
            title={p.count ? `mean of ${p.count} FER+ Train faces labelled ${p.cls}` : undefined}
            onClick={() => applyPreset(i)}
          >
            {EXPRESSION_LABELS[p.cls]}
          </button>
        ))}
        <button type="button" onClick={resetValues} data-testid="teach-reset">
          Reset
        </button>
      </div>
      {presetsInfo && (
        <p className="muted small">
          Presets: {presetsInfo.method}; {presetsInfo.source}.
        </p>
      )}

      <div className="teach-groups">
        {adapter.groups.map((g) => {
          const items = byGroup.get(g.id);
          if (!items?.length) return null;
          return (
            <details key={g.id} open={OPEN_GROUPS.has(g.id)} data-testid={`group-${g.id}`}>
              <summary>
                {g.label} <span className="muted small">({items.length})</span>
              </summary>
              {g.hint && <p className="muted small">{g.hint}</p>}
              <div className="teach-sliders">
                {items.map(({ p, i }) => (
                  <Slider key={p.key} p={p} index={i} value={values[i]} reference={reference?.[i]} />
                ))}
              </div>
            </details>
          );
        })}
      </div>
    </section>
  );
});
