/**
 * Metrics over batch rows, Ig3D-style: the same labelled faces scored by the 2D branch alone,
 * the 3D branch alone and late fusion. Rows without a face (or with an error) are counted
 * separately, never silently dropped: not scored, even those the 2D model read whole
 * (core/crop/wholeImageFallback.ts), so that all three branches are scored on the same faces. Pure.
 */
import { EXPRESSIONS, NUM_CLASSES } from '../core/classes/expressionClasses';
import { argmax, classificationReport, type ClassificationReport } from '../core/metrics/classification';
import { regressionReport, type RegressionReport } from '../core/metrics/regression';
import type { BatchRow } from './batchTypes';
import type { FitSample } from './fusionFit';

export type Branch = '2d' | '3d' | 'fused';
export const BRANCHES: readonly Branch[] = ['2d', '3d', 'fused'];

export function branchProbs(row: BatchRow, branch: Branch): Float32Array | undefined {
  return branch === '2d' ? row.p2d : branch === '3d' ? row.p3d : row.fused;
}

export function predictedClass(row: BatchRow, branch: Branch): number | undefined {
  const p = branchProbs(row, branch);
  return p ? argmax(p) : undefined;
}

export const labelIndex = (row: BatchRow): number | undefined =>
  row.label?.expression ? EXPRESSIONS.indexOf(row.label.expression) : undefined;

/** A row without a face that the 2D model read whole (the whole-image fallback): it has a 2D answer. */
export const readWhole = (row: BatchRow): boolean => row.status === 'no-face' && !!row.p2d;

/** True when the row has a class label and a fused prediction that differs from it. */
export function isWrong(row: BatchRow): boolean {
  const t = labelIndex(row);
  const p = predictedClass(row, 'fused') ?? predictedClass(row, '2d');
  return t !== undefined && p !== undefined && t !== p;
}

export interface ClassMetrics {
  /** Rows with a class label. */
  labelled: number;
  /** Labelled rows that could not be scored (no face, error). */
  unscored: number;
  /** Of those, the rows without a face that the 2D model read whole (answered, but not scored). */
  readWhole: number;
  reports: Partial<Record<Branch, ClassificationReport>>;
}

export function classMetrics(rows: readonly BatchRow[]): ClassMetrics {
  const labelled = rows.filter((r) => labelIndex(r) !== undefined);
  const reports: ClassMetrics['reports'] = {};
  for (const b of BRANCHES) {
    const scored = labelled.filter((r) => r.status === 'ok' && branchProbs(r, b));
    if (scored.length === 0) continue;
    reports[b] = classificationReport(
      scored.map((r) => labelIndex(r)!),
      scored.map((r) => predictedClass(r, b)!),
      NUM_CLASSES,
    );
  }
  const scoredAny = labelled.filter((r) => r.status === 'ok' && (r.fused || r.p2d || r.p3d)).length;
  return { labelled: labelled.length, unscored: labelled.length - scoredAny, readWhole: labelled.filter(readWhole).length, reports };
}

export interface VAMetrics {
  labelled: number;
  unscored: number;
  valence?: RegressionReport;
  arousal?: RegressionReport;
  points: { valence: [number, number][]; arousal: [number, number][] };
}

/** CCC, PCC, RMSE, SAGR of predicted vs labelled valence and arousal; points are [true, predicted]. */
export function vaMetrics(rows: readonly BatchRow[]): VAMetrics {
  const out: VAMetrics = { labelled: 0, unscored: 0, points: { valence: [], arousal: [] } };
  const labelled = rows.filter((r) => r.label?.valence !== undefined || r.label?.arousal !== undefined);
  out.labelled = labelled.length;
  for (const r of labelled) {
    let used = false;
    if (r.status === 'ok' && r.label?.valence !== undefined && r.valence !== undefined) {
      out.points.valence.push([r.label.valence, r.valence]);
      used = true;
    }
    if (r.status === 'ok' && r.label?.arousal !== undefined && r.arousal !== undefined) {
      out.points.arousal.push([r.label.arousal, r.arousal]);
      used = true;
    }
    if (!used) out.unscored++;
  }
  const rep = (pts: [number, number][]) => (pts.length ? regressionReport(pts.map((p) => p[1]), pts.map((p) => p[0])) : undefined);
  out.valence = rep(out.points.valence);
  out.arousal = rep(out.points.arousal);
  return out;
}

/** Labelled faces that have both branches' logits: what fusion can be fitted on. */
export function fitSamples(rows: readonly BatchRow[]): (FitSample & { id: number })[] {
  const out: (FitSample & { id: number })[] = [];
  for (const r of rows) {
    const label = labelIndex(r);
    if (r.status !== 'ok' || label === undefined || !r.logits2d || !r.logits3d) continue;
    out.push({ id: r.id, logits2d: r.logits2d, logits3d: r.logits3d, label });
  }
  return out;
}
