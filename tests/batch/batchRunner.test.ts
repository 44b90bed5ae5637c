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

  it('a worker that joins a running batch takes items from the same queue: every item once, none twice', async () => {
    const rows: BatchRow[] = [];
    const first = new FlakyClient();
    const late = new FlakyClient();
    const runner = new BatchRunner([first], { frame: { fusionMode: '2d', weight2d: 1 }, onRow: (r) => rows.push(r) });
    expect(runner.join(late), 'not started: nothing to join').toBe(false);
    const running = runner.run(items(60));
    await new Promise((r) => setTimeout(r, 15));
    expect(runner.join(late)).toBe(true);
    const p = await running;
    expect(p.state).toBe('finished');
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual([...Array(60).keys()]);
    expect(first.calls + late.calls).toBe(60);
    expect(late.calls).toBeGreaterThan(0);
    expect(first.calls).toBeGreaterThan(0);
    // The run has ended: a worker that comes up now is not used.
    const tooLate = new FlakyClient();
    expect(runner.join(tooLate)).toBe(false);
    expect(tooLate.calls).toBe(0);
  });

  it('a worker that comes up once every item is taken, or after a cancel, is not used', async () => {
    const client = new FlakyClient();
    const runner = new BatchRunner([client], { frame: { fusionMode: '2d', weight2d: 1 }, onRow: () => undefined });
    const running = runner.run(items(2));
    // Both items are taken at once (one running, one decoded ahead): nothing is left to share.
    await new Promise((r) => setTimeout(r, 0));
    expect(runner.join(new FlakyClient())).toBe(false);
    await running;
    const cancelled = new BatchRunner([new FlakyClient()], { frame: { fusionMode: '2d', weight2d: 1 }, onRow: () => undefined });
    const r2 = cancelled.run(items(50));
    cancelled.cancel();
    expect(cancelled.join(new FlakyClient())).toBe(false);
    expect((await r2).state).toBe('cancelled');
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
    const runner: BatchRunner = new BatchRunner([new FlakyClient()], {
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

describe('BatchRunner decode-ahead', () => {
  it('decodes the next item while the worker is busy with the current one', async () => {
    const log: string[] = [];
    const client: BatchClient = {
      async detect(bitmap) {
        const id = (bitmap as unknown as { id: number }).id;
        log.push(`detect ${id} start`);
        await new Promise((r) => setTimeout(r, 5));
        log.push(`detect ${id} end`);
        return result(true);
      },
      async restart() {},
    };
    const list: BatchItem[] = Array.from({ length: 4 }, (_, id) => ({
      id,
      path: `${id}.png`,
      kind: 'image' as const,
      decode: async () => {
        log.push(`decode ${id}`);
        if (id === 2) throw new Error('truncated file');
        return Object.assign(fakeBitmap(), { id });
      },
    }));
    const rows: BatchRow[] = [];
    await new BatchRunner([client], { frame: { fusionMode: '2d', weight2d: 1 }, onRow: (r) => rows.push(r) }).run(list);
    expect(log.indexOf('decode 1')).toBeLessThan(log.indexOf('detect 0 end'));
    expect(log.indexOf('decode 2')).toBeLessThan(log.indexOf('detect 1 end'));
    // A failed prefetch still becomes that item's error row, in its turn.
    expect(rows.map((r) => [r.id, r.status])).toEqual([[0, 'ok'], [1, 'ok'], [2, 'error'], [3, 'ok']]);
    expect(rows[2].reason).toMatch(/could not decode: truncated file/);
  });
});

describe('BatchRunner cancel', () => {
  it('still reports the no-face rows it was holding for the probe when cancelled while paused', async () => {
    // Only item 0 (a 64-px bitmap) has a face; no-face rows wait for the probe window (10), which cancel cuts short.
    const decoded = new Set<number>();
    const detected = new Set<number>();
    const closed = new Set<number>();
    const client: BatchClient = {
      async detect(bitmap) {
        detected.add((bitmap as unknown as { id: number }).id);
        await new Promise((r) => setTimeout(r, 1));
        return result(bitmap.width === 64);
      },
      async restart() {},
    };
    const rows: BatchRow[] = [];
    const runner: BatchRunner = new BatchRunner([client], {
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
        return Object.assign(fakeBitmap(id === 0 ? 64 : 48), { id, close: () => closed.add(id) });
      },
    }));
    const p = await runner.run(items);
    expect(p.state).toBe('cancelled');
    expect(detected.size).toBeGreaterThan(1);
    expect(detected.size).toBeLessThan(100);
    // Every processed item has exactly one row, the held no-face ones included.
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual([...detected].sort((a, b) => a - b));
    expect(rows.filter((r) => r.status === 'no-face').length).toBe(detected.size - 1);
    // At most one item was decoded ahead and then dropped by the cancel; its bitmap was released.
    const dropped = [...decoded].filter((id) => !detected.has(id));
    expect(dropped.length).toBeLessThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 0));
    for (const id of decoded) expect(closed.has(id)).toBe(true);
    expect(p.done).toBe(rows.length);
  });
});

