/**
 * Node side of `npm run batch` / `npm run extract`: serve dist/ and the input folder on
 * 127.0.0.1, open the headless runner page in Debian's Chromium, and collect the rows.
 * The pipeline that runs is the app's own (worker, MediaPipe, onnxruntime-web).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../lib/chromium.mjs';
import { labelKey, labelsFromFolders, parseAnyLabelCsv, type ItemLabel, type LabelTable } from '../../src/core/labels/datasetLabels';
import type { BatchProgress, BatchRow } from '../../src/batch/batchTypes';
import { readWhole } from '../../src/batch/batchMetrics';
import type { WholeImageFallback } from '../../src/core/crop/wholeImageFallback';
import { deserializeRow, type SerializedRow } from '../../src/cli/serializedRow';
import type { CliRunRequest } from '../../src/cli/cliPage';
import type { PriorMode } from '../../src/core/calibration/datasetPrior';
import { startStaticServer, type StaticServerOptions } from './staticServer';
import { InputBundles } from './inputBundles';
import { selectShard, type Shard } from './shard';
import { staleBuildReason } from './staleBuild';
import { batchPoolSize } from '../../src/batch/poolSize';

export const REPO_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const IMAGE_EXT = /\.(png|jpe?g|webp|bmp|gif)$/i;

export interface HeadlessOptions {
  /** A folder of images, or a label.csv whose folder holds the images. */
  input: string;
  packDir?: string;
  ep?: 'wasm' | 'webgpu' | 'auto';
  /** Inference workers; by default one per ITEMS_PER_WORKER items left, at most MAX_BATCH_WORKERS (src/batch/poolSize.ts). */
  workers?: number;
  limit?: number;
  /** Skip the first N images (with --limit: process a slice, e.g. to extend an earlier run). */
  skip?: number;
  /** Also return the landmarks in the canonical face frame (478×3 per row). */
  wantCanonicalLandmarks?: boolean;
  wantCrops?: boolean;
  /** When no face is found: may the 2D model read the whole image (core/crop/wholeImageFallback.ts)? undefined = 'off'. */
  wholeImageFallback?: WholeImageFallback;
  /** How the run treats the training prior (undefined = the pack's default); 'dataset' marks face rows pending (src/batch/datasetPriorRows.ts). */
  priorMode?: PriorMode;
  onProgress?: (p: BatchProgress) => void;
  /** Extra Chromium flags (e.g. the bench's eager memory measurement). */
  launchArgs?: string[];
  /** Called with the runner page before the run starts (e.g. to sample memory while it runs). */
  onPage?: (page: Page) => void;
  /** Only this deterministic part of the inputs (`--shard k/n`); applied before skip/limit. */
  shard?: Shard;
  /** Inputs already in the output (`--resume`): not run again. */
  alreadyDone?: (path: string) => boolean;
  /**
   * Streaming: rows are handed over as they arrive (in completion order) and not kept, so
   * Node's memory stays flat in the number of rows; the returned `rows` is then empty.
   */
  onRows?: (rows: BatchRow[]) => void;
  /** How many times a dead browser is relaunched before the run gives up (default 3 in a row without progress). */
  maxBrowserRestarts?: number;
  /** Seconds one item may take in a worker before the worker is declared dead (default 120). */
  itemTimeoutMs?: number;
  /** Told when the browser died and is being relaunched. */
  onBrowserRestart?: (message: string) => void;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    // An entry that cannot be stat'ed (a broken link) is listed anyway: its row then says why it could not be read.
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      /* listed as a file */
    }
    if (isDir) walk(p, out);
    else out.push(p);
  }
  return out;
}

export function collectInput(input: string): { root: string; files: string[]; labels?: LabelTable } {
  const abs = resolve(input);
  if (!existsSync(abs)) throw new Error(`input not found: ${input}`);
  const isCsv = statSync(abs).isFile() && abs.toLowerCase().endsWith('.csv');
  const root = isCsv ? dirname(abs) : abs;
  const csvPath = isCsv ? abs : join(root, 'label.csv');
  const files = walk(root).filter((f) => IMAGE_EXT.test(f));
  const rel = files.map((f) => relative(root, f).split(sep).join('/'));
  const labels = existsSync(csvPath) ? parseAnyLabelCsv(readFileSync(csvPath, 'utf8')) : labelsFromFolders(rel);
  return { root, files: rel, labels: labels.labels.size ? labels : undefined };
}

