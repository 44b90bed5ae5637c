/**
 * Gated horizontal-flip test-time augmentation for the 2D expression model.
 *
 * Averaging the logits of a face crop and of its mirror image is a cheap, well-known gain, but
 * it doubles the model's cost. Most faces do not need it: when the first pass is already
 * confident (its top-1 probability beats the runner-up by a wide margin) the mirror rarely
 * changes the answer. So the mirror runs only when the margin is below a threshold chosen on
 * FER+ Valid (training/export_fer2d.py), which keeps the full-TTA accuracy at a fraction of
 * its cost. The manifest declares the policy (fei2d.testTimeAugmentation).
 */
import type { Fei2dModel } from '../manifest/schema';
import type { BranchOutput } from '../types';
import { softmax } from '../fusion/lateFusion';

export type FlipPolicy = NonNullable<Fei2dModel['testTimeAugmentation']>;

/** Top-1 minus top-2 of a probability vector (0 when there are fewer than two entries). */
export function topTwoMargin(probs: ArrayLike<number>): number {
  let a = -Infinity;
  let b = -Infinity;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (p > a) {
      b = a;
      a = p;
    } else if (p > b) b = p;
  }
  return Number.isFinite(b) ? a - b : 0;
}

/** Whether the mirrored crop should run, given the first pass's class probabilities. */
export function needsMirror(policy: FlipPolicy | undefined, firstPassProbs: ArrayLike<number>): boolean {
  if (!policy?.flip) return false;
  if (policy.flipWhenMarginBelow === undefined) return true;
  return topTwoMargin(firstPassProbs) < policy.flipWhenMarginBelow;
}

/** Left-right mirror of an RGBA image (row-major, 4 bytes per pixel), into a new array. */
export function mirrorRgba(rgba: Uint8ClampedArray, width: number, height: number): Uint8ClampedArray {
  if (rgba.length < width * height * 4) throw new Error(`image has ${rgba.length} bytes, expected ${width * height * 4}`);
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const d = (row + x) * 4;
      const s = (row + width - 1 - x) * 4;
      out[d] = rgba[s];
      out[d + 1] = rgba[s + 1];
      out[d + 2] = rgba[s + 2];
      out[d + 3] = rgba[s + 3];
    }
  }
  return out;
}

/** Element-wise mean of two logit vectors (what the model card's numbers are computed from). */
export function meanLogits(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new Error(`logit lengths differ: ${a.length} vs ${b.length}`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = 0.5 * (a[i] + b[i]);
  return out;
}

/** The 2D branch output of the crop and its mirror: logits (and VA, if the model has it) averaged. */
export function meanOfViews(a: BranchOutput, b: BranchOutput): BranchOutput {
  const logits = meanLogits(a.logits, b.logits);
  const va = a.va && b.va ? { valence: (a.va.valence + b.va.valence) / 2, arousal: (a.va.arousal + b.va.arousal) / 2 } : a.va;
  return { logits, probs: softmax(logits), ...(va ? { va } : {}), views: 2 };
}
