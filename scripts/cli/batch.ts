/**
 * npm run batch -- <folder|label.csv> --out results.csv [--pack <dir>] [--json results.json]
 *                  [--features features.csv] [--ep wasm|webgpu|auto] [--workers 2] [--limit N]
 * Runs the app's pipeline over a folder in headless Chromium and writes the same CSV as the UI.
 */
import { writeFileSync } from 'node:fs';
import { rowsToCsv, rowsToFeaturesCsv, rowsToJson } from '../../src/batch/exportRows';
import { calibrationFlag, parseArgs } from './args';
import { progressLine, runHeadless } from './runHeadless';

const { positional, flags } = parseArgs(process.argv.slice(2));
if (positional.length !== 1 || (!flags.out && !flags.features && !flags.json)) {
  console.error('usage: npm run batch -- <folder|label.csv> --out results.csv [--features f.csv] [--json r.json] [--pack dir] [--ep wasm|webgpu|auto] [--workers N] [--limit N] [--whole-image-fallback] [--calibration on|off]');
  process.exit(2);
}
const t0 = Date.now();
let lastPrint = 0;
const { rows, progress, ep, pack } = await runHeadless({
  input: positional[0],
  packDir: typeof flags.pack === 'string' ? flags.pack : undefined,
  ep: (flags.ep as 'wasm' | 'webgpu' | 'auto') ?? 'wasm',
  workers: flags.workers ? Number(flags.workers) : 2,
  limit: flags.limit ? Number(flags.limit) : undefined,
  wholeImageFallback: !!flags['whole-image-fallback'],
  // --calibration on|off overrides the pack's default for its declared calibration; the CSV's calibration column says which ran.
  calibrate: calibrationFlag(flags.calibration),
  onProgress: (p) => {
    if (Date.now() - lastPrint > 1000 || p.done === p.total) {
      lastPrint = Date.now();
      process.stderr.write(`\r${progressLine(p)}   `);
    }
  },
});
process.stderr.write(`\r${progressLine(progress)}\n`);
if (typeof flags.out === 'string') writeFileSync(flags.out, rowsToCsv(rows));
if (typeof flags.features === 'string') writeFileSync(flags.features, rowsToFeaturesCsv(rows));
if (typeof flags.json === 'string') writeFileSync(flags.json, rowsToJson(rows, { pack, ep, createdBy: 'ig3d-web batch' }));
console.error(`${rows.length} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s on ${ep} (pack ${pack})`);
