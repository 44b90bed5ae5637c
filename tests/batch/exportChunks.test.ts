/** Chunked exports (issue #15) produce exactly the documents of the one-string exports. */
import { describe, expect, it } from 'vitest';
import type { BatchRow } from '../../src/batch/batchTypes';
import { featuresCsvChunks, jsonChunks, resultsCsvChunks, rowsToCsv, rowsToFeaturesCsv, rowsToJson } from '../../src/batch/exportRows';

function row(id: number): BatchRow {
  if (id % 97 === 0) return { id, path: `bad${id}.png`, status: 'error', reason: 'could not decode: "broken", really', detection: 'none', faceCount: 0, notes: [] };
  const probs = Float32Array.from({ length: 8 }, (_, i) => ((i + id) % 8) / 28);
  return {
    id,
    path: `happy/img${id}.png`,
    status: 'ok',
    detection: 'as-is',
    faceCount: 1,
    p2d: probs,
    fused: probs,
    logits2d: probs,
    features3d: Float32Array.from({ length: 4 }, (_, i) => i * id * 1e-3),
    featureGroups: [
      { group: 'blendshapes', size: 2 },
      { group: 'headPose', size: 2 },
    ],
    label: { expression: 'happy' },
    notes: id % 5 ? [] : ['several faces; used the largest'],
  };
}

describe('chunked exports', () => {
  // An error row first: the header must still get the feature columns of later rows.
  const rows = Array.from({ length: 1234 }, (_, i) => row(i));

  it('results and features CSV: same text as the one-string export, in many small chunks', () => {
    const chunks = [...resultsCsvChunks(rows)];
    expect(chunks.length).toBeGreaterThan(2);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(rowsToCsv(rows).length / 2);
    expect(chunks.join('')).toBe(rowsToCsv(rows) + '\r\n');
    expect([...featuresCsvChunks(rows)].join('')).toBe(rowsToFeaturesCsv(rows) + '\r\n');
  });

  it('JSON: the same document', () => {
    const meta = { app: 'ig3d-web', pack: 'test' };
    expect(JSON.parse([...jsonChunks(rows, meta)].join(''))).toEqual(JSON.parse(rowsToJson(rows, meta)));
    expect(JSON.parse([...jsonChunks([], meta)].join(''))).toEqual(JSON.parse(rowsToJson([], meta)));
  });
});
