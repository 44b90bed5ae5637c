/**
 * Fit the late-fusion weight on the user's own labelled data (Ig3D: w is chosen on a
 * validation split). Works on the logits stored in batch rows, so no image is re-run.
 * Pure and framework-free.
 */
import { NUM_CLASSES } from '../core/classes/expressionClasses';
import { argmax, classificationReport, type ClassificationReport } from '../core/metrics/classification';

export interface FitSample {
  logits2d: ArrayLike<number>;
  logits3d: ArrayLike<number>;
  /** True class index (AffectNet order). */
  label: number;
}

/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same split everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Seeded split into a fit part (`fitFraction` of the items, at least one) and a held-out
 * part (the rest, at least one when there are two or more items). Order within each part
 * follows the input.
 */
export function seededSplit<T>(items: readonly T[], fitFraction: number, seed: number): { fit: T[]; heldOut: T[] } {
  if (!(fitFraction > 0 && fitFraction < 1)) throw new Error(`fit fraction must be between 0 and 1, got ${fitFraction}`);
  const idx = items.map((_, i) => i);
  const rand = mulberry32(seed);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  let nFit = Math.round(items.length * fitFraction);
  if (items.length >= 2) nFit = Math.min(Math.max(nFit, 1), items.length - 1);
  const fitSet = new Set(idx.slice(0, nFit));
  const fit: T[] = [];
  const heldOut: T[] = [];
  items.forEach((it, i) => (fitSet.has(i) ? fit : heldOut).push(it));
  return { fit, heldOut };
}

export function fusedPrediction(s: FitSample, weight2d: number): number {
  const fused = new Float64Array(s.logits2d.length);
  for (let k = 0; k < fused.length; k++) fused[k] = weight2d * s.logits2d[k] + (1 - weight2d) * s.logits3d[k];
  return argmax(fused);
}

/** Classification report of weighted late fusion with `weight2d` (1 = 2D only, 0 = 3D only). */
export function reportForWeight(samples: readonly FitSample[], weight2d: number): ClassificationReport {
  return classificationReport(
    samples.map((s) => s.label),
    samples.map((s) => fusedPrediction(s, weight2d)),
    NUM_CLASSES,
  );
}

export interface WeightSearch {
  weight2d: number;
  accuracy: number;
  macroF1: number;
  /** Every weight tried, for a plot. */
  curve: { weight2d: number; accuracy: number; macroF1: number }[];
}

/**
 * Grid search of w in [0, 1] maximising accuracy on `samples`; ties go to the higher
 * macro-F1, then to the weight closest to `prefer` (the pack's current weight), so a flat
 * curve does not move the weight for nothing.
 */
export function searchFusionWeight(samples: readonly FitSample[], opts: { step?: number; prefer?: number } = {}): WeightSearch {
  if (samples.length === 0) throw new Error('no labelled faces with both 2D and 3D logits to fit on');
  const step = opts.step ?? 0.05;
  const prefer = opts.prefer ?? 0.5;
  const n = Math.round(1 / step);
  const curve: WeightSearch['curve'] = [];
  for (let i = 0; i <= n; i++) {
    const w = Math.round(Math.min(1, i * step) * 1000) / 1000;
    const r = reportForWeight(samples, w);
    curve.push({ weight2d: w, accuracy: r.accuracy, macroF1: r.macroF1 });
  }
  const eps = 1e-12;
  let best = curve[0];
  for (const c of curve.slice(1)) {
    const better =
      c.accuracy > best.accuracy + eps ||
      (Math.abs(c.accuracy - best.accuracy) <= eps &&
        (c.macroF1 > best.macroF1 + eps ||
          (Math.abs(c.macroF1 - best.macroF1) <= eps && Math.abs(c.weight2d - prefer) < Math.abs(best.weight2d - prefer))));
    if (better) best = c;
  }
  return { weight2d: best.weight2d, accuracy: best.accuracy, macroF1: best.macroF1, curve };
}

/** A pack manifest with the fitted weight (and weighted fusion as its default mode). */
export function manifestWithWeight<M extends { fusion?: { mode?: string; weight2d: number; vaWeight2d?: number } }>(manifest: M, weight2d: number): M {
  return {
    ...manifest,
    fusion: { ...(manifest.fusion ?? { vaWeight2d: 0.6 }), mode: 'weighted', weight2d },
  };
}
