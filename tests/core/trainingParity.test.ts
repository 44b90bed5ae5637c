// training/ and src/ implement the same policies twice (Python to choose and report, TypeScript to
// run). training/make_parity_fixtures.py writes what the Python gives on seeded inputs; this checks
// the app's code gives the same. Regenerate the fixture when a Python policy changes on purpose.
import { describe, expect, it } from 'vitest';
import fixture from '../fixtures/training.parity.json';
import { lateFusion, softmax } from '../../src/core/fusion/lateFusion';
import { meanLogits, needsMirror } from '../../src/core/inference/testTimeFlip';
import { classificationReport } from '../../src/core/metrics/classification';
import { EXPRESSIONS, FERPLUS_ORDER, permutationToInternal } from '../../src/core/classes/expressionClasses';
import type { FusionMode } from '../../src/core/types';

const f32 = (a: number[]) => Float32Array.from(a);
const closeTo = (actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 5) => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i], digits);
};

describe('training ↔ app parity', () => {
  it('late fusion: train_head3d.fuse = lateFusion (rows without 3D fall back to 2D)', () => {
    const { l2d, l3d, has3d, weight2d, cases } = fixture.fusion;
    for (const [mode, expected] of Object.entries(cases)) {
      expected.forEach((row, i) => {
        // fuse('3d') has no 2D fallback in training (those rows are never scored 3D-only).
        if (mode === '3d' && !has3d[i]) return;
        const fused = lateFusion(mode as FusionMode, weight2d, f32(l2d[i]), has3d[i] ? f32(l3d[i]) : undefined);
        closeTo(fused!.probs, softmax(row));
      });
    }
  });

  it('gated flip: export_fer2d.apply_flip_gate = needsMirror + meanLogits', () => {
    const { plain, mirror, cases } = fixture.flipGate;
    for (const c of cases) {
      const policy = { flip: true, ...(c.threshold === null ? {} : { flipWhenMarginBelow: c.threshold }) };
      plain.forEach((p, i) => {
        const mirrored = needsMirror(policy, softmax(p));
        expect(mirrored).toBe(c.mirrored[i]);
        closeTo(mirrored ? meanLogits(f32(p), f32(mirror[i])) : f32(p), c.logits[i]);
      });
    }
  });

  it('metrics: training/metrics.summarize = classificationReport (FER+ labels mapped to AffectNet order)', () => {
    const { yTrueFerplus, yPredFerplus, summary } = fixture.metrics;
    const perm = permutationToInternal(FERPLUS_ORDER);
    const toAffectnet = (f: number) => perm.indexOf(f);
    const r = classificationReport(yTrueFerplus.map(toAffectnet), yPredFerplus.map(toAffectnet), 8);
    expect(r.n).toBe(summary.n);
    expect(r.accuracy).toBeCloseTo(summary.accuracy, 10);
    expect(r.macroF1).toBeCloseTo(summary.macroF1, 10);
    EXPRESSIONS.forEach((cls, j) => {
      const label = cls.charAt(0).toUpperCase() + cls.slice(1);
      expect(r.perClassRecall[j]).toBeCloseTo((summary.perClassRecall as Record<string, number>)[label], 10);
    });
  });

  it('class order: shared_names.AFFECTNET_FROM_FERPLUS = permutationToInternal(FERPLUS_ORDER)', () => {
    expect(permutationToInternal(FERPLUS_ORDER)).toEqual(fixture.affectnetFromFerplus);
  });
});
