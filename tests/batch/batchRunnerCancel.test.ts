import { describe, expect, it } from 'vitest';
import { BatchRunner } from '../../src/batch/batchRunner';
import type { BatchClient, BatchItem, BatchRow } from '../../src/batch/batchTypes';
import type { FrameResult } from '../../src/core/types';

const fakeBitmap = (w = 48, h = 48) => ({ width: w, height: h, close() {} }) as unknown as ImageBitmap;

function result(found: boolean): FrameResult {
  return {
    frameId: 0,
    timestamp: 0,
    imageSize: { width: 48, height: 48 },
    detection: found ? 'as-is' : 'none',
    faceCount: found ? 1 : 0,
    face: found
      ? { landmarks: new Float32Array(478 * 3), blendshapes: new Float32Array(52), headPose: { yaw: 0, pitch: 0, roll: 0, matrix: [] }, box: { x: 0, y: 0, width: 48, height: 48 } }
      : undefined,
    branch2d: found ? { logits: new Float32Array(8), probs: new Float32Array(8).fill(1 / 8) } : undefined,
    notes: [],
    timings: {},
  };
}

describe('BatchRunner cancel', () => {
  it('still reports the no-face rows it was holding for the probe when cancelled while paused', async () => {
    // Only item 0 (a 64-px bitmap) has a face; no-face rows wait for the probe window (10), which cancel cuts short.
    const client: BatchClient = {
      async detect(bitmap) {
        await new Promise((r) => setTimeout(r, 1));
        const r = result(bitmap.width === 64);
        return r;
      },
      async restart() {},
    };
    const decoded = new Set<number>();
    const rows: BatchRow[] = [];
    let runner!: BatchRunner;
    runner = new BatchRunner([client], {
      frame: { fusionMode: '2d', weight2d: 1 },
      probeEvery: 10,
      onRow: (r) => rows.push(r),
      onProgress: (p) => {
        // Pause while no-face rows are held, then cancel while paused.
        if (p.done === 1) {
          setTimeout(() => runner.pause(), 8);
          setTimeout(() => runner.cancel(), 40);
        }
      },
    });
    const items: BatchItem[] = Array.from({ length: 100 }, (_, id) => ({
      id,
      path: `${id}.png`,
      kind: 'image' as const,
      decode: async () => {
        decoded.add(id);
        return fakeBitmap(id === 0 ? 64 : 48);
      },
    }));
    const p = await runner.run(items);
    expect(p.state).toBe('cancelled');
    expect(decoded.size).toBeGreaterThan(1);
    expect(decoded.size).toBeLessThan(100);
    // Every processed item has exactly one row, the held no-face ones included.
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual([...decoded].sort((a, b) => a - b));
    expect(rows.filter((r) => r.status === 'no-face').length).toBe(decoded.size - 1);
    expect(p.done).toBe(rows.length);
  });
});