function labelFor(table: LabelTable | undefined, path: string): ItemLabel | undefined {
  if (!table) return undefined;
  return table.source === 'folder' ? table.labels.get(path.toLowerCase()) : table.labels.get(labelKey(path));
}

export interface HeadlessResult {
  rows: BatchRow[];
  progress: BatchProgress;
  ep: string;
  pack: string;
  /** How the run treated the training prior (the page settles the pack default). */
  priorMode: PriorMode;
  labels?: LabelTable;
  /** Inputs selected (after shard / skip / limit), and how many of them were already done. */
  selected: number;
  skippedDone: number;
  browserRestarts: number;
  /** Rows of this run without a found face that the 2D model read whole (--whole-image-fallback). */
  readWhole: number;
}

export async function runHeadless(opts: HeadlessOptions): Promise<HeadlessResult> {
  const input = collectInput(opts.input);
  const { root, labels } = input;
  let { files } = input;
  // With a FER+ label.csv, images whose majority is unknown / not-a-face are not part of the protocol.
  if (labels?.source === 'ferplus-csv') files = files.filter((f) => labels!.labels.has(labelKey(f)));
  files = selectShard(files, opts.shard);
  if (opts.skip || opts.limit) files = files.slice(opts.skip ?? 0, opts.limit ? (opts.skip ?? 0) + opts.limit : undefined);
  if (files.length === 0) throw new Error(`no images found in ${root}${opts.shard ? ` for shard ${opts.shard.index}/${opts.shard.count}` : ''}`);
  const selected = files.length;
  if (opts.alreadyDone) files = files.filter((f) => !opts.alreadyDone!(f));
  const skippedDone = selected - files.length;

  const mounts: Record<string, string> = {};
  // The input files reach the page in bundles (src/cli/fileBundle.ts): a request per file cost ≈ 12 ms of CPU per image.
  const bundles = new InputBundles(root);
  if (opts.packDir) mounts['/__pack/'] = resolve(opts.packDir);
  const collected: BatchRow[] = [];
  const reported = new Set<number>();
  const counts = { done: 0, failed: 0, noFace: 0, readWhole: 0 };
  let restartsInARow = 0;
  let browserRestarts = 0;
  let sinkError: Error | undefined;
  // Fault test only (tests/cli/batchFaults.test.ts): a real worker death, not a simulated row.
  let closeWorkerAt = process.env.IG3D_TEST_CLOSE_WORKER_AT_ROWS ? Number(process.env.IG3D_TEST_CLOSE_WORKER_AT_ROWS) : undefined;
  const t0 = performance.now();
  let last: { progress: BatchProgress; ep: string; pack: string; priorMode: PriorMode } | undefined;
  // Items are handed to the page by id (= index in `files`); after a browser death only the ids
  // whose rows have not reached Node are sent again, so an item in flight is redone, never doubled.
  for (;;) {
    const remaining = files.flatMap((path, id) => (reported.has(id) ? [] : [{ id, path }]));
    if (remaining.length === 0 && last) break;
    const doneBefore = counts.done;
    try {
      last = await withRunnerPage(mounts, async (page, origin) => {
        opts.onPage?.(page);
        await page.exposeFunction('ig3dReport', (batch: SerializedRow[], progress: BatchProgress | undefined) => {
          const rows = batch.map(deserializeRow).filter((r) => !reported.has(r.id));
          for (const r of rows) {
            reported.add(r.id);
            counts.done++;
            if (r.status === 'error') counts.failed++;
            if (r.status === 'no-face') counts.noFace++;
            if (readWhole(r)) counts.readWhole++;
          }
          // An output error (disk full) must end the run with its own message, not Playwright's wrapping.
          try {
            if (opts.onRows) opts.onRows(rows);
            else collected.push(...rows);
          } catch (e) {
            sinkError ??= e as Error;
            throw e;
          }
          if (progress) opts.onProgress?.(overall(progress));
          if (closeWorkerAt !== undefined && counts.done >= closeWorkerAt) {
            closeWorkerAt = undefined;
            void closeOneInferenceWorker(page);
          }
        });
        const req: CliRunRequest = {
          packBaseUrl: opts.packDir ? `${origin}/__pack/` : `${origin}/models/`,
          ep: opts.ep ?? 'wasm',
          // Sized by what this launch has left to do (a resumed or relaunched run may have few rows).
          workers: opts.workers ?? batchPoolSize(remaining.length),
          wantCanonicalLandmarks: opts.wantCanonicalLandmarks,
          wantCrops: opts.wantCrops,
          wholeImageFallback: opts.wholeImageFallback,
          priorMode: opts.priorMode,
          itemTimeoutMs: opts.itemTimeoutMs,
          items: remaining.map(({ id, path }) => ({ id, path, label: labelFor(labels, path) })),
          bundles: bundles.plan(remaining, origin),
        };
        const crashed = new Promise<never>((_, reject) => page.on('crash', () => reject(new BrowserDied('the runner page crashed'))));
        const run = page.evaluate((r) => window.ig3dCli.run(r), req) as Promise<{ progress: BatchProgress; ep: string; pack: string; priorMode: PriorMode }>;
        try {
          return await Promise.race([run, crashed]);
        } catch (e) {
          if (e instanceof BrowserDied || page.isClosed() || !page.context().browser()?.isConnected()) throw new BrowserDied((e as Error).message);
          throw e;
        }
      }, opts.launchArgs, { handle: (q, r) => bundles.handle(q, r) });
    } catch (e) {
      if (sinkError) throw sinkError;
      if (!(e instanceof BrowserDied)) throw e;
      restartsInARow = counts.done > doneBefore ? 1 : restartsInARow + 1;
      if (restartsInARow > (opts.maxBrowserRestarts ?? 3)) throw new Error(`the headless browser died ${restartsInARow} times in a row without progress: ${e.message}`, { cause: e });
      browserRestarts++;
      opts.onBrowserRestart?.(`headless browser died (${e.message.split('\n')[0]}); relaunching it for the ${files.length - reported.size} items not yet written`);
    }
  }
  collected.sort((a, b) => a.id - b.id);
  return { rows: collected, progress: overall(last!.progress), ep: last!.ep, pack: last!.pack, priorMode: last!.priorMode, labels, selected, skippedDone, browserRestarts, readWhole: counts.readWhole };

  /** Progress over the whole run, across browser relaunches (the page only knows its own part). */
  function overall(p: BatchProgress): BatchProgress {
    const elapsed = (performance.now() - t0) / 1000;
    const ips = elapsed > 0 ? counts.done / elapsed : 0;
    return { ...p, done: counts.done, total: files.length, failed: counts.failed, noFace: counts.noFace, imagesPerSecond: p.imagesPerSecond || ips, etaSeconds: p.imagesPerSecond > 0 ? (files.length - counts.done) / p.imagesPerSecond : Infinity };
  }
}

