// A finished batch adapted to its own class mix: what the Batch tab shows (adaptBatchRows) and
// what `npm run batch` writes (its end-of-run pass over the streamed CSV and JSON Lines) must be
// the same numbers; too few faces or max fusion leave the rows as trained and say why.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { adaptBatchRows, asTrained, DATASET_PRIOR_PENDING } from '../../src/batch/datasetPriorRows';
import type { BatchRow } from '../../src/batch/batchTypes';
import { adaptedColumns, jsonRow, resultRecord } from '../../src/batch/exportRows';
import { mulberry32 } from '../../src/batch/fusionFit';
import { fromDeclaration, type DatasetPrior } from '../../src/core/calibration/datasetPrior';
import { EXPRESSIONS } from '../../src/core/classes/expressionClasses';
import { softmax } from '../../src/core/fusion/lateFusion';
import { derivedVA } from '../../src/core/va/derivedVA';
import { CsvOutput } from '../../scripts/cli/csvFile';
import { JsonlOutput } from '../../scripts/cli/jsonlFile';
import { adaptStreamedOutputs } from '../../scripts/cli/datasetPriorPass';

const NEUTRAL = EXPRESSIONS.indexOf('neutral');
const DP: DatasetPrior = fromDeclaration(
  'fer2d',
  { method: 'em-bcts', temperature: 1.9, bias: [0, -0.3, -0.4, -0.4, 0.1, 0.7, -0.5, 0.8], sourcePrior: [0.37, 0.25, 0.13, 0.12, 0.09, 0.01, 0.02, 0.01], alpha: 50, minItems: 30, enabled: true },
  EXPRESSIONS.map((_, i) => i),
);
const FUSION = { mode: 'weighted' as const, weight2d: 0.7 };

/**
 * A posed-like batch: no neutral face, but a net that learned FER+'s prior gives each face a fat
 * neutral share. Every third face has no 3D features (2D only), one row found no face.
 */
function posedBatch(n: number, seed = 1): BatchRow[] {
  const rand = mulberry32(seed);
  const rows: BatchRow[] = [];
  for (let id = 0; id < n; id++) {
    const y = 1 + (id % 7);
    const logits = EXPRESSIONS.map((_, k) => (k === y ? 2 : 0) + (k === NEUTRAL ? 1.6 : 0) + rand());
    const p2d = softmax(logits);
    const only2d = id % 3 === 0;
    const p3d = only2d ? undefined : softmax(EXPRESSIONS.map((_, k) => (k === y ? 1 : 0) + rand()));
    const fused = only2d ? p2d : softmax(EXPRESSIONS.map((_, k) => 0.7 * Math.log(p2d[k]) + 0.3 * Math.log(p3d![k])));
    const va = derivedVA(fused);
    rows.push({ id, path: `faces/${id}.png`, status: 'ok', detection: 'as-is', faceCount: 1, p2d, p3d, fused, fusionMode: only2d ? '2d' : 'weighted', calibration: 'off', valence: va.valence, arousal: va.arousal, vaSource: 'derived', notes: [] });
  }
  rows.push({ id: n, path: 'faces/none.png', status: 'no-face', detection: 'none', faceCount: 0, notes: [] });
  // A tight crop without a landmarked face, read whole by the 2D model (--whole-image-fallback): it counts too.
  const whole = softmax(EXPRESSIONS.map((_, k) => (k === NEUTRAL ? 1.6 : 0) + rand()));
  rows.push({ id: n + 1, path: 'faces/whole.png', status: 'no-face', detection: 'none', faceCount: 0, p2d: whole, fused: whole, fusionMode: '2d', calibration: 'off', notes: [] });
  return rows;
}

const mean = (rows: BatchRow[], pick: (r: BatchRow) => Float32Array | undefined) => {
  const xs = rows.flatMap((r) => (pick(r) ? [pick(r)![NEUTRAL]] : []));
  return xs.reduce((s, x) => s + x, 0) / xs.length;
};

