import { describe, expect, it } from 'vitest';
import { fusedPrediction, manifestWithWeight, mulberry32, reportForWeight, searchFusionWeight, seededSplit, type FitSample } from '../../src/batch/fusionFit';

const onehot = (k: number, v = 1) => Array.from({ length: 8 }, (_, i) => (i === k ? v : 0));

describe('seeded split', () => {
  it('is reproducible for a seed, disjoint and complete, and honours the fraction', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const a = seededSplit(items, 0.3, 7);
    const b = seededSplit(items, 0.3, 7);
    expect(a).toEqual(b);
    expect(a.fit).toHaveLength(30);
    expect(a.heldOut).toHaveLength(70);
    expect([...a.fit, ...a.heldOut].sort((x, y) => x - y)).toEqual(items);
    expect(seededSplit(items, 0.3, 8).fit).not.toEqual(a.fit);
  });

  it('keeps at least one item on each side, and rejects fractions outside (0, 1)', () => {
    expect(seededSplit([1, 2], 0.01, 1).fit).toHaveLength(1);
    expect(seededSplit([1, 2], 0.99, 1).heldOut).toHaveLength(1);
    expect(() => seededSplit([1, 2], 1, 1)).toThrow();
    expect(() => seededSplit([1, 2], 0, 1)).toThrow();
  });

  it('mulberry32 is deterministic and in [0, 1)', () => {
    const r = mulberry32(123);
    const xs = Array.from({ length: 1000 }, r);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(123)()).toBe(xs[0]);
  });
});

describe('fusion weight search', () => {
  it('finds a weight that combines complementary branches', () => {
    // 2D is right (confidently) on the first half, 3D on the second; each is weakly wrong elsewhere.
    const samples: FitSample[] = [];
    for (let i = 0; i < 20; i++) {
      const label = i % 8;
      const wrong = (label + 1) % 8;
      const first = i < 10;
      samples.push({
        label,
        logits2d: first ? onehot(label, 3) : onehot(wrong, 1),
        logits3d: first ? onehot(wrong, 1) : onehot(label, 3),
      });
    }
    expect(reportForWeight(samples, 1).accuracy).toBe(0.5);
    expect(reportForWeight(samples, 0).accuracy).toBe(0.5);
    const s = searchFusionWeight(samples, { prefer: 1 });
    expect(s.accuracy).toBe(1);
    expect(s.weight2d).toBeGreaterThan(0.25);
    expect(s.weight2d).toBeLessThan(0.75);
    expect(s.curve).toHaveLength(21);
    expect(s.curve[0].weight2d).toBe(0);
    expect(s.curve[20].weight2d).toBe(1);
  });

  it('prefers the current weight when the curve is flat', () => {
    const samples: FitSample[] = [{ label: 2, logits2d: onehot(2), logits3d: onehot(2) }];
    expect(searchFusionWeight(samples, { prefer: 0.8 }).weight2d).toBe(0.8);
    expect(searchFusionWeight(samples, { prefer: 0.33 }).weight2d).toBe(0.35);
  });

  it('w=1 is the 2D prediction and w=0 the 3D prediction', () => {
    const s: FitSample = { label: 0, logits2d: onehot(4), logits3d: onehot(6) };
    expect(fusedPrediction(s, 1)).toBe(4);
    expect(fusedPrediction(s, 0)).toBe(6);
  });

  it('refuses an empty fit set', () => {
    expect(() => searchFusionWeight([])).toThrow(/no labelled faces/);
  });

  it('writes the weight into a manifest copy, weighted mode, keeping the rest', () => {
    const m = { name: 'p', fusion: { mode: '2d', weight2d: 1, vaWeight2d: 0.6 } };
    const out = manifestWithWeight(m, 0.65);
    expect(out).toEqual({ name: 'p', fusion: { mode: 'weighted', weight2d: 0.65, vaWeight2d: 0.6 } });
    expect(m.fusion.weight2d).toBe(1);
    expect(manifestWithWeight({ name: 'q' } as { name: string; fusion?: { weight2d: number } }, 0.4).fusion).toEqual({ mode: 'weighted', weight2d: 0.4, vaWeight2d: 0.6 });
  });
});
