// Teaching mode's fusion: the same late fusion as the pipeline, branch toggles, VA rules, and the
// "disagreement" highlight saying which branch the fusion followed.
import { describe, expect, it } from 'vitest';
import { teachFusion } from '../../src/core/fusion/fusionPolicy';
import { softmax } from '../../src/core/fusion/lateFusion';
import { derivedVA } from '../../src/core/va/derivedVA';

const branch = (logits: number[]) => {
  const l = Float32Array.from(logits);
  return { logits: l, probs: softmax(l) };
};
const head = (logits: number[]) => {
  const b = branch(logits);
  return { ...b, va: { ...derivedVA(b.probs), source: 'derived' as const } };
};
const opts = { use2d: true, use3d: true, weight2d: 0.5, fusionMode: 'weighted' as const, vaWeight2d: 0.6 };

describe('teachFusion', () => {
  // 2D: mildly happy. 3D: strongly surprised.
  const b2 = branch([0, 1, 0, 0.5, 0, 0, 0, 0]);
  const b3 = head([0, 0, 0, 4, 0, 0, 0, 0]);

  it('fuses logits with the weight and reports which branch the fusion followed', () => {
    const f = teachFusion(b2, b3, opts);
    expect(f.fused?.mode).toBe('weighted');
    const expected = softmax([0, 0.5, 0, 2.25, 0, 0, 0, 0]);
    f.fused!.probs.forEach((p, i) => expect(p).toBeCloseTo(expected[i], 6));
    expect(f.disagreement).toEqual({ top2d: 'happy', top3d: 'surprise', topFused: 'surprise', followed: '3d' });
    // With w = 0.9 the 2D branch wins.
    expect(teachFusion(b2, b3, { ...opts, weight2d: 0.9 }).disagreement?.followed).toBe('2d');
  });

  it('turning a branch off shows the other one alone', () => {
    const only2d = teachFusion(b2, b3, { ...opts, use3d: false });
    expect(only2d.fused?.mode).toBe('2d');
    expect(Array.from(only2d.fused!.probs)).toEqual(Array.from(b2.probs));
    const only3d = teachFusion(b2, b3, { ...opts, use2d: false });
    expect(only3d.fused?.mode).toBe('3d');
    expect(only3d.va).toEqual(b3.va);
  });

  it('without a frame the 3D head alone drives the result; agreeing branches are not flagged', () => {
    const f = teachFusion(undefined, b3, opts);
    expect(f.fused?.mode).toBe('3d');
    expect(f.disagreement).toBeUndefined();
    expect(teachFusion(branch([0, 0, 0, 1, 0, 0, 0, 0]), b3, opts).disagreement).toBeUndefined();
  });

  it('VA: derived from the fused probabilities when no branch has a VA head, fused when one has', () => {
    const f = teachFusion(b2, b3, opts);
    expect(f.va?.source).toBe('derived');
    const d = derivedVA(f.fused!.probs);
    expect(f.va?.valence).toBeCloseTo(d.valence, 6);
    const withVa = teachFusion({ ...b2, va: { valence: 1, arousal: 0 } }, b3, opts);
    expect(withVa.va?.source).toBe('fused');
    expect(withVa.va?.valence).toBeCloseTo(0.6 * 1 + 0.4 * derivedVA(b3.probs).valence, 6);
  });
});
