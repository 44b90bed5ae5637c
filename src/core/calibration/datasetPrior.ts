/**
 * Dataset-prior adaptation, in one place: the maths behind a batch's "adapt to this dataset's
 * class mix" (manifest `calibration.datasetPrior`, schema in manifest/schema.ts).
 *
 * A net trained on FER+ learned FER+'s mix (36 % neutral); a researcher's dataset has its own
 * (a posed set has no neutral face at all). Label-shift EM (Saerens, Latinne & Decaestecker,
 * Neural Computation 2002) estimates the batch's mix π̂ from its unlabelled posteriors, then
 * re-weights each face by π̂ / π_source. EM needs calibrated posteriors, so they are first
 * recalibrated ("BCTS", Alexandari et al., ICML 2020):  z = T · log p + b.
 * On a batch with the training mix EM finds that mix again and little changes; measured on FER+
 * Valid in public/models/calibration.md ("Session 10").
 *
 * Unlike the per-frame prior correction it needs every face of the batch before any answer is
 * final, so batch/datasetPriorRows.ts applies it when a run ends; nothing here runs per frame.
 */
import type { DatasetPriorDecl, Manifest } from '../manifest/schema';
import { NUM_CLASSES, permutationToInternal } from '../classes/expressionClasses';
import { modelsByRole } from '../manifest/parseManifest';
import { weights2d } from '../fusion/fusionPolicy';
import { softmax } from '../fusion/lateFusion';

/** How a batch treats the training prior: as trained, the pack's fixed correction (τ), or adapted to the dataset. */
export type PriorMode = 'off' | 'fixed' | 'dataset';

/**
 * A batch's starting mode, from the pack: the dataset prior where it is declared, enabled and
 * applicable; else the fixed correction where a branch enables it for datasets; else as trained.
 */
export function defaultBatchPriorMode(manifest: Manifest): PriorMode {
  const { prior } = datasetPriorOf(manifest);
  if (prior?.enabled) return 'dataset';
  const fixedOn = manifest.models.some((m) => (m.role === 'fei2d' || m.role === 'head3d') && m.calibration?.enabled);
  return fixedOn ? 'fixed' : 'off';
}

/** A pack's declaration in AffectNet order (absent classes: bias 0, source 0, never predicted). */
export interface DatasetPrior {
  /** The 2D model that declares it (the label in the CSV's calibration column). */
  modelId: string;
  temperature: number;
  bias: Float64Array;
  sourcePrior: Float64Array;
  /** The model's classes (AffectNet indices) — EM runs over these only. */
  present: readonly number[];
  alpha: number;
  minItems: number;
  /** Whether batch runs start with it. */
  enabled: boolean;
}

/**
 * The pack's dataset-prior declaration, when its 2D side is one model that declares one; else why
 * not (shown where the option would be). Several 2D models mixed on the 2D side have no single
 * recalibration, so the option is not offered there.
 */
export function datasetPriorOf(manifest: Manifest): { prior?: DatasetPrior; unavailable?: string } {
  const used = modelsByRole(manifest, 'fei2d').filter((m) => weights2d(manifest, m.id) > 0);
  const declaring = used.filter((m) => m.calibration?.datasetPrior);
  if (declaring.length === 0) return { unavailable: 'the pack declares no dataset-prior adaptation' };
  if (used.length > 1) return { unavailable: `the 2D side mixes ${used.length} models (${used.map((m) => m.id).join(', ')}); the adaptation is declared for one model` };
  const m = declaring[0];
  const { classOrder, missing } = m.outputs.logits;
  return { prior: fromDeclaration(m.id, m.calibration!.datasetPrior!, permutationToInternal(classOrder, { allowMissing: missing === 'abstain' })) };
}

/** A declaration (model class order) in AffectNet order; `perm[i]` = the model's index of class i or −1. */
export function fromDeclaration(modelId: string, d: DatasetPriorDecl, perm: readonly number[]): DatasetPrior {
  const bias = new Float64Array(NUM_CLASSES);
  const sourcePrior = new Float64Array(NUM_CLASSES);
  const present: number[] = [];
  let sum = 0;
  for (let i = 0; i < NUM_CLASSES; i++) {
    const k = perm[i];
    if (k < 0) continue;
    present.push(i);
    bias[i] = d.bias[k];
    sourcePrior[i] = d.sourcePrior[k];
    sum += d.sourcePrior[k];
  }
  for (const i of present) sourcePrior[i] /= sum;
  return { modelId, temperature: d.temperature, bias, sourcePrior, present, alpha: d.alpha, minItems: d.minItems, enabled: d.enabled };
}

/**
 * A probability as the batch CSV stores it (6 decimals), floored at 1e-6. The Batch tab and
 * `npm run batch` (which re-reads its streamed CSV when the run ends) start from these same
 * numbers, so both give the same answers to the last digit.
 */
export function storedProbability(p: number): number {
  return Math.max(Number(p.toFixed(6)), 1e-6);
}

/** Recalibrated scores z = T · log p + b (AffectNet order; −∞ for classes the model lacks). */
export function recalibrate(probs: ArrayLike<number>, dp: DatasetPrior): Float64Array {
  const z = new Float64Array(NUM_CLASSES).fill(-Infinity);
  for (const i of dp.present) z[i] = dp.temperature * Math.log(storedProbability(probs[i])) + dp.bias[i];
  return z;
}

export interface ClassMix {
  /** Estimated class mix of the batch (AffectNet order, sums to 1 over the model's classes). */
  mix: Float64Array;
  iterations: number;
  converged: boolean;
}

/**
 * Saerens EM with a Dirichlet pull of `alpha` pseudo-faces towards the source prior:
 *   r_n ∝ q_n · π / π_source;   π ← (Σ_n r_n + α · π_source) / (N + α)
 * `posteriors` are recalibrated (lateFusion's softmax of `recalibrate`), one per face.
 */
export function estimateClassMix(posteriors: readonly ArrayLike<number>[], dp: DatasetPrior, opts: { maxIterations?: number; tolerance?: number } = {}): ClassMix {
  const maxIterations = opts.maxIterations ?? 500;
  const tolerance = opts.tolerance ?? 1e-7;
  const src = dp.sourcePrior;
  let pi = Float64Array.from(src);
  const r = new Float64Array(NUM_CLASSES);
  for (let it = 1; it <= maxIterations; it++) {
    const acc = new Float64Array(NUM_CLASSES);
    for (const q of posteriors) {
      let s = 0;
      for (const i of dp.present) s += (r[i] = (q[i] * pi[i]) / src[i]);
      for (const i of dp.present) acc[i] += r[i] / s;
    }
    const next = new Float64Array(NUM_CLASSES);
    let change = 0;
    for (const i of dp.present) {
      next[i] = (acc[i] + dp.alpha * src[i]) / (posteriors.length + dp.alpha);
      change = Math.max(change, Math.abs(next[i] - pi[i]));
    }
    pi = next;
    if (change < tolerance) return { mix: pi, iterations: it, converged: true };
  }
  return { mix: pi, iterations: maxIterations, converged: false };
}

/** One face's adapted probabilities: softmax(z + log(π̂ / π_source)); 0 for classes the model lacks. */
export function adaptedProbabilities(z: Float64Array, dp: DatasetPrior, mix: Float64Array): Float32Array {
  const shifted = new Float64Array(NUM_CLASSES).fill(-Infinity);
  for (const i of dp.present) shifted[i] = z[i] + Math.log(mix[i] / dp.sourcePrior[i]);
  return softmax(shifted);
}
