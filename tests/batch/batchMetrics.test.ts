import { describe, expect, it } from 'vitest';
import { classMetrics, fitSamples, isWrong, readWhole, vaMetrics } from '../../src/batch/batchMetrics';
import type { BatchRow } from '../../src/batch/batchTypes';
import type { Expression } from '../../src/core/classes/expressionClasses';

const probs = (k: number) => Float32Array.from({ length: 8 }, (_, i) => (i === k ? 0.9 : 0.1 / 7));
function row(id: number, label: Expression | undefined, p2d?: number, p3d?: number, extra: Partial<BatchRow> = {}): BatchRow {
  return {
    id,
    path: `${id}.png`,
    status: p2d === undefined ? 'no-face' : 'ok',
    detection: p2d === undefined ? 'none' : 'as-is',
    faceCount: p2d === undefined ? 0 : 1,
    p2d: p2d === undefined ? undefined : probs(p2d),
    p3d: p3d === undefined ? undefined : probs(p3d),
    fused: p2d === undefined ? undefined : probs(p3d ?? p2d),
    logits2d: p2d === undefined ? undefined : probs(p2d),
    logits3d: p3d === undefined ? undefined : probs(p3d),
    notes: [],
    label: label ? { expression: label } : undefined,
    ...extra,
  };
}

describe('batch metrics', () => {
  it('scores each branch on labelled faces and counts unscored rows', () => {
    const rows = [row(0, 'neutral', 0, 0), row(1, 'happy', 1, 0), row(2, 'happy', 0, 1), row(3, 'sad'), row(4, undefined, 2, 2)];
    const m = classMetrics(rows);
    expect(m.labelled).toBe(4);
    expect(m.unscored).toBe(1);
    expect(m.reports['2d']!.n).toBe(3);
    expect(m.reports['2d']!.accuracy).toBeCloseTo(2 / 3);
    expect(m.reports['3d']!.accuracy).toBeCloseTo(2 / 3);
    expect(m.reports.fused!.confusion[1][0]).toBe(1);
    expect(isWrong(rows[1])).toBe(true);
    expect(isWrong(rows[2])).toBe(false);
    expect(isWrong(rows[3])).toBe(false);
  });

  it('rows read whole without a face are answered but not scored, and counted as such', () => {
    const whole = row(5, 'sad', undefined, undefined, { p2d: probs(3), fused: probs(3), notes: ['no face found: …read it whole'] });
    const rows = [row(0, 'neutral', 0, 0), row(3, 'sad'), whole, row(6, undefined, undefined, undefined, { p2d: probs(1), fused: probs(1) })];
    expect(rows.map(readWhole)).toEqual([false, false, true, true]);
    const m = classMetrics(rows);
    expect(m.labelled).toBe(3);
    expect(m.unscored).toBe(2);
    expect(m.readWhole).toBe(1);
    expect(m.reports['2d']!.n).toBe(1);
    // Its answer is still right or wrong for the table's filter.
    expect(isWrong(whole)).toBe(true);
    expect(isWrong({ ...whole, label: { expression: 'happy' } })).toBe(true);
    expect(isWrong({ ...whole, label: { expression: 'surprise' } })).toBe(false);
  });

  it('leaves out branches nobody has', () => {
    const m = classMetrics([row(0, 'neutral', 0)]);
    expect(m.reports['3d']).toBeUndefined();
    expect(m.reports['2d']!.accuracy).toBe(1);
  });

  it('computes VA metrics from labelled rows with predictions', () => {
    const rows = [
      row(0, undefined, 0, undefined, { valence: 0.5, arousal: 0.1, label: { valence: 0.4, arousal: 0.2 } }),
      row(1, undefined, 0, undefined, { valence: -0.5, arousal: -0.1, label: { valence: -0.6, arousal: 0.1 } }),
      row(2, undefined, undefined, undefined, { label: { valence: 0.1, arousal: 0.1 } }),
    ];
    const va = vaMetrics(rows);
    expect(va.labelled).toBe(3);
    expect(va.unscored).toBe(1);
    expect(va.valence!.n).toBe(2);
    expect(va.valence!.sagr).toBe(1);
    expect(va.arousal!.sagr).toBe(0.5);
    expect(va.points.valence).toEqual([[0.4, 0.5], [-0.6, -0.5]]);
  });

  it('fit samples need a label and both logits', () => {
    const s = fitSamples([row(0, 'happy', 1, 1), row(1, 'happy', 1), row(2, undefined, 1, 1)]);
    expect(s.map((x) => x.id)).toEqual([0]);
    expect(s[0].label).toBe(1);
  });
});
