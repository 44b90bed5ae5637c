import { describe, expect, it } from 'vitest';
import { argmax, classificationReport, confusionMatrix } from '../../src/core/metrics/classification';
import { ccc, pcc, regressionReport, rmse, sagr } from '../../src/core/metrics/regression';

describe('classification metrics (hand-computed)', () => {
  // 3 classes. true: 0 0 0 1 1 2 ; pred: 0 0 1 1 2 2
  const yt = [0, 0, 0, 1, 1, 2];
  const yp = [0, 0, 1, 1, 2, 2];
  it('confusion matrix counts true × predicted', () => {
    expect(confusionMatrix(yt, yp, 3)).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
  });
  it('accuracy, recall, precision, macro-F1', () => {
    const r = classificationReport(yt, yp, 3);
    expect(r.accuracy).toBeCloseTo(4 / 6, 10);
    expect(r.perClassRecall).toEqual([2 / 3, 1 / 2, 1]);
    expect(r.perClassPrecision).toEqual([1, 1 / 2, 1 / 2]);
    // F1: c0 = 2·1·(2/3)/(5/3) = 0.8; c1 = 0.5; c2 = 2·0.5·1/1.5 = 2/3
    expect(r.perClassF1[0]).toBeCloseTo(0.8, 10);
    expect(r.perClassF1[1]).toBeCloseTo(0.5, 10);
    expect(r.perClassF1[2]).toBeCloseTo(2 / 3, 10);
    expect(r.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 10);
  });
  it('a class never predicted has F1 0, not NaN', () => {
    const r = classificationReport([0, 1, 1], [0, 0, 0], 2);
    expect(r.perClassF1[1]).toBe(0);
    expect(r.perClassPrecision[1]).toBe(0);
    expect(r.macroF1).toBeCloseTo((2 * 1 / 3 / (1 / 3 + 1) + 0) / 2, 10);
  });
  it('a class absent from the labels is reported and left out of macro-F1', () => {
    const r = classificationReport([0, 0], [0, 1], 3);
    expect(r.absentClasses).toEqual([1, 2]);
    expect(Number.isNaN(r.perClassRecall[1])).toBe(true);
    expect(r.macroF1).toBeCloseTo(2 / 3, 10); // only class 0: P=1, R=0.5
  });
  it('rejects mismatched lengths and out-of-range classes', () => {
    expect(() => confusionMatrix([0], [0, 1], 2)).toThrow(/differ in length/);
    expect(() => confusionMatrix([0], [5], 2)).toThrow(/out of range/);
  });
  it('argmax takes the first maximum', () => {
    expect(argmax([0.1, 0.5, 0.5, 0.2])).toBe(1);
  });
});

describe('valence/arousal metrics (hand-computed)', () => {
  const truth = [1, 2, 3, 4];
  const pred = [2, 2, 4, 4];
  it('CCC with population variances', () => {
    // mean t 2.5, var_t 1.25; mean p 3, var_p 1; cov = ((-1.5)(-1)+(-0.5)(-1)+(0.5)(1)+(1.5)(1))/4 = 1
    // CCC = 2·1 / (1 + 1.25 + 0.25) = 0.8
    expect(ccc(pred, truth)).toBeCloseTo(0.8, 10);
  });
  it('PCC, RMSE', () => {
    expect(pcc(pred, truth)).toBeCloseTo(1 / Math.sqrt(1.25), 10);
    expect(rmse(pred, truth)).toBeCloseTo(Math.sqrt(2 / 4), 10);
  });
  it('SAGR counts sign agreement', () => {
    expect(sagr([0.5, -0.2, 0.1, -0.9], [0.3, 0.4, -0.1, -0.5])).toBe(0.5);
  });
  it('constant predictions: CCC 0 with varying truth, PCC undefined', () => {
    expect(ccc([0.2, 0.2, 0.2], [0, 1, -1])).toBeCloseTo(0, 10);
    expect(Number.isNaN(pcc([0.2, 0.2, 0.2], [0, 1, -1]))).toBe(true);
    expect(ccc([0.3, 0.3], [0.3, 0.3])).toBe(1);
  });
  it('perfect predictions have CCC 1 and RMSE 0; a shift lowers CCC but not PCC', () => {
    expect(ccc(truth, truth)).toBeCloseTo(1, 12);
    const shifted = truth.map((t) => t + 1);
    expect(pcc(shifted, truth)).toBeCloseTo(1, 12);
    expect(ccc(shifted, truth)).toBeLessThan(1);
    expect(regressionReport(truth, truth).rmse).toBe(0);
  });
});
