/**
 * npm run extract -- <folder|label.csv> --out features.csv [--landmarks lm.f32] [--pack dir] [--workers N] [--skip N] [--limit N]
 * Feature extraction for training 3D heads: per image, the 3D parameters, the 2D model's
 * logits, and whether/how a face was found — computed by the app's own browser pipeline.
 * --landmarks also writes the 478 landmarks in the canonical face frame as float32
 * [rows, 478, 3] (row order = the CSV's; NaN where no face), with a .json header beside it.
 * --crops writes the crop the first 2D model saw, as grey uint8 [rows, h, w] (zeros where no crop),
 * with a .json header: offline checks (training/crossdomain.py --app-crops) score other 2D nets on
 * exactly the app's crops instead of the dataset's own framing.
 */
import { writeFileSync } from 'node:fs';
import type { BatchRow } from '../../src/batch/batchTypes';
import { rowsToFeaturesCsv } from '../../src/batch/exportRows';
import { calibrationFlag, parseArgs, wholeImageFlag } from './args';
import { progressLine, runHeadless } from './runHeadless';

const { positional, flags } = parseArgs(process.argv.slice(2));
if (positional.length !== 1 || typeof flags.out !== 'string') {
  console.error('usage: npm run extract -- <folder|label.csv> --out features.csv [--landmarks lm.f32] [--crops crops.u8] [--pack dir] [--workers N] [--limit N]');
  process.exit(2);
}
let lastPrint = 0;
const { rows, progress } = await runHeadless({
  input: positional[0],
  packDir: typeof flags.pack === 'string' ? flags.pack : undefined,
  ep: 'wasm',
  wantCanonicalLandmarks: typeof flags.landmarks === 'string',
  wantCrops: typeof flags.crops === 'string',
  // Datasets fed to extract are tight face crops (FER+): keep a 2D prediction when no face is found.
  wholeImageFallback: wholeImageFlag(flags, 'always'),
  // Features are the net's own outputs: as trained unless `--calibration on` asks for the fixed correction (no dataset prior here).
  priorMode: calibrationFlag(flags.calibration, ['off', 'fixed']) ?? 'off',
  workers: flags.workers ? Number(flags.workers) : undefined,
  limit: flags.limit ? Number(flags.limit) : undefined,
  skip: flags.skip ? Number(flags.skip) : undefined,
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
if (typeof flags.landmarks === 'string') writeLandmarks(flags.landmarks, rows);
if (typeof flags.crops === 'string') writeCrops(flags.crops, rows);
const byMethod = rows.reduce<Record<string, number>>((acc, r) => ((acc[r.status === 'error' ? 'error' : r.detection] = (acc[r.status === 'error' ? 'error' : r.detection] ?? 0) + 1), acc), {});
console.error(`wrote ${rows.length} rows to ${flags.out}; detection: ${JSON.stringify(byMethod)}`);

function writeLandmarks(path: string, rows: BatchRow[]): void {
  const per = 478 * 3;
  const out = new Float32Array(rows.length * per).fill(NaN);
  rows.forEach((r, i) => {
    if (r.canonicalLandmarks?.length === per) out.set(r.canonicalLandmarks, i * per);
  });
  writeFileSync(path, Buffer.from(out.buffer));
  writeFileSync(`${path}.json`, JSON.stringify({ dtype: 'float32', shape: [rows.length, 478, 3], frame: 'MediaPipe canonical face (cm, pose removed)', rows: rows.map((r) => r.path) }));
}

function writeCrops(path: string, rows: BatchRow[]): void {
  const size = rows.find((r) => r.crop2dSize)?.crop2dSize;
  if (!size) {
    console.error('no row carried a 2D crop; nothing written to ' + path);
    return;
  }
  const per = size[0] * size[1];
  const out = new Uint8Array(rows.length * per);
  rows.forEach((r, i) => {
    if (r.crop2d?.length === per) out.set(r.crop2d, i * per);
  });
  writeFileSync(path, out);
  writeFileSync(`${path}.json`, JSON.stringify({ dtype: 'uint8', shape: [rows.length, ...size], what: "the first 2D model's crop, grey (0.299 R + 0.587 G + 0.114 B)", rows: rows.map((r) => r.path), hasCrop: rows.map((r) => (r.crop2d ? 1 : 0)) }));
}
