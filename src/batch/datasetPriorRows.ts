/**
 * A finished batch, adapted to its own class mix (core/calibration/datasetPrior.ts): one
 * estimate over every face, then each face's 2D side re-weighted and fused again. Used by the
 * Batch tab over its rows and by `npm run batch` over its streamed CSV, so both give the same
 * answers. Rows keep what the net said as trained (`p2dRaw`, `fusedRaw`). Pure and framework-free.
 */
import { NUM_CLASSES } from '../core/classes/expressionClasses';
import { adaptedProbabilities, estimateClassMix, recalibrate, storedProbability, type DatasetPrior } from '../core/calibration/datasetPrior';
import { lateFusion, softmax } from '../core/fusion/lateFusion';
import { derivedVA } from '../core/va/derivedVA';
import type { FusionMode } from '../core/types';
import type { BatchRow } from './batchTypes';

/** What the CSV's calibration column says while a dataset-prior run is still going (or was killed before its end). */
export const DATASET_PRIOR_PENDING = 'off (dataset prior: applied when the run ends)';

export interface ClassMixEstimate {
  /** AffectNet order. */
  mix: Float32Array;
  faces: number;
  iterations: number;
  converged: boolean;
}

export interface DatasetAdaptation {
  rows: BatchRow[];
  estimate?: ClassMixEstimate;
  /** Why the rows stayed as trained (too few faces, max fusion). */
  skipped?: string;
}

/** A row with its as-trained outputs kept aside (streamed before the batch's end). */
export function asTrained(row: BatchRow): BatchRow {
  if (!row.p2d) return row;
  return { ...row, p2dRaw: row.p2dRaw ?? row.p2d, fusedRaw: row.fusedRaw ?? row.fused, calibration: DATASET_PRIOR_PENDING };
}

export function datasetPriorLabel(dp: DatasetPrior, faces: number): string {
  return `${dp.modelId}: dataset prior (EM over ${faces} images)`;
}

/**
 * Re-weighting needs log-probabilities of the 3D side too; the CSV stores probabilities, so both
 * paths take them from the stored form (weighted and mean fusion do not change when every logit
 * of a face moves by the same constant, so log p fuses like the logits).
 */
function storedLog(p: ArrayLike<number>): Float32Array {
  const out = new Float32Array(NUM_CLASSES);
  for (let i = 0; i < NUM_CLASSES; i++) out[i] = p[i] > 0 ? Math.log(storedProbability(p[i])) : -Infinity;
  return out;
}

/** The note a row gets when its VA comes from a VA head (kept once, however often the batch is adapted). */
const VA_KEPT = 'VA: kept as trained (it comes from a VA head, which the class mix does not change)';

/** One image adapted with the batch's mix (the row must have a 2D answer). */
export function adaptRow(row: BatchRow, dp: DatasetPrior, mix: Float64Array, weight2d: number, label: string): BatchRow {
  const raw = row.p2dRaw ?? row.p2d!;
  const p2d = adaptedProbabilities(recalibrate(raw, dp), dp, mix);
  let fused = row.fused;
  const mode = row.fusionMode;
  if (mode === '2d' || !mode) fused = p2d;
  else if ((mode === 'weighted' || mode === 'mean') && row.p3d) fused = lateFusion(mode, weight2d, storedLog(p2d), storedLog(row.p3d))?.probs;
  // '3d' rows do not use the 2D side: unchanged. With w < 1 the adapted 2D side is on the
  // recalibrated scale (the pack's temperature, ≈ 1.9 for fer2d, sharpens it), so it counts a little
  // more than w says; the default pack fuses at w = 1, where fused = 2D and this does not arise.
  let { valence, arousal } = row;
  let notes = row.notes;
  if (row.vaSource === 'derived' && fused) ({ valence, arousal } = derivedVA(fused));
  else if (row.vaSource === 'fused' && !notes.includes(VA_KEPT)) notes = [...notes, VA_KEPT];
  return { ...row, p2d, fused, valence, arousal, notes, p2dRaw: raw, fusedRaw: row.fusedRaw ?? row.fused, calibration: label };
}

/** A batch's class mix, or why the batch stays as trained; the one rule for the Batch tab and the CLI. */
export interface BatchMix {
  /** Set when the batch is adapted. */
  mix?: Float64Array;
  estimate?: ClassMixEstimate;
  skipped?: string;
  /** The rows' calibration label when adapted. */
  label: string;
}

/**
 * The class mix of a batch from its images' raw 2D answers. Fewer than the pack's `minItems`, or
 * max fusion (its per-class max is not defined on recalibrated scores), leave the batch as trained
 * and say why.
 */
export function estimateBatchMix(raw: readonly ArrayLike<number>[], dp: DatasetPrior, fusionMode: FusionMode): BatchMix {
  const label = datasetPriorLabel(dp, raw.length);
  if (fusionMode === 'max') return { label, skipped: 'max fusion: the dataset prior needs weighted, mean, 2D-only or 3D-only fusion; kept as trained' };
  if (raw.length < dp.minItems) return { label, skipped: `${raw.length} image${raw.length === 1 ? '' : 's'} with a 2D answer: the class mix needs at least ${dp.minItems}; kept as trained` };
  const est = estimateClassMix(raw.map((p) => softmax(recalibrate(p, dp))), dp);
  return { label, mix: est.mix, estimate: { mix: Float32Array.from(est.mix), faces: raw.length, iterations: est.iterations, converged: est.converged } };
}

/** One row with a 2D answer under the batch's mix: adapted, or as trained ("off") when the mix was skipped. */
export function applyBatchMix(row: BatchRow, dp: DatasetPrior, m: BatchMix, weight2d: number): BatchRow {
  if (m.mix) return adaptRow(row, dp, m.mix, weight2d, m.label);
  const raw = row.p2dRaw ?? row.p2d;
  const fused = row.fusedRaw ?? row.fused;
  return { ...row, p2d: raw, fused, p2dRaw: raw, fusedRaw: fused, calibration: 'off' };
}

/** The net's own 2D answer of a row, if it has one. */
const rawAnswer = (r: BatchRow) => r.p2dRaw ?? r.p2d;

/**
 * The batch adapted to its class mix, estimated over every image with a 2D answer: faces, and
 * tight crops the 2D model read whole (--whole-image-fallback).
 */
export function adaptBatchRows(rows: readonly BatchRow[], dp: DatasetPrior, fusion: { mode: FusionMode; weight2d: number }): DatasetAdaptation {
  const m = estimateBatchMix(rows.flatMap((r) => rawAnswer(r) ?? []), dp, fusion.mode);
  return { rows: rows.map((r) => (rawAnswer(r) ? applyBatchMix(r, dp, m, fusion.weight2d) : r)), estimate: m.estimate, skipped: m.skipped };
}
