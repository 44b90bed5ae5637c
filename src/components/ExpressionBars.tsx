import { memo } from 'react';
import { EXPRESSIONS, EXPRESSION_LABELS } from '../core/classes/expressionClasses';

interface Props {
  title: string;
  probs?: Float32Array;
  testId: string;
  /** The branch the fusion followed / the one being shown as the final answer. */
  emphasis?: boolean;
  /** A line under the title (e.g. why the fused bars repeat one branch: fusedPanel.ts). */
  note?: string;
  /** More about the note, on hover. */
  noteDetail?: string;
  /**
   * The note on hover over the title instead of a line under it (data-note keeps it readable):
   * the live view's first screen has no room for it (fusedPanel.ts says why).
   */
  noteAsHint?: boolean;
}

/**
 * 8 expression bars; the top class is highlighted. A bar's length is a scaleX transform of its own
 * compositor layer (styles.css), not a width: the live view changes it with every result, and on a
 * software GPU a width change repaints (rasters on the CPU) the bar and its row each time, while a
 * transform is only recomposited (issue #16). No transition: the bars follow the results as they come.
 * Memoised: a view that re-renders for another reason (a slider, a branch toggle) leaves bars whose
 * probabilities did not change alone.
 */
export const ExpressionBars = memo(function ExpressionBars({ title, probs, testId, emphasis, note, noteDetail, noteAsHint }: Props) {
  const top = probs ? probs.indexOf(Math.max(...probs)) : -1;
  return (
    <section className={`bars ${emphasis ? 'bars--emphasis' : ''}`} data-testid={testId} aria-label={`${title} probabilities`}>
      <h3 title={noteAsHint && note ? [note, noteDetail].filter(Boolean).join(' ') : undefined} data-note={noteAsHint ? (note ?? '') : undefined}>
        {title}
      </h3>
      {note && !noteAsHint && (
        <p className="muted small" role="note" data-testid={`${testId}-note`} title={noteDetail}>
          {note}
        </p>
      )}
      {!probs && <p className="muted">—</p>}
      <ul>
        {EXPRESSIONS.map((cls, i) => {
          const p = probs ? probs[i] : 0;
          return (
            <li key={cls} className={i === top ? 'top' : ''} data-class={cls} data-prob={probs ? p.toFixed(4) : ''}>
              <span className="label">{EXPRESSION_LABELS[cls]}</span>
              <span className="track">
                <span className="fill" style={{ transform: `scaleX(${p.toFixed(3)})` }} />
              </span>
              <span className="value">{probs ? `${(p * 100).toFixed(0)}%` : ''}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
});
