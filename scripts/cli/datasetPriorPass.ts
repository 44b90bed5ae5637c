/**
 * The dataset-prior adaptation for the CLI's streamed outputs (src/batch/datasetPriorRows.ts does
 * the maths, the same as the Batch tab). While a run streams, each face row is written as the net
 * gave it, with its raw 2D answer in `p2d_raw_*` and the calibration column saying the prior is
 * pending. When the run ends (and again after `--resume`, or over merged shards) this pass reads
 * every image's raw 2D answer back from the file, estimates the batch's class mix once, and rewrites
 * the file with the adapted columns: two streaming passes, then an atomic rename, so a kill during
 * the pass leaves the streamed file as it was.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { EXPRESSIONS } from '../../src/core/classes/expressionClasses';
import { datasetPriorOf, type DatasetPrior } from '../../src/core/calibration/datasetPrior';
import { defaultFusion } from '../../src/core/fusion/fusionPolicy';
import { parseManifest } from '../../src/core/manifest/parseManifest';
import type { Manifest } from '../../src/core/manifest/schema';
import type { FusionMode } from '../../src/core/types';
import { applyBatchMix, estimateBatchMix, type BatchMix } from '../../src/batch/datasetPriorRows';
import type { BatchRow } from '../../src/batch/batchTypes';
import { adaptedColumns, jsonRow } from '../../src/batch/exportRows';
import { scanLines } from './appendFile';
import { REPO_ROOT } from './runHeadless';

/** The manifest of the pack a run uses: `--pack dir`, else the built app's default pack. */
export function packManifest(packDir?: string): Manifest {
  const file = packDir ? join(packDir, 'manifest.json') : join(REPO_ROOT, 'dist', 'models', 'manifest.json');
  if (!existsSync(file)) throw new Error(`${file} is missing${packDir ? '' : ': run `npm run build` first'}`);
  const parsed = parseManifest(readFileSync(file, 'utf8'));
  if (!parsed.ok) throw new Error(`invalid manifest ${file}:\n${parsed.errors.join('\n')}`);
  return parsed.manifest;
}

export interface DatasetPriorRun {
  prior: DatasetPrior;
  fusion: { mode: FusionMode; weight2d: number };
}

/** The pack's adaptation and fusion, or why there is none. */
export function datasetPriorRun(manifest: Manifest): DatasetPriorRun | { unavailable: string } {
  const { prior, unavailable } = datasetPriorOf(manifest);
  if (!prior) return { unavailable: unavailable! };
  const f = defaultFusion(manifest);
  return { prior, fusion: { mode: f.mode, weight2d: f.weight2d } };
}

const f32 = (v: unknown) => (Array.isArray(v) ? Float32Array.from(v as number[]) : undefined);

/** A CSV line's fields back into the row fields the adaptation reads. */
function csvRow(rec: Record<string, string>): BatchRow | undefined {
  const vec = (prefix: string) => (rec[`${prefix}_${EXPRESSIONS[0]}`] ? Float32Array.from(EXPRESSIONS, (c) => Number(rec[`${prefix}_${c}`])) : undefined);
  const p2dRaw = vec('p2d_raw');
  if (!p2dRaw) return undefined;
  return {
    id: 0,
    path: rec.path,
    status: rec.status as BatchRow['status'],
    detection: 'none',
    faceCount: 1,
    p2dRaw,
    p3d: vec('p3d'),
    fused: vec('pfused'),
    fusionMode: (rec.fusion_mode || undefined) as FusionMode | undefined,
    vaSource: rec.va_source || undefined,
    valence: rec.valence === '' ? undefined : Number(rec.valence),
    arousal: rec.arousal === '' ? undefined : Number(rec.arousal),
    notes: rec.notes ? rec.notes.split('; ') : [],
  };
}

/** Reads a file line by line (header first for CSVs); `fn` gets each non-empty line. */
function eachLine(path: string, fn: (line: string, lineNo: number) => void): void {
  scanLines(path, (line, lineNo) => {
    if (line !== '') fn(line, lineNo);
    return undefined;
  });
}

function parseCsvLine(line: string): string[] {
  return (Papa.parse<string[]>(line, { header: false }).data[0] ?? []) as string[];
}

