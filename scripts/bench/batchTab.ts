/**
 * `npm run bench -- batch-small`: a short run in the app's Batch tab, as a teacher or researcher
 * makes one. The page is opened (Auto) and left until its models are up, the Batch tab gets a
 * folder of the first N FER+ Test images (BENCH_SMALL_SIZES, default 12,140,clip; `clip` is one
 * 2.1 s video), the preview is read for BENCH_THINK_MS (default 2000; 0 = Run pressed the moment it
 * shows), then Run: time from Run to the first row and to the last.
 * Why: a run of up to ITEMS_ON_LENT_WORKER images or video frames borrows the live view's worker,
 * whose models are loaded, instead of starting one, and beyond ITEMS_ON_LENT_WORKER_ALONE a worker of
 * the run's own joins it when up (src/stores/batchStore.ts). With BENCH_BASELINE_DIST=<another
 * build's dist/> the two builds alternate per round (which goes first alternates too). Only when
 * named.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { makeAfewClip } from '../../e2e/global-setup';
import { withRunnerPage } from '../cli/runHeadless';
import { chromiumMemory } from './processMemory';
import { median, type BenchRow } from './table';

interface SmallRun {
  firstRowMs: number;
  finishedMs: number;
  notes: string;
  inferenceWorkers: number;
  tabRendererMiB: number;
}

/** A folder with e2e's 2.1 s AFEW-VA clip (makeAfewClip): 11 frames at the Batch tab's default 5/s. */
function clipFolder(scratch: string): string {
  const dir = join(scratch, 'batch-small-clip');
  const clip = join(dir, 'clip.webm');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(clip)) makeAfewClip(clip);
  return dir;
}

/** A folder of the first `n` FER+ Test images (copies: a folder input skips symbolic links). */
function folderOf(ferplusTest: string, scratch: string, n: number): string {
  const dir = join(scratch, `batch-small-${n}`);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(ferplusTest).filter((x) => x.endsWith('.png')).sort().slice(0, n)) if (!existsSync(join(dir, f))) copyFileSync(join(ferplusTest, f), join(dir, f));
  return dir;
}

async function smallRun(dir: string, thinkMs: number, dist: string | undefined): Promise<SmallRun> {
  return withRunnerPage(dist ? { '/': dist } : {}, async (page: Page, origin: string) => {
    await page.goto(`${origin}/index.html`);
    await page.getByTestId('ep-badge').filter({ hasText: '(auto)' }).waitFor({ timeout: 300_000 });
    await page.waitForTimeout(1500); // the live view settles (3D view set-up), as a person would look at it
    await page.getByTestId('tab-batch').click();
    await page.getByTestId('batch-folder-input').setInputFiles(dir);
    await page.getByTestId('batch-start').waitFor({ state: 'visible' });
    if (thinkMs) await page.waitForTimeout(thinkMs);
    const t0 = Date.now();
    await page.getByTestId('batch-start').click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=batch-progress]')?.getAttribute('data-done')) > 0, undefined, { polling: 10, timeout: 300_000 });
    const firstRowMs = Date.now() - t0;
    await page.waitForFunction(() => document.querySelector('[data-testid=batch-progress]')?.getAttribute('data-state') === 'finished', undefined, { polling: 10, timeout: 600_000 });
    const finishedMs = Date.now() - t0;
    return {
      firstRowMs,
      finishedMs,
      notes: (await page.getByTestId('batch-notes').textContent()) ?? '',
      inferenceWorkers: page.workers().filter((w) => /inference/.test(w.url())).length,
      tabRendererMiB: chromiumMemory().tabRenderer,
    };
  });
}

export async function benchBatchSmall(opts: { ferplusTest: string; scratch: string; rows: BenchRow[]; json: Record<string, unknown> }): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  // Image counts, and `clip`: one 2.1 s video (clipFolder).
  const sizes = (process.env.BENCH_SMALL_SIZES ?? '12,140,clip').split(',');
  const thinkMs = Number(process.env.BENCH_THINK_MS ?? 2000);
  const builds: [string, string | undefined][] = [['this build', undefined]];
  if (process.env.BENCH_BASELINE_DIST) builds.unshift(['baseline build', process.env.BENCH_BASELINE_DIST]);
  const section = `Batch tab, a short run (FER+ Test, Auto, preview read ${thinkMs} ms)`;
  const runs: Record<string, SmallRun[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const n of sizes) {
      const dir = n === 'clip' ? clipFolder(opts.scratch) : folderOf(opts.ferplusTest, opts.scratch, Number(n));
      for (const [label, dist] of r % 2 ? [...builds].reverse() : builds) {
        const run = await smallRun(dir, thinkMs, dist);
        (runs[`${n}:${label}`] ??= []).push(run);
        process.stderr.write(`\rbatch-small: round ${r + 1}/${rounds}, ${what(n)}, ${label}   `);
      }
    }
  }
  process.stderr.write('\n');
  const f0 = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' / ');
  for (const n of sizes) {
    for (const [label] of builds) {
      const rs = runs[`${n}:${label}`];
      opts.rows.push({
        section,
        metric: `${what(n)}, ${label}: Run → first row / → finished (medians)`,
        value: `${median(rs.map((x) => x.firstRowMs)).toFixed(0)} / ${median(rs.map((x) => x.finishedMs)).toFixed(0)}`,
        unit: 'ms',
        note: `per round: first row ${f0(rs.map((x) => x.firstRowMs))}, finished ${f0(rs.map((x) => x.finishedMs))} ms; ${rs[0].inferenceWorkers} inference worker(s) in the page at the end, tab renderer ${f0(rs.map((x) => x.tabRendererMiB))} MiB; "${rs[0].notes}"`,
      });
    }
  }
  opts.json.batchSmall = runs;
}

const what = (size: string) => (size === 'clip' ? 'a 2.1 s clip (11 frames)' : `${size} images`);
