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

export async function teachLiveRun(seconds: number, camera: string, opts: { query?: string; dist?: string } = {}): Promise<TeachRun> {
  return withRunnerPage(
    opts.dist ? { '/': opts.dist } : {},
    async (page: Page, origin: string) => {
      await page.addInitScript({ content: COMMIT_COUNTER_SCRIPT });
      await page.goto(`${origin}/index.html?debug${opts.query ? `&${opts.query}` : ''}#teach`);
      await page.getByLabel('execution provider').selectOption('wasm');
      await page.getByTestId('ep-badge').filter({ hasText: 'WASM' }).waitFor({ timeout: 300_000 });
      await page.getByTestId('teach-start-camera').click();
      await page.getByTestId('teach-detection').filter({ hasText: 'Face found' }).waitFor({ timeout: 300_000 });
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