/** Every face's raw 2D answer in a streamed results CSV (the p2d_raw_* columns). */
function rawAnswersFromCsv(path: string): Float32Array[] {
  let header: string[] | undefined;
  const out: Float32Array[] = [];
  eachLine(path, (line) => {
    const f = parseCsvLine(line);
    if (!header) {
      header = f;
      if (!header.includes(`p2d_raw_${EXPRESSIONS[0]}`) && header.includes(`p2d_${EXPRESSIONS[0]}`)) {
        throw new Error(`${path} has no p2d_raw_* columns: it was not written by a dataset-prior run (write to a new file, or run with --calibration off|on)`);
      }
      return;
    }
    const row = csvRow(Object.fromEntries(header.map((h, i) => [h, f[i] ?? ''])));
    if (row) out.push(row.p2dRaw!);
  });
  return out;
}

function rawAnswersFromJsonl(path: string): Float32Array[] {
  const out: Float32Array[] = [];
  eachLine(path, (line) => {
    const r = JSON.parse(line) as { status: string; p2dRaw?: number[] };
    if (r.p2dRaw) out.push(Float32Array.from(r.p2dRaw));
  });
  return out;
}

/** Writes `path`.adapting line by line, then renames it over `path`. */
function rewrite(path: string, mapLine: (line: string, lineNo: number) => string): void {
  const tmp = `${path}.adapting`;
  const fd = openSync(tmp, 'w');
  try {
    let buf = '';
    eachLine(path, (line, lineNo) => {
      buf += mapLine(line, lineNo) + '\r\n';
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    });
    if (buf) writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * Adapts the run's outputs to the class mix of the images in the results CSV (else the JSON Lines);
 * every output gets the same mix, which is returned for the rows the CLI holds (`--json`). Rows stay
 * as the net gave them (calibration "off") when there are too few images or the fusion is max.
 */
export function adaptStreamedOutputs(run: DatasetPriorRun, outputs: { csv?: string; jsonl?: string }): BatchMix {
  const { prior, fusion } = run;
  const raw = outputs.csv ? rawAnswersFromCsv(outputs.csv) : outputs.jsonl ? rawAnswersFromJsonl(outputs.jsonl) : [];
  const m = estimateBatchMix(raw, prior, fusion.mode);
  const adapt = (row: BatchRow) => applyBatchMix(row, prior, m, fusion.weight2d);
  if (outputs.csv) {
    let header: string[] = [];
    rewrite(outputs.csv, (line, lineNo) => {
      const f = parseCsvLine(line);
      if (lineNo === 1) {
        header = f;
        return line;
      }
      const rec = Object.fromEntries(header.map((h, i) => [h, f[i] ?? '']));
      const row = csvRow(rec);
      if (!row) return line;
      const cols = adaptedColumns(adapt(row));
      // pred_fused_raw was written with the row as it streamed (the net's own fused answer).
      cols.pred_fused_raw = rec.pred_fused_raw;
      return Papa.unparse([header.map((h) => (h in cols ? cols[h] : rec[h]))], { newline: '\r\n' });
    });
  }
  if (outputs.jsonl) {
    rewrite(outputs.jsonl, (line) => {
      const r = JSON.parse(line) as Record<string, unknown>;
      if (!Array.isArray(r.p2dRaw)) return line;
      const row = { ...r, p2d: f32(r.p2d), p3d: f32(r.p3d), fused: f32(r.fused), p2dRaw: f32(r.p2dRaw), fusedRaw: f32(r.fusedRaw) } as unknown as BatchRow;
      return JSON.stringify(jsonRow(adapt(row)));
    });
  }
  return m;
}

/** One line for the CLI's log: the estimated mix. */
export function describeEstimate(r: Pick<BatchMix, 'estimate' | 'skipped'>, prior: DatasetPrior): string {
  if (!r.estimate) return `dataset prior: ${r.skipped}`;
  const mix = prior.present.map((i) => `${EXPRESSIONS[i]} ${(100 * r.estimate!.mix[i]).toFixed(1)} %`).join(', ');
  return `dataset prior (EM over ${r.estimate.faces} images${r.estimate.converged ? '' : ', not converged'}): estimated class mix ${mix}`;
}
