/**
 * CSV / JSON exports of batch rows. Column names are documented in the README
 * ("Batch exports"); keep the two in step. papaparse does the quoting.
 */
import Papa from 'papaparse';
import { EXPRESSIONS } from '../core/classes/expressionClasses';
import { argmax } from '../core/metrics/classification';
import type { BatchRow } from './batchTypes';

const pred = (p?: Float32Array) => (p ? EXPRESSIONS[argmax(p)] : '');
const num = (x: number | undefined, digits = 6) => (x === undefined || Number.isNaN(x) ? '' : Number(x.toFixed(digits)));
/**
 * 3D features as exact float32 values (9 significant digits round-trip a float32), not 6 decimals:
 * several MediaPipe blendshape scores sit near 1e-6 and the 3D head standardises them by a Train std
 * of 3–16e-6, so 6 decimals moved its logits by up to 0.28 against what the app ran (FER+ Valid: a
 * different arg-max on 15 of 3,463 faces). The head scored offline on the features CSV must give the
 * app's own logits, and a head trained on it must see the values the app will feed it.
 */
const exact32 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '' : Number(x.toPrecision(9)));
const perClass = (prefix: string, v?: Float32Array) =>
  Object.fromEntries(EXPRESSIONS.map((c, i) => [`${prefix}_${c}`, v ? num(v[i]) : '']));

/** Feature column names, e.g. blendshapes_0..51, headPose_0..5, from the row's group layout. */
function featureColumns(row: BatchRow): Record<string, number | ''> {
  const out: Record<string, number | ''> = {};
  if (!row.featureGroups || !row.features3d) return out;
  let k = 0;
  for (const g of row.featureGroups) for (let i = 0; i < g.size; i++) out[`${g.group}_${i}`] = exact32(row.features3d[k++]);
  return out;
}

export function resultRecord(row: BatchRow): Record<string, string | number> {
  return {
    path: row.path,
    video: row.video?.path ?? '',
    video_time_s: row.video ? num(row.video.time, 3) : '',
    status: row.status,
    reason: row.reason ?? '',
    detection: row.detection,
    face_count: row.faceCount,
    label: row.label?.expression ?? '',
    label_valence: num(row.label?.valence),
    label_arousal: num(row.label?.arousal),
    pred_2d: pred(row.p2d),
    pred_3d: pred(row.p3d),
    pred_fused: pred(row.fused),
    fusion_mode: row.fusionMode ?? '',
    views_2d: row.views2d ?? '',
    calibration: row.calibration ?? '',
    ...perClass('p2d', row.p2d),
    ...perClass('p3d', row.p3d),
    ...perClass('pfused', row.fused),
    // Only in dataset-prior runs: what the net said before the batch's class mix re-weighted it.
    ...(row.p2dRaw ? { pred_fused_raw: pred(row.fusedRaw), ...perClass('p2d_raw', row.p2dRaw) } : {}),
    valence: num(row.valence),
    arousal: num(row.arousal),
    va_source: row.vaSource ?? '',
    yaw: num(row.headPose?.yaw),
    pitch: num(row.headPose?.pitch),
    roll: num(row.headPose?.roll),
    ...featureColumns(row),
    notes: row.notes.join('; '),
  };
}

/**
 * The results-CSV columns the dataset-prior adaptation changes (a subset of resultRecord, same
 * formatting): `npm run batch` rewrites these in its streamed CSV when the run ends.
 */
export function adaptedColumns(row: BatchRow): Record<string, string | number> {
  const all = resultRecord(row);
  const keys = ['pred_2d', 'pred_fused', 'calibration', 'valence', 'arousal', 'notes', 'pred_fused_raw'];
  return Object.fromEntries(Object.entries(all).filter(([k]) => keys.includes(k) || k.startsWith('p2d_') || k.startsWith('pfused_')));
}

/** Rows differ in feature columns only when packs differ; take the union so every column has a header. */
function toCsv(records: Record<string, string | number>[]): string {
  const fields: string[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    for (const k of Object.keys(r)) {
      if (seen.has(k)) continue;
      seen.add(k);
      fields.push(k);
    }
  }
  return Papa.unparse({ fields, data: records.map((r) => fields.map((f) => r[f] ?? '')) });
}

export function rowsToCsv(rows: readonly BatchRow[]): string {
  return toCsv(rows.map(resultRecord));
}

/** Rows per chunk of the streamed exports: small enough that no chunk string is large. */
const CHUNK_ROWS = 500;

/**
 * The same CSV as rowsToCsv/rowsToFeaturesCsv, as a list of chunks (for a Blob), so an export of
 * a 100,000-row run never builds one giant string (issue #15). The header is the union of the
 * rows' columns, found in a first pass over the records' keys only.
 */
