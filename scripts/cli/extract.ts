/**
 * npm run extract -- <folder|label.csv> --out features.csv [--pack dir] [--workers 2] [--limit N]
 * Feature extraction for training 3D heads: per image, the 3D parameters, the 2D model's
 * logits, and whether/how a face was found — computed by the app's own browser pipeline.
 */
import { writeFileSync } from 'node:fs';
import { rowsToFeaturesCsv } from '../../src/batch/exportRows';
import { parseArgs } from './args';
import { progressLine, runHeadless } from './runHeadless';

const { positional, flags } = parseArgs(process.argv.slice(2));
if (positional.length !== 1 || typeof flags.out !== 'string') {
  console.error('usage: npm run extract -- <folder|label.csv> --out features.csv [--pack dir] [--workers N] [--limit N]');
  process.exit(2);
}
let lastPrint = 0;
const { rows, progress } = await runHeadless({
  input: positional[0],
  packDir: typeof flags.pack === 'string' ? flags.pack : undefined,
  ep: 'wasm',
  workers: flags.workers ? Number(flags.workers) : 2,
  limit: flags.limit ? Number(flags.limit) : undefined,
  onProgress: (p) => {
    if (Date.now() - lastPrint > 2000) {
      lastPrint = Date.now();
      process.stderr.write(`\r${progressLine(p)}   `);
    }
  },
});
process.stderr.write(`\r${progressLine(progress)}\n`);
// Every image gets a line, faces or not, so the protocol's denominators stay honest.
writeFileSync(flags.out, rowsToFeaturesCsv(rows, { includeMissing: true }));
const byMethod = rows.reduce<Record<string, number>>((acc, r) => ((acc[r.status === 'error' ? 'error' : r.detection] = (acc[r.status === 'error' ? 'error' : r.detection] ?? 0) + 1), acc), {});
console.error(`wrote ${rows.length} rows to ${flags.out}; detection: ${JSON.stringify(byMethod)}`);
