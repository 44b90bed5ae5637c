/**
 * Valence/arousal metrics used in affective computing (AffectNet, AFEW-VA, Ig3D):
 * CCC (Lin's concordance correlation coefficient, population variances), PCC, RMSE and
 * SAGR (sign agreement).
 */

function mean(x: readonly number[]): number {
  return x.reduce((a, b) => a + b, 0) / x.length;
}

function check(pred: readonly number[], truth: readonly number[]): void {
  if (pred.length !== truth.length) throw new Error(`predictions (${pred.length}) and labels (${truth.length}) differ in length`);
  if (pred.length === 0) throw new Error('no values');
}

/** Population (1/n) variance and covariance, as in Lin (1989). */
function moments(pred: readonly number[], truth: readonly number[]) {
  const mp = mean(pred);
  const mt = mean(truth);
  let vp = 0, vt = 0, cov = 0;
  for (let i = 0; i < pred.length; i++) {
    vp += (pred[i] - mp) ** 2;
    vt += (truth[i] - mt) ** 2;
    cov += (pred[i] - mp) * (truth[i] - mt);
  }
  const n = pred.length;
  return { mp, mt, vp: vp / n, vt: vt / n, cov: cov / n };
}

/** CCC = 2·cov / (var_p + var_t + (mean_p − mean_t)²). Constant predictions give 0 (not NaN) unless both are identical constants. */
export function ccc(pred: readonly number[], truth: readonly number[]): number {
  check(pred, truth);
  if (isConstant(pred) && isConstant(truth) && pred[0] === truth[0]) return 1; // perfect agreement
  const { mp, mt, vp, vt, cov } = moments(pred, truth);
  const denom = vp + vt + (mp - mt) ** 2;
  return (2 * cov) / denom;
}

const isConstant = (x: readonly number[]) => x.every((v) => v === x[0]);

/** Pearson correlation; NaN when either side is constant (undefined). */
export function pcc(pred: readonly number[], truth: readonly number[]): number {
  check(pred, truth);
  // Tested on the values, not the variance: the mean of equal floats can differ from them by an ulp.
  if (isConstant(pred) || isConstant(truth)) return NaN;
  const { vp, vt, cov } = moments(pred, truth);
  return cov / Math.sqrt(vp * vt);
}

export function rmse(pred: readonly number[], truth: readonly number[]): number {
  check(pred, truth);
  let s = 0;
  for (let i = 0; i < pred.length; i++) s += (pred[i] - truth[i]) ** 2;
  return Math.sqrt(s / pred.length);
}

/** Sign agreement: fraction of items where prediction and label have the same sign (0 counts as positive, as in AffectNet's code). */
export function sagr(pred: readonly number[], truth: readonly number[]): number {
  check(pred, truth);
  let agree = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] >= 0 === truth[i] >= 0) agree++;
  return agree / pred.length;
}

export interface RegressionReport {
  n: number;
  ccc: number;
  pcc: number;
  rmse: number;
  sagr: number;
}

export function regressionReport(pred: readonly number[], truth: readonly number[]): RegressionReport {
  return { n: pred.length, ccc: ccc(pred, truth), pcc: pcc(pred, truth), rmse: rmse(pred, truth), sagr: sagr(pred, truth) };
}
