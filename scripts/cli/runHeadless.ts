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
import { deserializeRow, type SerializedRow } from '../../src/cli/serializedRow';
import type { CliRunRequest } from '../../src/cli/cliPage';
import { startStaticServer } from './staticServer';

export const REPO_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const IMAGE_EXT = /\.(png|jpe?g|webp|bmp|gif)$/i;

export interface HeadlessOptions {
  /** A folder of images, or a label.csv whose folder holds the images. */
  input: string;
  packDir?: string;
  ep?: 'wasm' | 'webgpu' | 'auto';
  workers?: number;
  limit?: number;
  /** Skip the first N images (with --limit: process a slice, e.g. to extend an earlier run). */
  skip?: number;
  /** Also return the landmarks in the canonical face frame (478×3 per row). */
  wantCanonicalLandmarks?: boolean;
  /** Tight-crop datasets: run the 2D model on the whole image when no face is found. */
  wholeImageFallback?: boolean;
  /** Apply the pack's declared calibration (undefined = the pack's default; false = --no-calibration). */
  calibrate?: boolean;
  onProgress?: (p: BatchProgress) => void;
  /** Extra Chromium flags (e.g. the bench's eager memory measurement). */
  launchArgs?: string[];
  /** Called with the runner page before the run starts (e.g. to sample memory while it runs). */
  onPage?: (page: Page) => void;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
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

export async function runHeadless(opts: HeadlessOptions): Promise<{ rows: BatchRow[]; progress: BatchProgress; ep: string; pack: string; labels?: LabelTable }> {
  const input = collectInput(opts.input);
  const { root, labels } = input;
  let { files } = input;
  // With a FER+ label.csv, images whose majority is unknown / not-a-face are not part of the protocol.
  if (labels?.source === 'ferplus-csv') files = files.filter((f) => labels!.labels.has(labelKey(f)));
  if (opts.skip || opts.limit) files = files.slice(opts.skip ?? 0, opts.limit ? (opts.skip ?? 0) + opts.limit : undefined);
  if (files.length === 0) throw new Error(`no images found in ${root}`);

  const mounts: Record<string, string> = { '/__input/': root };
  if (opts.packDir) mounts['/__pack/'] = resolve(opts.packDir);
  return withRunnerPage(mounts, async (page, origin) => {
    opts.onPage?.(page);
    const rows: BatchRow[] = [];
    await page.exposeFunction('ig3dReport', (batch: SerializedRow[], progress: BatchProgress) => {
      for (const r of batch) rows.push(deserializeRow(r));
      if (progress) opts.onProgress?.(progress);
    });
    const req: CliRunRequest = {
      packBaseUrl: opts.packDir ? `${origin}/__pack/` : `${origin}/models/`,
      ep: opts.ep ?? 'wasm',
      workers: opts.workers ?? 2,
      wantCanonicalLandmarks: opts.wantCanonicalLandmarks,
      wholeImageFallback: opts.wholeImageFallback,
      calibrate: opts.calibrate,
      items: files.map((path, id) => ({
        id,
        path,
        url: `${origin}/__input/${path.split('/').map(encodeURIComponent).join('/')}`,
        label: labelFor(labels, path),
      })),
    };
    const out = (await page.evaluate((r) => window.ig3dCli.run(r), req)) as { progress: BatchProgress; ep: string; pack: string };
    rows.sort((a, b) => a.id - b.id);
    return { rows, progress: out.progress, ep: out.ep, pack: out.pack, labels };
  }, opts.launchArgs);
}

/**
 * Serve dist/ (plus extra mounts) on 127.0.0.1, open the headless runner page in Debian's
 * Chromium, run `fn`, and clean up. Page errors are printed, not swallowed.
 */
export async function withRunnerPage<T>(
  mounts: Record<string, string>,
  fn: (page: Page, origin: string) => Promise<T>,
  launchArgs: string[] = [],
): Promise<T> {
  const dist = join(REPO_ROOT, 'dist');
  if (!existsSync(join(dist, 'cli.html'))) throw new Error('dist/cli.html is missing: run `npm run build` first');
  const { server, origin } = await startStaticServer({ '/': dist, ...mounts });
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

