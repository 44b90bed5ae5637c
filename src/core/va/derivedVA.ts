/**
 * Valence/arousal derived from class probabilities, for models without a VA head:
 * the probability-weighted mean of AffectNet's per-class VA centroids
 * (AffectNet validation set, 500 images per class; table in ../shared/README.md).
 */
import { NUM_CLASSES } from '../classes/expressionClasses';

/** [valence, arousal] per class, AffectNet order. */
export const AFFECTNET_VA_CENTROIDS: readonly (readonly [number, number])[] = [
  [-0.025, -0.019], // neutral
  [0.672, 0.081], // happy
  [-0.628, -0.267], // sad
  [0.183, 0.701], // surprise
  [-0.117, 0.76], // fear
  [-0.684, 0.446], // disgust
  [-0.426, 0.554], // anger
  [-0.51, 0.576], // contempt
];

export function derivedVA(probs: ArrayLike<number>): { valence: number; arousal: number } {
  if (probs.length !== NUM_CLASSES) throw new Error(`expected ${NUM_CLASSES} probabilities, got ${probs.length}`);
  let v = 0;
  let a = 0;
  let total = 0;
  for (let i = 0; i < NUM_CLASSES; i++) {
    v += probs[i] * AFFECTNET_VA_CENTROIDS[i][0];
    a += probs[i] * AFFECTNET_VA_CENTROIDS[i][1];
    total += probs[i];
  }
  // Normalise so slightly-off sums (fp16, rounding) don't shrink VA toward 0.
  return total > 0 ? { valence: v / total, arousal: a / total } : { valence: 0, arousal: 0 };
}

/** VA fusion when both branches have VA heads: paper uses 0.6·2D + 0.4·3D. */
export function fuseVA(
  va2d: { valence: number; arousal: number },
  va3d: { valence: number; arousal: number },
  weight2d: number,
): { valence: number; arousal: number } {
  return {
    valence: weight2d * va2d.valence + (1 - weight2d) * va3d.valence,
    arousal: weight2d * va2d.arousal + (1 - weight2d) * va3d.arousal,
  };
}
