import { describe, expect, it } from 'vitest';
import { meanLogits, meanOfViews, mirrorRgba, needsMirror, topTwoMargin } from '../../src/core/inference/testTimeFlip';
import { softmax } from '../../src/core/fusion/lateFusion';

describe('gated flip test-time augmentation', () => {
  it('measures the top-1 − top-2 margin wherever the two largest values are', () => {
    expect(topTwoMargin([0.1, 0.6, 0.3])).toBeCloseTo(0.3);
    expect(topTwoMargin([0.45, 0.1, 0.45])).toBe(0);
    expect(topTwoMargin([0.2, 0.7, 0.05, 0.05])).toBeCloseTo(0.5);
    expect(topTwoMargin([1])).toBe(0);
  });

  it('mirrors only below the threshold, always without one, never without flip', () => {
    const confident = [0.9, 0.05, 0.05];
    const unsure = [0.5, 0.4, 0.1];
    const gated = { flip: true, flipWhenMarginBelow: 0.25 };
    expect(needsMirror(gated, confident)).toBe(false);
    expect(needsMirror(gated, unsure)).toBe(true);
    expect(needsMirror({ flip: true, flipWhenMarginBelow: 0.1 }, [0.54, 0.46])).toBe(true);
    expect(needsMirror({ flip: true, flipWhenMarginBelow: 0.1 }, [0.56, 0.44])).toBe(false);
    expect(needsMirror({ flip: true }, confident)).toBe(true);
    expect(needsMirror({ flip: false, flipWhenMarginBelow: 0.9 }, unsure)).toBe(false);
    expect(needsMirror(undefined, unsure)).toBe(false);
  });

  it('mirrors RGBA rows pixel by pixel, keeping each pixel\'s channels together', () => {
    // 3×2 image; pixel (x, y) has R = 10·y + x, G = 100 + R, B = 200 − R, A = 255.
    const w = 3, h = 2;
    const px = (x: number, y: number) => [10 * y + x, 100 + 10 * y + x, 200 - 10 * y - x, 255];
    const img = new Uint8ClampedArray(Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => px(x, y))).flat(2));
    const out = mirrorRgba(img, w, h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(Array.from(out.slice((y * w + x) * 4, (y * w + x) * 4 + 4))).toEqual(px(w - 1 - x, y));
    expect(Array.from(mirrorRgba(out, w, h))).toEqual(Array.from(img));
    expect(() => mirrorRgba(img, 4, 2)).toThrow(/expected 32/);
  });

  it('averages logits element-wise and refuses mismatched lengths', () => {
    expect(Array.from(meanLogits(Float32Array.of(1, -2, 4), Float32Array.of(3, 2, 0)))).toEqual([2, 0, 2]);
    expect(() => meanLogits(new Float32Array(8), new Float32Array(7))).toThrow(/differ/);
  });

  it('combines two views into one branch output: mean logits, their softmax, mean VA', () => {
    const a = { logits: Float32Array.of(2, 0), probs: softmax([2, 0]), va: { valence: 0.5, arousal: -0.2 } };
    const b = { logits: Float32Array.of(0, 0), probs: softmax([0, 0]), va: { valence: -0.1, arousal: 0.4 } };
    const out = meanOfViews(a, b);
    expect(Array.from(out.logits)).toEqual([1, 0]);
    expect(Array.from(out.probs)).toEqual(Array.from(softmax([1, 0])));
    expect(out.va!.valence).toBeCloseTo(0.2);
    expect(out.va!.arousal).toBeCloseTo(0.1);
    expect(out.views).toBe(2);
    expect(meanOfViews({ logits: a.logits, probs: a.probs }, { logits: b.logits, probs: b.probs }).va).toBeUndefined();
  });
});
