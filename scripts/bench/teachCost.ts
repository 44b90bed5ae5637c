/**
 * Teaching mode with the camera on (issue: the teaching view re-rendered everything per live
 * result): React commits per second, elements re-rendered, live results per second and the CPU of
 * each thread group, over one window after a warm-up. Any build can be measured (`dist` mounts
 * another commit's `dist/`): the commits are counted from outside the app (reactCommits.ts).
 */
import type { Page } from 'playwright-core';
import { withRunnerPage } from '../cli/runHeadless';
import { fakeWebcamArgs } from '../lib/chromium.mjs';
import { COMMIT_COUNTER_SCRIPT, READ_COMMIT_COUNTS, countsBetween, type CommitCounts } from './reactCommits';
import { cpuByGroup, cpuSnapshot } from './threadCpu';
import { chromiumMemory } from './processMemory';

export interface TeachRun {
  seconds: number;
  results: number;
  counts: CommitCounts;
  cpuSeconds: Record<string, number>;
}

/**
 * Counts the teach store's live results in the page: through the `?debug` store hook where the
 * build exposes it, else (older builds) through the status line's `data-live-frames`, which those
 * builds changed with every result.
 */
const RESULT_COUNTER_SCRIPT = `(() => {
  const c = { n: 0 };
  window.__benchTeachResults = c;
  const teach = window.__ig3d && window.__ig3d.teach;
  if (teach) {
    let last;
    teach.subscribe((s) => { if (s.live && s.live !== last) { last = s.live; c.n++; } });
    return;
  }
  const status = document.querySelector('[data-testid=teach-status]');
  new MutationObserver(() => c.n++).observe(status, { attributes: true, attributeFilter: ['data-live-frames'] });
})()`;

/**
 * Opens the Teach tab at `url`, forces WASM as a person could, starts the camera and waits for a
 * face. Returns the time from the Start click to "Face found" (ms).
 */
async function openTeachWithCamera(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await page.getByLabel('execution provider').selectOption('wasm');
  await page.getByTestId('ep-badge').filter({ hasText: 'WASM' }).waitFor({ timeout: 300_000 });
  const t0 = Date.now();
  await page.getByTestId('teach-start-camera').click();
  await page.getByTestId('teach-detection').filter({ hasText: 'Face found' }).waitFor({ timeout: 300_000 });
  return Date.now() - t0;
}

export async function teachLiveRun(seconds: number, camera: string, opts: { query?: string; dist?: string } = {}): Promise<TeachRun> {
  return withRunnerPage(
    opts.dist ? { '/': opts.dist } : {},
    async (page: Page, origin: string) => {
      await page.addInitScript({ content: COMMIT_COUNTER_SCRIPT });
      await openTeachWithCamera(page, `${origin}/index.html?debug${opts.query ? `&${opts.query}` : ''}#teach`);
      await page.evaluate(RESULT_COUNTER_SCRIPT);
      await page.waitForTimeout(2000); // warm-up: the head view's asset, the first fits
      const r0 = await page.evaluate<number>('window.__benchTeachResults.n');
      const c0 = await page.evaluate<CommitCounts>(READ_COMMIT_COUNTS);
      const cpu0 = cpuSnapshot();
      const t0 = Date.now();
      await page.waitForTimeout(seconds * 1000);
      const cpu1 = cpuSnapshot();
      const c1 = await page.evaluate<CommitCounts>(READ_COMMIT_COUNTS);
      const r1 = await page.evaluate<number>('window.__benchTeachResults.n');
      return { seconds: (Date.now() - t0) / 1000, results: r1 - r0, counts: countsBetween(c0, c1), cpuSeconds: cpuByGroup(cpu0, cpu1) };
    },
    fakeWebcamArgs(camera),
  );
}

export interface FreezeCycle {
  /** Freeze pressed → the frozen frame's analysis on the page (data-frozen="true"). */
  freezeMs: number;
  /** The landmarker's share of that analysis, as the worker timed it. */
  landmarksMs: number;
  /** Unfreeze pressed → the first new live result in the teach store. */
  resumeMs: number;
}

/**
 * One cycle, timed inside the page from the button's click (no Playwright round trips in the
 * figures): freeze, read the analysis, wait `holdMs`, unfreeze, wait for the next live result.
 */
const FREEZE_CYCLE_SCRIPT = `async (holdMs) => {
  const teach = window.__ig3d.teach;
  const button = document.querySelector('[data-testid=teach-freeze]');
  const status = document.querySelector('[data-testid=teach-status]');
  const until = (ok) => new Promise((resolve) => {
    const tick = () => (ok() ? resolve(performance.now()) : setTimeout(tick, 2));
    tick();
  });
  const t0 = performance.now();
  button.click();
  const t1 = await until(() => status.getAttribute('data-frozen') === 'true');
  const landmarksMs = teach.getState().frozen.result.timings.landmarks;
  await new Promise((r) => setTimeout(r, holdMs));
  const before = teach.getState().live;
  const t2 = performance.now();
  button.click();
  const t3 = await until(() => { const live = teach.getState().live; return !!live && live !== before; });
  return { freezeMs: t1 - t0, landmarksMs, resumeMs: t3 - t2 };
}`;

export interface FreezeRun {
  cycles: FreezeCycle[];
  /** RSS of the tab's renderer (page and workers) after the cycles, MiB. */
  tabRendererMiB: number;
  /**
   * Start camera pressed as soon as the models are up → "Face found": what a still-path warm-up
   * queued on opening the tab may cost the first live frame.
   */
  firstFaceMs: number;
}

/** How long each frozen frame stays frozen, and the live frames between two cycles (ms). */
const FREEZE_HOLD_MS = 500;
const FREEZE_GAP_MS = 1500;

/** The Teach tab's Freeze / Unfreeze with the camera on (WASM): `cycles` cycles after a warm-up. */
export async function teachFreezeRun(cycles: number, camera: string, opts: { dist?: string } = {}): Promise<FreezeRun> {
  return withRunnerPage(
    opts.dist ? { '/': opts.dist } : {},
    async (page: Page, origin: string) => {
      const firstFaceMs = await openTeachWithCamera(page, `${origin}/index.html?debug#teach`);
      await page.waitForTimeout(2000); // warm-up: the head view's asset, the first fits
      const out: FreezeCycle[] = [];
      for (let i = 0; i < cycles; i++) {
        out.push((await page.evaluate(`(${FREEZE_CYCLE_SCRIPT})(${FREEZE_HOLD_MS})`)) as FreezeCycle);
        await page.waitForTimeout(FREEZE_GAP_MS);
      }
      return { cycles: out, tabRendererMiB: chromiumMemory().tabRenderer, firstFaceMs };
    },
    fakeWebcamArgs(camera),
  );
}
