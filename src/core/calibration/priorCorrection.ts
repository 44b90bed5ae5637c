/**
 * Calibration policy, in one place: the class-prior correction a pack declares for a branch
 * (manifest `calibration`, schema in manifest/schema.ts), turned into the per-class offsets that
 * core/branches/logitHead.ts adds to the branch's logits, for every caller alike.
 *
 *   ℓ'_c = ℓ_c − τ · log π_c        (π normalised over the model's own classes)
 *
 * Subtracting a constant from every class would not change anything, so only the differences
 * between classes matter: a class the training set over-represented (FER+'s neutral) is pulled
 * down, a rare one (contempt) pushed up, by τ times the log of how much more common it was.
 */
import type { Calibration } from '../manifest/schema';
import { NUM_CLASSES } from '../classes/expressionClasses';

export interface PriorCorrection {
  /** Added to the AffectNet-ordered logits; 0 for classes the model does not have. */
  offsets: Float32Array;
  tau: number;
  /** Short label for the UI and the CSV, e.g. "prior-correction τ=0.3". */
  label: string;
}

/**
 * Offsets in AffectNet order for a model whose output k is internal class `perm`⁻¹ — i.e. `perm`
 * as returned by permutationToInternal (perm[i] = the model's index of internal class i, −1 if absent).
 */
export function priorCorrection(cal: Calibration, perm: readonly number[]): PriorCorrection {
  const sum = cal.prior.reduce((s, p) => s + p, 0);
  const offsets = new Float32Array(NUM_CLASSES);
  for (let i = 0; i < NUM_CLASSES; i++) {
    const k = perm[i];
    offsets[i] = k < 0 ? 0 : -cal.tau * Math.log(cal.prior[k] / sum);
  }
  return { offsets, tau: cal.tau, label: `${cal.kind} τ=${cal.tau}` };
}

/** The corrected logits (a new array; −∞ for absent classes stays −∞). */
export function applyPriorCorrection(logits: Float32Array, pc: PriorCorrection): Float32Array {
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i] + pc.offsets[i];
  return out;
}

/** The live view's default: on when any branch's manifest asks for it live (`calibration.live`). */
export function liveCalibrationDefault(calibrations: readonly { live: boolean }[] | undefined): boolean {
  return calibrations?.some((c) => c.live) ?? false;
}