class BrowserDied extends Error {}

/** Makes one of the page's inference workers call close() on itself (it then never answers again). */
async function closeOneInferenceWorker(page: Page): Promise<void> {
  const worker = page.workers().find((w) => /inference/.test(w.url()));
  if (!worker) throw new Error('IG3D_TEST_CLOSE_WORKER_AT_ROWS: no inference worker found');
  await worker.evaluate(() => (self as unknown as { close(): void }).close());
  console.error(`\n[test hook] closed inference worker ${worker.url()}`);
}

/**
 * Serve dist/ (plus extra mounts) on 127.0.0.1, open the headless runner page in Debian's
 * Chromium, run `fn`, and clean up. Page errors are printed, not swallowed.
 */
export async function withRunnerPage<T>(
  mounts: Record<string, string>,
  fn: (page: Page, origin: string) => Promise<T>,
  launchArgs: string[] = [],
  serverOptions: StaticServerOptions = {},
): Promise<T> {
  const dist = join(REPO_ROOT, 'dist');
  if (!existsSync(join(dist, 'cli.html'))) throw new Error('dist/cli.html is missing: run `npm run build` first');
  const stale = staleBuildReason(REPO_ROOT);
  if (stale) throw new Error(stale);
  const { server, origin } = await startStaticServer({ '/': dist, ...mounts }, serverOptions);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...launchArgs], headless: true });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(`${origin}/cli.html`);
    await page.waitForFunction(() => 'ig3dCli' in window, undefined, { timeout: 60_000 });
    return await fn(page, origin);
  } finally {
    await browser.close();
    server.close();
  }
}

export function progressLine(p: BatchProgress): string {
  const eta = Number.isFinite(p.etaSeconds) ? `${Math.round(p.etaSeconds)} s` : '—';
  return `${p.done}/${p.total} (${((100 * p.done) / Math.max(1, p.total)).toFixed(1)}%)  ${p.imagesPerSecond.toFixed(1)} img/s  ETA ${eta}  no-face ${p.noFace}  errors ${p.failed}${p.restarts ? `  landmarker rebuilds ${p.restarts}` : ''}`;
}

