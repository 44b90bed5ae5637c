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

/** A client whose "landmarker" silently breaks after `breakAfter` calls, until restarted. */
class FlakyClient implements BatchClient {
  calls = 0;
  restarts = 0;
  broken = false;
  constructor(private readonly breakAfter = Infinity) {}
  async detect(): Promise<FrameResult> {
    this.calls++;
    if (this.calls === this.breakAfter) this.broken = true;
    await new Promise((r) => setTimeout(r, 1));
    return result(!this.broken);
  }
  async restart() {
    this.restarts++;
    this.broken = false;
  }
}

const items = (n: number, bad: number[] = []): BatchItem[] =>
  Array.from({ length: n }, (_, id) => ({
    id,
    path: `img${id}.png`,
    kind: 'image' as const,
    decode: async () => {
      if (bad.includes(id)) throw new Error('not an image');
      return fakeBitmap();
    },
  }));

describe('BatchRunner', () => {
  it('gives every item exactly one row, failures included, and the batch goes on', async () => {
    const rows: BatchRow[] = [];
    const runner = new BatchRunner([new FlakyClient(), new FlakyClient()], { frame: { fusionMode: '2d', weight2d: 1 }, onRow: (r) => rows.push(r) });
    const p = await runner.run(items(30, [3, 17]));
    expect(p.state).toBe('finished');
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
    expect(rows.filter((r) => r.status === 'error').map((r) => r.id).sort()).toEqual([17, 3]);
    expect(rows.find((r) => r.id === 3)!.reason).toMatch(/could not decode: not an image/);
    expect(p.failed).toBe(2);
  });

  it('a broken landmarker never turns into "no face" rows: it is rebuilt and the items redone', async () => {
    const client = new FlakyClient(12);
    const rows: BatchRow[] = [];
    const runner = new BatchRunner([client], { frame: { fusionMode: '2d', weight2d: 1 }, probeEvery: 10, onRow: (r) => rows.push(r) });
    const p = await runner.run(items(40));
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.status === 'ok')).toBe(true);
    expect(client.restarts).toBe(1);
    expect(p.restarts).toBe(1);
    expect(rows.filter((r) => r.notes.some((n) => /redone/.test(n))).length).toBeGreaterThan(0);
  });

  it('pauses, resumes and cancels', async () => {
    const rows: BatchRow[] = [];
    let runner!: BatchRunner;
    runner = new BatchRunner([new FlakyClient()], {
      frame: { fusionMode: '2d', weight2d: 1 },
      onRow: (r) => {
        rows.push(r);
        if (rows.length === 5) {
          runner.pause();
          setTimeout(() => {
            expect(rows.length).toBe(5); // nothing ran while paused
            runner.resume();
          }, 30);
        }
        if (rows.length === 12) runner.cancel();
      },
    });
    const p = await runner.run(items(100));
    expect(p.state).toBe('cancelled');
    expect(rows.length).toBeGreaterThanOrEqual(12);
    expect(rows.length).toBeLessThan(100);
  });
});

describe('BatchRunner cancel', () => {
  it('still reports the no-face rows it was holding for the probe when cancelled while paused', async () => {
    // Only item 0 (a 64-px bitmap) has a face; no-face rows wait for the probe window (10), which cancel cuts short.
    const client: BatchClient = {
      async detect(bitmap) {
        await new Promise((r) => setTimeout(r, 1));
        return result(bitmap.width === 64);
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