export function* csvChunks(rows: readonly BatchRow[], record: (r: BatchRow) => Record<string, string | number>, keep: (r: BatchRow) => boolean = () => true): Generator<string> {
  const fields: string[] = [];
  const seen = new Set<string>();
  const layouts = new Set<string>();
  for (const r of rows) {
    if (!keep(r)) continue;
    // Columns differ only with the feature layout (and error rows): look at one record per layout.
    const layout = `${r.status === 'error'}|${r.featureGroups?.map((g) => `${g.group}:${g.size}`).join(',') ?? ''}`;
    if (layouts.has(layout)) continue;
    layouts.add(layout);
    for (const k of Object.keys(record(r))) {
      if (!seen.has(k)) {
        seen.add(k);
        fields.push(k);
      }
    }
  }
  yield Papa.unparse([fields]) + '\r\n';
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    const data = rows.slice(i, i + CHUNK_ROWS).filter(keep).map((r) => {
      const rec = record(r);
      return fields.map((f) => rec[f] ?? '');
    });
    if (data.length) yield Papa.unparse(data) + '\r\n';
  }
}

export const resultsCsvChunks = (rows: readonly BatchRow[]) => csvChunks(rows, resultRecord);
export const featuresCsvChunks = (rows: readonly BatchRow[]) => csvChunks(rows, featuresRecord, (r) => r.status === 'ok');

/** rowsToJson's document, in chunks (one per CHUNK_ROWS rows). */
export function* jsonChunks(rows: readonly BatchRow[], meta: Record<string, unknown>): Generator<string> {
  const head = JSON.stringify({ ...meta, classOrder: EXPRESSIONS, rows: [] }, null, 1);
  yield head.slice(0, head.lastIndexOf('[') + 1) + '\n';
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    const part = rows.slice(i, i + CHUNK_ROWS).map((r) => JSON.stringify(jsonRow(r)));
    yield (i > 0 ? ',\n' : '') + part.join(',\n');
  }
  yield '\n]}\n';
}

/**
 * Features for training heads offline: 2D logits + 3D parameters + label. Loads straight into
 * pandas. Faces only, unless `includeMissing` (then no-face / error rows keep their line, empty).
 */
export function rowsToFeaturesCsv(rows: readonly BatchRow[], opts: { includeMissing?: boolean } = {}): string {
  return toCsv(rows.filter((r) => opts.includeMissing || r.status === 'ok').map(featuresRecord));
}

/** One line of features.csv (see rowsToFeaturesCsv); the CLI streams these. */
export function featuresRecord(r: BatchRow): Record<string, string | number> {
  return {
    path: r.path,
    status: r.status,
    detection: r.detection,
    label: r.label?.expression ?? '',
    label_index: r.label?.expression ? EXPRESSIONS.indexOf(r.label.expression) : '',
    ...Object.fromEntries(EXPRESSIONS.map((c, i) => [`label_p_${c}`, r.label?.distribution ? num(r.label.distribution[i]) : ''])),
    label_valence: num(r.label?.valence),
    label_arousal: num(r.label?.arousal),
    ...perClass('logit2d', r.logits2d),
    ...perClass('logit3d', r.logits3d),
    ...featureColumns(r),
  };
}

const arr = (v?: Float32Array) => (v ? Array.from(v, (x) => Number(x.toFixed(6))) : undefined);
const arrExact = (v?: Float32Array) => (v ? Array.from(v, (x) => Number(x.toPrecision(9))) : undefined);

/** One row of rowsToJson's `rows` (typed arrays as plain number arrays); the CLI's `--jsonl` writes one per line. */
export function jsonRow(r: BatchRow) {
  // The crop bytes are an offline-check payload (extract --crops), not a result.
  const { crop2d: _crop, crop2dSize: _cropSize, ...rest } = r;
  return {
    ...rest,
    canonicalLandmarks: arr(r.canonicalLandmarks),
    blendshapes: arrExact(r.blendshapes),
    p2d: arr(r.p2d),
    p3d: arr(r.p3d),
    fused: arr(r.fused),
    p2dRaw: arr(r.p2dRaw),
    fusedRaw: arr(r.fusedRaw),
    logits2d: arr(r.logits2d),
    logits3d: arr(r.logits3d),
    features3d: arrExact(r.features3d),
  };
}

export function rowsToJson(rows: readonly BatchRow[], meta: Record<string, unknown>): string {
  return JSON.stringify({ ...meta, classOrder: EXPRESSIONS, rows: rows.map(jsonRow) }, null, 1);
}
