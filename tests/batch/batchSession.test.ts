/** BatchSession: which workers and videos a run keeps or closes, and the run-id guard (issue #13). */
import { describe, expect, it } from 'vitest';
import { BatchSession } from '../../src/batch/batchSession';
import type { PooledClient } from '../../src/batch/clientPool';
import type { VideoFrameSource } from '../../src/batch/videoFrames';
import type { ItemSource } from '../../src/batch/buildItems';

/** Stands in for a pooled worker or an open video: all the session does with them is close them. */
class Closable {
  closed = false;
  close(): void {
    this.closed = true;
  }
}
const client = (_name: string) => new Closable();
const video = () => new Closable();
const pool = (cs: Closable[]) => cs as unknown as PooledClient[];
const items = (v: Closable[]) => ({
  sources: new Map<number, ItemSource>([[1, { kind: 'other' } as unknown as ItemSource]]),
  thumbs: new Map([[1, new Blob(['x'])]]),
  videoSources: v as unknown as VideoFrameSource[],
});

describe('BatchSession', () => {
  it('after a run keeps one worker for the detail view and closes the rest and the videos', () => {
    const s = new BatchSession();
    const run = s.beginRun();
    const [a, b] = [client('a'), client('b')];
    const v = video();
    s.adoptItems(items([v]));
    s.adoptPool(pool([a, b]));
    expect(s.inspectionClient()).toBe(a);
    s.finishRun();
    expect(s.isCurrent(run)).toBe(true);
    expect([a.closed, b.closed, v.closed]).toEqual([false, true, true]);
    expect(s.inspectionClient()).toBe(a);
    expect(s.source(1)).toBeDefined(); // the rows stay inspectable
    expect(s.thumb(1)).toBeDefined();

    // The next run supersedes the first and closes its detail worker.
    const next = s.beginRun();
    expect(s.isCurrent(run)).toBe(false);
    expect(s.isCurrent(next)).toBe(true);
    expect(a.closed).toBe(true);
    expect(s.inspectionClient()).toBeUndefined();
  });

  it('a new run’s kept worker replaces (and closes) the older detail worker', () => {
    const s = new BatchSession();
    const a = client('a');
    s.adoptPool(pool([a]));
    s.finishRun();
    const c = client('c');
    s.adoptPool(pool([c]));
    s.release(true);
    expect([a.closed, c.closed]).toEqual([true, false]);
    expect(s.inspectionClient()).toBe(c);
  });

  it('reset cancels the runner, closes everything, forgets the inputs and invalidates the run', () => {
    const s = new BatchSession();
    const run = s.beginRun();
    let cancelled = false;
    s.runner = { cancel: () => (cancelled = true) } as unknown as BatchSession['runner'];
    const a = client('a');
    const v = video();
    s.adoptItems(items([v]));
    s.adoptPool(pool([a]));
    s.reset();
    expect(cancelled).toBe(true);
    expect(s.runner).toBeUndefined();
    expect(s.isCurrent(run)).toBe(false);
    expect([a.closed, v.closed]).toEqual([true, true]);
    expect(s.source(1)).toBeUndefined();
    expect(s.thumb(1)).toBeUndefined();
    expect(s.inspectionClient()).toBeUndefined();
  });
});
