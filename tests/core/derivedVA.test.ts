import { describe, expect, it } from 'vitest';
import { AFFECTNET_VA_CENTROIDS, derivedVA, fuseVA } from '../../src/core/va/derivedVA';

describe('derived valence/arousal', () => {
  it('a one-hot probability gives that class centroid', () => {
    AFFECTNET_VA_CENTROIDS.forEach(([v, a], k) => {
      const p = new Array(8).fill(0);
      p[k] = 1;
      const va = derivedVA(p);
      expect(va.valence).toBeCloseTo(v, 6);
      expect(va.arousal).toBeCloseTo(a, 6);
    });
  });
  it('is the probability-weighted mean of centroids (hand computed)', () => {
    // 0.5 happy + 0.5 sad: v = (0.672 − 0.628)/2 = 0.022, a = (0.081 − 0.267)/2 = −0.093
    const va = derivedVA([0, 0.5, 0.5, 0, 0, 0, 0, 0]);
    expect(va.valence).toBeCloseTo(0.022, 6);
    expect(va.arousal).toBeCloseTo(-0.093, 6);
  });
  it('renormalises probabilities that do not sum to one', () => {
    const a = derivedVA([0, 0.25, 0.25, 0, 0, 0, 0, 0]);
    const b = derivedVA([0, 0.5, 0.5, 0, 0, 0, 0, 0]);
    expect(a.valence).toBeCloseTo(b.valence, 6);
  });
  it('refuses the wrong number of classes', () => {
    expect(() => derivedVA([1, 0, 0])).toThrow(/expected 8/);
  });
  it('fuses VA heads with a weight (paper: 0.6·2D + 0.4·3D)', () => {
    const va = fuseVA({ valence: 1, arousal: 0 }, { valence: 0, arousal: 1 }, 0.6);
    expect(va.valence).toBeCloseTo(0.6, 6);
    expect(va.arousal).toBeCloseTo(0.4, 6);
  });
});
