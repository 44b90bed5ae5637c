import type { ClassMixEstimate } from '../../batch/datasetPriorRows';
import type { DatasetPrior } from '../../core/calibration/datasetPrior';
import { EXPRESSIONS } from '../../core/classes/expressionClasses';
import { className, pct } from './util';

/**
 * What the dataset-prior adaptation did to this batch: the class mix it estimated next to the mix
 * the net was calibrated on, or why it left the batch as trained; and the switch that shows the
 * rows, metrics and exports as the net gave them.
 */
export function ClassMixPanel({ prior, estimate, skipped, pending, showTrained, onShowTrained }: {
  prior: DatasetPrior;
  estimate?: ClassMixEstimate;
  skipped?: string;
  pending: boolean;
  showTrained: boolean;
  onShowTrained: (on: boolean) => void;
}) {
  return (
    <section className="class-mix" data-testid="class-mix" aria-label="dataset class mix">
      <h3>Adapted to this dataset's class mix</h3>
      {pending && <p className="muted small" data-testid="class-mix-pending">The dataset prior is applied when the run finishes, is paused or is cancelled: until then the rows are as the net gave them.</p>}
      {!pending && skipped && <p className="batch-warn" data-testid="class-mix-skipped">{skipped}.</p>}
      {!pending && estimate && (
        <>
          <p className="small">
            Label-free: EM over the recalibrated 2D answers of these {estimate.faces} images estimates how common each expression is in this batch, and every image is re-weighted by that mix instead of
            the training set's (FER+ is 36 % neutral). The CSV's <code>calibration</code> column says so; <code>p2d_raw_*</code> and <code>pred_fused_raw</code> keep the net's own answer.
            {estimate.converged ? '' : ` EM stopped after ${estimate.iterations} iterations without converging.`}
          </p>
          <table className="class-mix-table small">
            <thead>
              <tr>
                <th />
                {prior.present.map((i) => (
                  <th key={i}>{className(i).slice(0, 4)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr data-testid="class-mix-estimate">
                <th>this batch</th>
                {prior.present.map((i) => (
                  <td key={i} data-class={EXPRESSIONS[i]} data-value={String(estimate.mix[i])}>
                    {pct(estimate.mix[i])}
                  </td>
                ))}
              </tr>
              <tr data-testid="class-mix-source">
                <th>calibrated on (FER+ Valid)</th>
                {prior.present.map((i) => (
                  <td key={i} data-class={EXPRESSIONS[i]} data-value={String(prior.sourcePrior[i])}>
                    {pct(prior.sourcePrior[i])}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
          <label className="small">
            <input type="checkbox" aria-label="show as trained" checked={showTrained} onChange={(e) => onShowTrained(e.target.checked)} /> Show the rows, metrics and exports as trained (without the
            dataset prior)
          </label>
        </>
      )}
    </section>
  );
}