describe('BatchRunner with a worker that crashes (issue #15)', () => {
    /** Crashes on the items in `crashOn`: 'throw' like an uncaught worker error, 'hang' like a closed worker. */
    class CrashingClient extends FlakyClient {
      replaced = 0;
      dead = false;
      constructor(
        private readonly crashOn: (n: number) => boolean,
        private readonly how: 'throw' | 'hang',
        private readonly replaceable = true,
      ) {
        super();
      }
      override async detect(): Promise<FrameResult> {
        if (this.dead || this.crashOn(this.calls + 1)) {
          this.calls++;
          this.dead = true;
          if (this.how === 'throw') throw new Error('inference worker crashed: Uncaught RangeError: Array buffer allocation failed');
          return new Promise<FrameResult>(() => {}); // never answers
        }
        return super.detect();
      }
      async replace() {
        this.replaced++;
        if (!this.replaceable) return new Promise<void>(() => {});
        this.dead = false;
      }
    }
    const run = async (clients: BatchClient[], n: number) => {
      const rows: BatchRow[] = [];
      const runner = new BatchRunner(clients, { frame: { fusionMode: '2d', weight2d: 1 }, itemTimeoutMs: 200, onRow: (r) => rows.push(r) });
      const progress = await runner.run(items(n));
      return { rows, progress, ids: rows.map((r) => r.id).sort((a, b) => a - b) };
    };

    it('an uncaught worker error: that item is an error row with the reason, the worker is replaced, the rest run', async () => {
      const crashing = new CrashingClient((n) => n === 3, 'throw');
      const { rows, ids } = await run([crashing, new FlakyClient()], 20);
      expect(ids).toEqual([...Array(20).keys()]);
      const errors = rows.filter((r) => r.status === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0].reason).toMatch(/inference worker crashed on this item .*Array buffer allocation failed.*the worker was replaced/);
      expect(crashing.replaced).toBe(1);
      expect(crashing.calls).toBeGreaterThan(3); // it went on after the replacement
      expect(rows.every((r) => !('workerLost' in r))).toBe(true);
    });

    it('a worker that stops answering: error row after the item timeout, then replaced', async () => {
      const crashing = new CrashingClient((n) => n === 2, 'hang');
      const { rows, ids } = await run([crashing], 8);
      expect(ids).toEqual([...Array(8).keys()]);
      expect(rows.filter((r) => r.status === 'error').map((r) => r.reason)).toEqual([expect.stringMatching(/no answer in 0 s.*the worker was replaced/)]);
      expect(crashing.replaced).toBe(1);
    });

    it('a worker that cannot be replaced leaves the pool; the others finish, nothing is lost or doubled', async () => {
      const gone = new CrashingClient((n) => n === 2, 'hang', false);
      const { rows, ids } = await run([gone, new FlakyClient()], 30);
      expect(ids).toEqual([...Array(30).keys()]);
      expect(rows.filter((r) => r.status === 'error').map((r) => r.reason)).toEqual([expect.stringMatching(/no answer.*could not be restarted and left the pool/)]);
    });

    it('when every worker is gone, the remaining items still get a row saying why', async () => {
      const { rows, ids, progress } = await run([new CrashingClient((n) => n === 2, 'throw', false)], 6);
      expect(ids).toEqual([...Array(6).keys()]);
      expect(progress.state).toBe('finished');
      expect(rows.filter((r) => /not run: every inference worker crashed/.test(r.reason ?? ''))).toHaveLength(4);
    });
  });
