/**
 * The 2D side when a pack has several 2D models (role fei2d): their weighted mean of
 * log-probabilities, per class, over the models that have the class. A model without a class
 * (face-api's net has no contempt; manifest `missing: "abstain"`) abstains there and the others
 * decide it, so a missing class is neither forced to 0 nor averaged with an invented value.
 * Log-probabilities, not raw logits, because two independently trained nets have different logit
 * scales; the result is itself a valid set of logits for the late fusion with the 3D side.
 * training/choose_calibration.py computes exactly this (fixture-checked in vitest).
 */
import type { BranchOutput } from '../types';
import { softmax } from './lateFusion';

export function logSoftmax(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const lse = max + Math.log(sum);
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i] - lse;
  return out;
}

/** Combine the 2D models' outputs with their weights; one model passes through unchanged. */
export function combine2d(outputs: readonly { weight: number; out: BranchOutput }[]): BranchOutput | undefined {
  const used = outputs.filter((o) => o.weight > 0);
  if (used.length === 0) return outputs[0]?.out;
  if (used.length === 1) return used[0].out;
  const n = used[0].out.logits.length;
  const num = new Float64Array(n);
  const den = new Float64Array(n);
  for (const { weight, out } of used) {
    const lp = logSoftmax(out.logits);
    for (let c = 0; c < n; c++) {
      if (!Number.isFinite(lp[c])) continue; // this model abstains on class c
      num[c] += weight * lp[c];
      den[c] += weight;
    }
  }
  const logits = new Float32Array(n);
  for (let c = 0; c < n; c++) logits[c] = den[c] > 0 ? num[c] / den[c] : -Infinity;
  const result: BranchOutput = { logits, probs: softmax(logits) };
  const views = used.find((u) => u.out.views)?.out.views;
  if (views) result.views = views;
  // VA heads, if any: the same weights over the models that have one.
  const withVa = used.filter((u) => u.out.va);
  if (withVa.length) {
    const w = withVa.reduce((s, u) => s + u.weight, 0);
    result.va = {
      valence: withVa.reduce((s, u) => s + u.weight * u.out.va!.valence, 0) / w,
      arousal: withVa.reduce((s, u) => s + u.weight * u.out.va!.arousal, 0) / w,
    };
  }
  return result;
}