describe('adaptBatchRows', () => {
  it('estimates a low neutral share for a batch without neutral faces and re-weights every face by it', () => {
    const rows = posedBatch(60);
    const out = adaptBatchRows(rows, DP, FUSION);
    expect(out.skipped).toBeUndefined();
    expect(out.estimate!.faces).toBe(61);
    expect(out.estimate!.mix[NEUTRAL]).toBeLessThan(DP.sourcePrior[NEUTRAL] - 0.1); // 50 pseudo-faces still pull towards 0.37
    const faces = out.rows.filter((r) => r.p2d);
    expect(faces).toHaveLength(61);
    expect(mean(faces, (r) => r.p2d)).toBeLessThan(0.8 * mean(rows, (r) => r.p2d));
    for (const r of faces) {
      const before = rows.find((x) => x.id === r.id)!;
      expect(r.calibration).toBe('fer2d: dataset prior (EM over 61 images)');
      expect(r.p2dRaw).toEqual(before.p2d); // the net's own answer is kept
      expect(r.fusedRaw).toEqual(before.fused);
      if (r.fusionMode === '2d') expect(r.fused).toEqual(r.p2d);
      if (before.vaSource === 'derived') expect(r.valence).toBeCloseTo(derivedVA(r.fused!).valence, 12); // derived VA follows the adapted fusion
    }
    expect(out.rows.find((r) => r.path === 'faces/none.png')).toEqual(rows.find((r) => r.path === 'faces/none.png'));
  });

  it('leaves the rows as trained, saying why, below minItems and with max fusion', () => {
    const few = adaptBatchRows(posedBatch(28), DP, FUSION); // 28 faces + 1 whole-image answer
    expect(few.skipped).toMatch(/29 images with a 2D answer: the class mix needs at least 30/);
    expect(few.rows.filter((r) => r.p2d).every((r) => r.calibration === 'off' && r.p2d === r.p2dRaw)).toBe(true);
    const max = adaptBatchRows(posedBatch(40), DP, { mode: 'max', weight2d: 1 });
    expect(max.skipped).toMatch(/max fusion/);
    expect(max.estimate).toBeUndefined();
  });

  it('a streamed row is marked pending and keeps its raw answer', () => {
    const r = asTrained(posedBatch(1)[0]);
    expect(r.calibration).toBe(DATASET_PRIOR_PENDING);
    expect(r.p2dRaw).toBe(r.p2d);
    expect(resultRecord(r)).toHaveProperty('p2d_raw_neutral');
  });
});

describe('npm run batch: the end-of-run pass over the streamed outputs', () => {
  it('rewrites the CSV and JSON Lines to exactly what the Batch tab shows, and a second pass (after --resume) changes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ig3d-dp-'));
    const csv = join(dir, 'r.csv');
    const jsonl = join(dir, 'r.jsonl');
    const rows = posedBatch(45);
    const streamed = rows.map(asTrained);
    const c = CsvOutput.open(csv);
    c.append(streamed.map((r) => ({ key: r.path, record: resultRecord(r) })));
    c.close();
    const j = JsonlOutput.open(jsonl);
    j.append(streamed.map((r) => ({ key: r.path, value: jsonRow(r) })));
    j.close();

    const pass = adaptStreamedOutputs({ prior: DP, fusion: FUSION }, { csv, jsonl });
    const tab = adaptBatchRows(rows, DP, FUSION);
    expect(Array.from(pass.estimate!.mix)).toEqual(Array.from(tab.estimate!.mix));

    const written = Papa.parse<Record<string, string>>(readFileSync(csv, 'utf8'), { header: true, skipEmptyLines: true }).data;
    expect(written).toHaveLength(rows.length);
    for (const r of tab.rows) {
      const line = written.find((w) => w.path === r.path)!;
      for (const [k, v] of Object.entries(adaptedColumns(r))) expect(line[k], `${r.path} ${k}`).toBe(String(v));
    }
    const lines = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const r of tab.rows) expect(lines.find((l) => l.path === r.path)).toEqual(JSON.parse(JSON.stringify(jsonRow(r))));

    const once = readFileSync(csv, 'utf8');
    adaptStreamedOutputs({ prior: DP, fusion: FUSION }, { csv });
    expect(readFileSync(csv, 'utf8')).toBe(once);
  });

  it('refuses a CSV that was not streamed by a dataset-prior run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ig3d-dp-'));
    const csv = join(dir, 'r.csv');
    const c = CsvOutput.open(csv);
    c.append(posedBatch(3).map((r) => ({ key: r.path, record: resultRecord(r) })));
    c.close();
    expect(() => adaptStreamedOutputs({ prior: DP, fusion: FUSION }, { csv })).toThrow(/no p2d_raw_\* columns/);
  });
});
