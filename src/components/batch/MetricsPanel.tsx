import { useMemo, useState } from 'react';
import { BRANCHES, classMetrics, vaMetrics, type Branch } from '../../batch/batchMetrics';
import type { BatchRow } from '../../batch/batchTypes';
import { EXPRESSIONS } from '../../core/classes/expressionClasses';
import type { RegressionReport } from '../../core/metrics/regression';
import { className, fixed, pct } from './util';

const BRANCH_TITLE: Record<Branch, string> = { '2d': '2D only', '3d': '3D only', fused: 'Late fusion' };

function Cell({ testId, value, format }: { testId: string; value: number | undefined; format: (x: number | undefined) => string }) {
  return (
    <td data-testid={testId} data-value={value === undefined || Number.isNaN(value) ? '' : String(value)}>
      {format(value)}
    </td>
  );
}

export function ConfusionMatrix({ confusion, testId }: { confusion: number[][]; testId: string }) {
  const present = EXPRESSIONS.map((_, k) => confusion[k].some((v) => v > 0) || confusion.some((row) => row[k] > 0));
  const idx = EXPRESSIONS.map((_, k) => k).filter((k) => present[k]);
  return (
    <table className="confusion" data-testid={testId}>
      <thead>
        <tr>
          <th className="small muted">true ↓ / predicted →</th>
          {idx.map((k) => (
            <th key={k}>{className(k).slice(0, 4)}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {idx.map((t) => {
          const total = confusion[t].reduce((a, b) => a + b, 0);
          return (
            <tr key={t}>
              <th>{className(t)}</th>
              {idx.map((p) => {
                const v = confusion[t][p];
                const share = total ? v / total : 0;
                return (
                  <td
                    key={p}
                    data-count={v}
                    title={`${className(t)} → ${className(p)}: ${v} (${pct(share)})`}
                    style={{ background: `rgba(${t === p ? '92, 200, 255' : '255, 107, 107'}, ${0.08 + 0.85 * share})` }}
                  >
                    {v}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Scatter({ points }: { points: { valence: [number, number][]; arousal: [number, number][] } }) {
  const S = 240;
  const m = 24;
  const x = (v: number) => m + ((Math.max(-1, Math.min(1, v)) + 1) / 2) * (S - 2 * m);
  const y = (v: number) => S - m - ((Math.max(-1, Math.min(1, v)) + 1) / 2) * (S - 2 * m);
  return (
    <svg width={S} height={S} viewBox={`0 0 ${S} ${S}`} className="scatter" data-testid="va-scatter" role="img" aria-label="predicted vs true valence and arousal">
      <rect x={m} y={m} width={S - 2 * m} height={S - 2 * m} className="plot-bg" />
      <line x1={x(-1)} y1={y(-1)} x2={x(1)} y2={y(1)} className="diag" />
      <line x1={x(0)} y1={y(-1)} x2={x(0)} y2={y(1)} className="axis" />
      <line x1={x(-1)} y1={y(0)} x2={x(1)} y2={y(0)} className="axis" />
      {points.valence.map(([t, p], i) => (
        <circle key={`v${i}`} cx={x(t)} cy={y(p)} r={2.5} className="pt-valence" />
      ))}
      {points.arousal.map(([t, p], i) => (
        <circle key={`a${i}`} cx={x(t)} cy={y(p)} r={2.5} className="pt-arousal" />
      ))}
      <text x={S / 2} y={S - 6} textAnchor="middle" className="axis-label">true</text>
      <text x={8} y={S / 2} textAnchor="middle" className="axis-label" transform={`rotate(-90 8 ${S / 2})`}>predicted</text>
      <text x={m + 4} y={m + 12} className="legend-valence">● valence</text>
      <text x={m + 4} y={m + 24} className="legend-arousal">● arousal</text>
    </svg>
  );
}

function VARow({ name, r }: { name: 'valence' | 'arousal'; r?: RegressionReport }) {
  return (
    <tr>
      <th>{name}</th>
      <td data-testid={`va-${name}-n`} data-value={r?.n ?? ''}>{r?.n ?? 0}</td>
      <Cell testId={`va-${name}-ccc`} value={r?.ccc} format={(v) => fixed(v)} />
      <Cell testId={`va-${name}-pcc`} value={r?.pcc} format={(v) => fixed(v)} />
      <Cell testId={`va-${name}-rmse`} value={r?.rmse} format={(v) => fixed(v)} />
      <Cell testId={`va-${name}-sagr`} value={r?.sagr} format={(v) => fixed(v)} />
    </tr>
  );
}

export function MetricsPanel({ rows, fusionLabel }: { rows: BatchRow[]; fusionLabel: string }) {
  const cm = useMemo(() => classMetrics(rows), [rows]);
  const va = useMemo(() => vaMetrics(rows), [rows]);
  const branches = BRANCHES.filter((b) => cm.reports[b]);
  const [shown, setShown] = useState<Branch>('fused');
  const confusionBranch = cm.reports[shown] ? shown : branches[branches.length - 1];

  if (cm.labelled === 0 && va.labelled === 0) {
    return (
      <section className="batch-panel" data-testid="metrics-none">
        <h3>Metrics</h3>
        <p className="muted">No labels were found, so there is nothing to score. Put images in class-named folders or add a label CSV.</p>
      </section>
    );
  }
  return (
    <section className="batch-panel" data-testid="metrics">
      <h3>Metrics</h3>
      {cm.labelled > 0 && (
        <>
          <p className="muted small" data-testid="metrics-coverage" data-labelled={cm.labelled} data-unscored={cm.unscored} data-read-whole={cm.readWhole}>
            {cm.labelled} images with a class label; {cm.labelled - cm.unscored} scored.{' '}
            {cm.unscored > 0 && `${cm.unscored} without a face (or failed) are left out of these numbers`}
            {cm.readWhole > 0 && ` (${cm.readWhole} of them were read whole by the 2D model: their answers are in the table and the CSV, but the three branches are scored on the same faces)`}
            {cm.unscored > 0 && '.'}
          </p>
          {branches.length === 0 ? (
            <p>No labelled image has a prediction yet.</p>
          ) : (
            <div className="metrics-row">
              <table className="metrics-table" data-testid="metrics-table">
                <thead>
                  <tr>
                    <th />
                    {branches.map((b) => (
                      <th key={b}>
                        {BRANCH_TITLE[b]}
                        {b === 'fused' && <div className="muted small">{fusionLabel}</div>}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    <th>Faces scored</th>
                    {branches.map((b) => (
                      <Cell key={b} testId={`metric-${b}-n`} value={cm.reports[b]!.n} format={(v) => String(v ?? 0)} />
                    ))}
                  </tr>
                  <tr>
                    <th>Accuracy</th>
                    {branches.map((b) => (
                      <Cell key={b} testId={`metric-${b}-accuracy`} value={cm.reports[b]!.accuracy} format={(v) => pct(v, 2)} />
                    ))}
                  </tr>
                  <tr>
                    <th>Macro-F1</th>
                    {branches.map((b) => (
                      <Cell key={b} testId={`metric-${b}-macroF1`} value={cm.reports[b]!.macroF1} format={(v) => pct(v, 2)} />
                    ))}
                  </tr>
                  {EXPRESSIONS.map((e, k) => (
                    <tr key={e} className="recall-row">
                      <th>Recall: {className(k)}</th>
                      {branches.map((b) => (
                        <Cell key={b} testId={`metric-${b}-recall-${e}`} value={cm.reports[b]!.perClassRecall[k]} format={(v) => pct(v, 1)} />
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
              {confusionBranch && (
                <div>
                  <label className="small">
                    Confusion matrix of{' '}
                    <select value={confusionBranch} onChange={(e) => setShown(e.target.value as Branch)} aria-label="confusion matrix branch">
                      {branches.map((b) => (
                        <option key={b} value={b}>
                          {BRANCH_TITLE[b]}
                        </option>
                      ))}
                    </select>
                  </label>
                  <ConfusionMatrix confusion={cm.reports[confusionBranch]!.confusion} testId="confusion" />
                  <p className="muted small">Rows: true class; colour: share of the row.</p>
                </div>
              )}
            </div>
          )}
        </>
      )}
      {va.labelled > 0 && (
        <div className="metrics-row" data-testid="va-metrics">
          <div>
            <h4>Valence / arousal ({va.labelled} labelled)</h4>
            <table className="metrics-table">
              <thead>
                <tr>
                  <th />
                  <th>n</th>
                  <th>CCC</th>
                  <th>PCC</th>
                  <th>RMSE</th>
                  <th>SAGR</th>
                </tr>
              </thead>
              <tbody>
                <VARow name="valence" r={va.valence} />
                <VARow name="arousal" r={va.arousal} />
              </tbody>
            </table>
            <p className="muted small">Predicted VA comes from a VA head when the pack has one, otherwise it is derived from class probabilities.</p>
          </div>
          <Scatter points={va.points} />
        </div>
      )}
    </section>
  );
}
