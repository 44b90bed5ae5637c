import { describe, expect, it } from 'vitest';
import { greyBytes, rowFromResult } from '../../src/batch/toRow';
import { jsonRow } from '../../src/batch/exportRows';
import { deserializeRow, serializeRow } from '../../src/cli/serializedRow';
import type { PipelineResult } from '../../src/core/pipelineTypes';
import type { BatchItem } from '../../src/batch/batchTypes';

const item: BatchItem = { id: 3, path: 'a/b.png', kind: 'image', decode: async () => { throw new Error('unused'); } };

function result(crops?: PipelineResult['crops']): PipelineResult {
  return { detection: 'none', faceCount: 0, imageSize: { width: 48, height: 48 }, notes: [], timings: {}, ...(crops ? { crops } : {}) } as unknown as PipelineResult;
}

describe('2D crops in batch rows (npm run extract -- --crops)', () => {
  it('converts RGBA to grey with the 2D models’ weights', () => {
    // pure red, green, blue, white: 0.299·255, 0.587·255, 0.114·255, 255
    const rgba = new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]);
    expect(Array.from(greyBytes({ width: 2, height: 2, rgba }))).toEqual([76, 150, 29, 255]);
  });

  it('a row carries the first crop only when the result has crops, and survives the trip to Node', () => {
    expect(rowFromResult(item, result(), 1).crop2d).toBeUndefined();
    const rgba = new Uint8ClampedArray(2 * 3 * 4).fill(200);
    const row = rowFromResult(item, result({ fer2d: { width: 3, height: 2, rgba } }), 1);
    expect(row.crop2dSize).toEqual([2, 3]);
    expect(Array.from(row.crop2d!)).toEqual([200, 200, 200, 200, 200, 200]);
    const back = deserializeRow(JSON.parse(JSON.stringify(serializeRow(row))));
    expect(back.crop2d).toBeInstanceOf(Uint8Array);
    expect(Array.from(back.crop2d!)).toEqual(Array.from(row.crop2d!));
  });

  it('JSON results leave the crop bytes out and write typed arrays as plain arrays', () => {
    const rgba = new Uint8ClampedArray(4).fill(9);
    const row = { ...rowFromResult(item, result({ fer2d: { width: 1, height: 1, rgba } }), 1), blendshapes: new Float32Array([0.5, 0.25]) };
    const j = JSON.parse(JSON.stringify(jsonRow(row)));
    expect(j.crop2d).toBeUndefined();
    expect(j.crop2dSize).toBeUndefined();
    expect(j.blendshapes).toEqual([0.5, 0.25]);
  });
});
