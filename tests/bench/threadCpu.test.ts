import { describe, expect, it } from 'vitest';
import { byGroup, cpuByGroup, cpuSnapshot, sumOf, threadGroup, workBetween, type CpuSnapshot } from '../../scripts/bench/threadCpu';

describe('threadGroup', () => {
  it("names SwiftShader's worker threads in the GPU process apart from its other threads", () => {
    expect(threadGroup('gpu-process', 'Thread<00>')).toBe('SwiftShader');
    expect(threadGroup('gpu-process', 'Thread<13>')).toBe('SwiftShader');
    expect(threadGroup('gpu-process', 'VizCompositorTh')).toBe('GPU process (other)');
    expect(threadGroup('gpu-process', 'chromium')).toBe('GPU process (other)');
  });

  it("splits the tab's renderer into workers, the page's main thread and the rest", () => {
    expect(threadGroup('renderer', 'DedicatedWorker')).toBe('workers');
    expect(threadGroup('renderer', 'chromium')).toBe('page main thread');
    expect(threadGroup('renderer', 'Compositor')).toBe('renderer (other)');
    expect(threadGroup('utility', 'CaptureThread')).toBe('browser + services');
  });
});

describe('cpuByGroup', () => {
  const before: CpuSnapshot = new Map([
    ['1/1', { group: 'workers', seconds: 2, systemSeconds: 0.5, faults: 100 }],
    ['2/5', { group: 'SwiftShader', seconds: 1, systemSeconds: 0.25, faults: 40 }],
  ]);
  const after: CpuSnapshot = new Map([
    ['1/1', { group: 'workers', seconds: 3.5, systemSeconds: 1, faults: 1000 }],
    ['2/5', { group: 'SwiftShader', seconds: 1.25, systemSeconds: 0.25, faults: 50 }],
    ['2/6', { group: 'SwiftShader', seconds: 0.5, systemSeconds: 0.25, faults: 50 }],
  ]);

  it('sums per-thread differences by group; new threads count from zero', () => {
    expect(cpuByGroup(before, after)).toEqual({ workers: 1.5, SwiftShader: 0.75 });
  });

  it('sums kernel time and page faults the same way', () => {
    expect(byGroup(before, after, 'systemSeconds')).toEqual({ workers: 0.5, SwiftShader: 0.25 });
    expect(byGroup(before, after, 'faults')).toEqual({ workers: 900, SwiftShader: 60 });
  });

  it('workBetween gives all three per group, and sumOf their totals', () => {
    const w = workBetween(before, after);
    expect(w).toEqual({ cpu: { workers: 1.5, SwiftShader: 0.75 }, system: { workers: 0.5, SwiftShader: 0.25 }, faults: { workers: 900, SwiftShader: 60 } });
    expect([sumOf(w.cpu), sumOf(w.faults), sumOf({})]).toEqual([2.25, 960, 0]);
  });

  it('finds no Chromium under a process that launched none', () => {
    expect(cpuSnapshot(2 ** 22 + 12345).size).toBe(0);
  });
});
