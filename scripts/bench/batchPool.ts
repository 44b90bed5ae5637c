/**
 * `npm run bench -- batch-pool`: a whole `npm run batch` run (Chromium launch to the last row) on
 * the first N FER+ Test images, with one inference worker and with two, alternated per round. Why:
 * each worker opens its own landmarker and ONNX sessions, so a second worker pays off only above
 * some number of images; src/batch/poolSize.ts's ITEMS_PER_WORKER is read off these rows (where the
 * two lines, start-up + per-image cost, cross). Only when asked for by name.
 */
import { ITEMS_PER_WORKER, batchPoolSize } from '../../src/batch/poolSize';
import { runHeadless } from '../cli/runHeadless';
import { median, type BenchRow } from './table';

export async function benchBatchPool(opts: { ferplusTest: string; rows: BenchRow[]; json: Record<string, unknown> }): Promise<void> {
  const rounds = Number(process.env.BENCH_POOL_ROUNDS ?? 3);
  const sizes = (process.env.BENCH_POOL_SIZES ?? '42,300').split(',').map(Number);
  const seconds: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const n of sizes) {
      // Alternate which pool goes first, so a drift of the host's speed favours neither.
      for (const workers of r % 2 ? [2, 1] : [1, 2]) {
        const t0 = performance.now();
        await runHeadless({ input: opts.ferplusTest, limit: n, workers, wholeImageFallback: 'always', onRows: () => undefined });
        (seconds[`${n}:${workers}`] ??= []).push((performance.now() - t0) / 1000);
        process.stderr.write(`\rbatch-pool: round ${r + 1}/${rounds}, ${n} images, ${workers} worker(s)   `);
      }
    }
  }
  process.stderr.write('\n');
  const section = 'batch pool (npm run batch on FER+ Test, WASM, launch to last row)';
  const fits: Record<number, { startS: number; perImageMs: number }> = {};
  for (const workers of [1, 2]) {
    const pts = sizes.map((n) => [n, median(seconds[`${n}:${workers}`])] as const);
    for (const [n, s] of pts) opts.rows.push({ section, metric: `${n} images, ${workers} worker${workers > 1 ? 's' : ''}`, value: s.toFixed(1), unit: 's', note: `median of ${rounds}: ${seconds[`${n}:${workers}`].map((x) => x.toFixed(1)).join(' / ')}` });
    if (pts.length >= 2) {
      const [[n0, s0], [n1, s1]] = [pts[0], pts[pts.length - 1]];
      const per = (s1 - s0) / (n1 - n0);
      fits[workers] = { startS: s0 - per * n0, perImageMs: 1000 * per };
    }
  }
  if (fits[1] && fits[2]) {
    const cross = (fits[2].startS - fits[1].startS) / ((fits[1].perImageMs - fits[2].perImageMs) / 1000);
    opts.rows.push({
      section,
      metric: 'where two workers start to pay off',
      value: Number.isFinite(cross) && cross > 0 ? cross.toFixed(0) : 'never in this range',
      unit: 'images',
      note: `lines through the smallest and largest N: 1 worker ${fits[1].startS.toFixed(1)} s + ${fits[1].perImageMs.toFixed(1)} ms/image, 2 workers ${fits[2].startS.toFixed(1)} s + ${fits[2].perImageMs.toFixed(1)} ms/image; the default (poolSize.ts) gives 2 workers from ${ITEMS_PER_WORKER + 1} images (${sizes.map((n) => `${n}: ${batchPoolSize(n)}`).join(', ')})`,
    });
  }
  opts.json.batchPool = { seconds, fits };
}
