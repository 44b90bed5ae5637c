import { describe, expect, it } from 'vitest';
import { fuseLogits, lateFusion, softmax } from '../../src/core/fusion/lateFusion';

const l2d = [2, 0, 0, 0, 0, 0, 0, 1];
const l3d = [0, 3, 0, 0, 0, 0, 0, 1];
const argmax = (p: ArrayLike<number>) => Array.from(p).indexOf(Math.max(...Array.from(p)));

describe('softmax', () => {
  it('sums to one and is shift invariant', () => {
    const p = softmax([1, 2, 3]);
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 6);
    const q = softmax([1001, 1002, 1003]);
    for (let i = 0; i < 3; i++) expect(q[i]).toBeCloseTo(p[i], 6);
  });
});

describe('fuseLogits', () => {
  it('weighted: w·2D + (1−w)·3D', () => {
    const f = fuseLogits('weighted', l2d, l3d, 0.65);
    expect(f[0]).toBeCloseTo(1.3, 6);
    expect(f[1]).toBeCloseTo(1.05, 6);
    expect(f[7]).toBeCloseTo(1, 6);
  });
  it('mean and max', () => {
    expect(Array.from(fuseLogits('mean', l2d, l3d, 0.9))).toEqual([1, 1.5, 0, 0, 0, 0, 0, 1]);
    expect(Array.from(fuseLogits('max', l2d, l3d, 0.9))).toEqual([2, 3, 0, 0, 0, 0, 0, 1]);
  });
  it('w = 1 is 2D alone and w = 0 is 3D alone', () => {
    expect(Array.from(fuseLogits('weighted', l2d, l3d, 1))).toEqual(l2d);
    expect(Array.from(fuseLogits('weighted', l2d, l3d, 0))).toEqual(l3d);
  });
  it('refuses vectors of different length', () => {
    expect(() => fuseLogits('mean', [1, 2], [1, 2, 3], 0.5)).toThrow(/cannot fuse/);
  });
});

describe('lateFusion', () => {
  it('follows the weight: 2D wins at high w, 3D at low w', () => {
    expect(argmax(lateFusion('weighted', 0.9, l2d, l3d)!.probs)).toBe(0);
    expect(argmax(lateFusion('weighted', 0.2, l2d, l3d)!.probs)).toBe(1);
  });
  it('2d and 3d modes use one branch', () => {
    expect(Array.from(lateFusion('2d', 0.5, l2d, l3d)!.probs)).toEqual(Array.from(softmax(l2d)));
    expect(Array.from(lateFusion('3d', 0.5, l2d, l3d)!.probs)).toEqual(Array.from(softmax(l3d)));
  });
  it('falls back to 2D alone, and says so, when 3D is missing', () => {
    for (const mode of ['weighted', 'mean', 'max', '3d'] as const) {
      const out = lateFusion(mode, 0.5, l2d, undefined)!;
      expect(out.mode).toBe('2d');
      expect(out.fallback).toMatch(/no 3D/);
      expect(Array.from(out.probs)).toEqual(Array.from(softmax(l2d)));
    }
  });
  it('2D mode with no 3D is not a fallback', () => {
    expect(lateFusion('2d', 0.5, l2d, undefined)!.fallback).toBeUndefined();
  });
  it('returns nothing when no branch ran', () => {
    expect(lateFusion('weighted', 0.5, undefined, undefined)).toBeUndefined();
  });
});
