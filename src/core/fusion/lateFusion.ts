/**
 * Late fusion of the 2D and 3D branches, as in Ig3D (Dong et al. 2024, Sec. 3.3):
 * fuse class *logits* after both are in the same class order.
 *   weighted: ℓ = w·ℓ2D + (1−w)·ℓ3D   (w chosen on a validation split, stored in the manifest)
 *   mean:     ℓ = (ℓ2D + ℓ3D) / 2
 *   max:      ℓ = max(ℓ2D, ℓ3D) per class
 * When a frame has no 3D features, every mode except '3d' falls back to 2D alone and says so.
 */
import type { FusedOutput, FusionMode } from '../types';

export function softmax(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

export function fuseLogits(
  mode: Exclude<FusionMode, '2d' | '3d'>,
  l2d: ArrayLike<number>,
  l3d: ArrayLike<number>,
  weight2d: number,
): Float32Array {
  if (l2d.length !== l3d.length) throw new Error(`cannot fuse ${l2d.length} with ${l3d.length} logits`);
  const out = new Float32Array(l2d.length);
  for (let i = 0; i < out.length; i++) {
    if (mode === 'weighted') out[i] = weight2d * l2d[i] + (1 - weight2d) * l3d[i];
    else if (mode === 'mean') out[i] = 0.5 * (l2d[i] + l3d[i]);
    else out[i] = Math.max(l2d[i], l3d[i]);
  }
  return out;
}

/** Fuse what is available for one face; the result always has probabilities unless nothing ran. */
export function lateFusion(
  mode: FusionMode,
  weight2d: number,
  l2d: ArrayLike<number> | undefined,
  l3d: ArrayLike<number> | undefined,
): FusedOutput | undefined {
  if (mode === '3d') {
    if (l3d) return { mode, weight2d, probs: softmax(l3d) };
    if (l2d) return { mode: '2d', weight2d, probs: softmax(l2d), fallback: 'no 3D features for this face: showing 2D only' };
    return undefined;
  }
  if (!l2d) {
    return l3d ? { mode: '3d', weight2d, probs: softmax(l3d), fallback: 'no 2D model output: showing 3D only' } : undefined;
  }
  if (mode === '2d') return { mode, weight2d, probs: softmax(l2d) };
  if (!l3d) return { mode: '2d', weight2d, probs: softmax(l2d), fallback: 'no 3D features for this face: fell back to 2D only' };
  return { mode, weight2d, probs: softmax(fuseLogits(mode, l2d, l3d, weight2d)) };
}
