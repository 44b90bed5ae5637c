/**
 * Classification metrics, as reported in the Ig3D tables: accuracy, macro-F1, per-class
 * recall and the confusion matrix. Labels and predictions are class indices (AffectNet order).
 */

export interface ClassificationReport {
  n: number;
  accuracy: number;
  macroF1: number;
  perClassRecall: number[];
  perClassPrecision: number[];
  perClassF1: number[];
  /** confusion[true][pred] counts */
  confusion: number[][];
  /** Classes that never occur as a true label; their recall is NaN and they are left out of macro-F1. */
  absentClasses: number[];
}

export function confusionMatrix(yTrue: readonly number[], yPred: readonly number[], numClasses: number): number[][] {
  if (yTrue.length !== yPred.length) throw new Error(`labels (${yTrue.length}) and predictions (${yPred.length}) differ in length`);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  yTrue.forEach((t, i) => {
    const p = yPred[i];
    if (t < 0 || t >= numClasses || p < 0 || p >= numClasses) throw new Error(`class index out of range at ${i}`);
    m[t][p]++;
  });
  return m;
}

/**
 * Macro-F1 averages F1 over classes present in the labels (sklearn's behaviour with
 * `labels=present classes`): a class never predicted has precision 0 and F1 0, not NaN.
 */
export function classificationReport(yTrue: readonly number[], yPred: readonly number[], numClasses: number): ClassificationReport {
  const confusion = confusionMatrix(yTrue, yPred, numClasses);
  const n = yTrue.length;
  let correct = 0;
  const perClassRecall: number[] = [];
  const perClassPrecision: number[] = [];
  const perClassF1: number[] = [];
  const absentClasses: number[] = [];
  for (let k = 0; k < numClasses; k++) {
    correct += confusion[k][k];
    const support = confusion[k].reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[k], 0);
    const tp = confusion[k][k];
    const recall = support > 0 ? tp / support : NaN;
    const precision = predicted > 0 ? tp / predicted : 0;
    if (support === 0) absentClasses.push(k);
    perClassRecall.push(recall);
    perClassPrecision.push(precision);
    perClassF1.push(support > 0 && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0);
  }
  const present = perClassF1.filter((_, k) => !absentClasses.includes(k));
  return {
    n,
    accuracy: n > 0 ? correct / n : NaN,
    macroF1: present.length ? present.reduce((a, b) => a + b, 0) / present.length : NaN,
    perClassRecall,
    perClassPrecision,
    perClassF1,
    confusion,
    absentClasses,
  };
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
