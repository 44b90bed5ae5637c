/**
 * npm run batch -- <folder|label.csv> --out results.csv [--features features.csv] [--jsonl rows.jsonl] [--json results.json]
 *                  [--resume] [--shard k/n] [--pack <dir>] [--ep wasm|webgpu|auto] [--workers N] [--limit N]
 *                  [--item-timeout 120] (seconds before a worker that does not answer is declared dead)
 * Runs the app's pipeline over a folder in headless Chromium and writes the same CSV as the UI.
 * `--calibration dataset` (the default pack's default) adapts the answers to the folder's own class
 * mix when the run ends (datasetPriorPass.ts): streamed rows are as trained until then.
 * The CSVs and the JSON Lines are streamed: rows are appended as they complete (completion order,
 * not input order), so a crash loses at most the rows in flight and `--resume` carries on from the
 * files. `--json` is one document written at the end.
 */
import { writeFileSync } from 'node:fs';
import type { BatchRow } from '../../src/batch/batchTypes';
import { rowsToJson } from '../../src/batch/exportRows';
import { calibrationFlag, parseArgs, wholeImageFlag } from './args';
import { noFaceSummary } from './noFaceSummary';
import { defaultBatchPriorMode } from '../../src/core/calibration/datasetPrior';
import { adaptBatchRows, applyBatchMix } from '../../src/batch/datasetPriorRows';
import { adaptStreamedOutputs, datasetPriorRun, describeEstimate, packManifest } from './datasetPriorPass';
import { BatchOutputs } from './batchOutputs';
import { progressLine, runHeadless } from './runHeadless';
import { parseShard } from './shard';

const USAGE =
  'usage: npm run batch -- <folder|label.csv> --out results.csv [--features f.csv] [--jsonl r.jsonl] [--json r.json] [--resume] [--shard k/n] [--pack dir] [--ep wasm|webgpu|auto] [--workers N] [--limit N] [--item-timeout s] [--whole-image-fallback [face-crops|always|off]] [--calibration off|on|dataset]';
const { positional, flags } = parseArgs(process.argv.slice(2));
if (positional.length !== 1 || (!flags.out && !flags.features && !flags.jsonl && !flags.json)) {
  console.error(USAGE);
  process.exit(2);
}
const str = (k: string) => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
for (const k of ['out', 'features', 'jsonl', 'json']) {
  if (flags[k] === true) {
    console.error(`--${k} needs a file name`);
    process.exit(2);
  }
}
if (flags.json && flags.resume) {
  console.error('--json writes one document at the end and cannot be resumed; use --jsonl (or the CSV outputs) with --resume');
  process.exit(2);
}

try {
  const t0 = Date.now();
  let lastPrint = 0;
  const shard = str('shard') ? parseShard(str('shard')!) : undefined;
  const log = (m: string) => process.stderr.write(`\n${m}\n`);
  // Opening checks every output path before Chromium starts: an unwritable path fails in a second.
  const outputs = flags.out || flags.features || flags.jsonl ? new BatchOutputs({ out: str('out'), features: str('features'), jsonl: str('jsonl'), resume: !!flags.resume, log }) : undefined;
  const kept: BatchRow[] = [];
  // The prior mode is settled before the run: a dataset-prior run needs the pack to declare one.
  const manifest = packManifest(str('pack'));
  const priorMode = calibrationFlag(flags.calibration) ?? defaultBatchPriorMode(manifest);
  const adaptation = priorMode === 'dataset' ? datasetPriorRun(manifest) : undefined;
  if (adaptation && 'unavailable' in adaptation) throw new Error(`--calibration dataset: ${adaptation.unavailable}`);
  const wholeImageFallback = wholeImageFlag(flags);
  const result = await runHeadless({
    input: positional[0],
    packDir: str('pack'),
    ep: (str('ep') as 'wasm' | 'webgpu' | 'auto') ?? 'wasm',
    workers: flags.workers ? Number(flags.workers) : undefined,
    limit: flags.limit ? Number(flags.limit) : undefined,
    // Tight face crops without a landmarked face are read whole unless told otherwise (the CSV's notes say so).
    wholeImageFallback,
    // --calibration off|on|dataset overrides the pack's default; the CSV's calibration column says which ran.
    priorMode,
    shard,
    alreadyDone: flags.resume && outputs ? (p) => outputs.has(p) : undefined,
    onRows: (rows) => {
      outputs?.write(rows);
      if (flags.json) kept.push(...rows);
    },
    itemTimeoutMs: flags['item-timeout'] ? Number(flags['item-timeout']) * 1000 : undefined,
    onBrowserRestart: log,
    onProgress: (p) => {
      if (Date.now() - lastPrint > 1000 || p.done === p.total) {
        lastPrint = Date.now();
        process.stderr.write(`\r${progressLine(p)}   `);
      }
    },
  });
  outputs?.close();
  process.stderr.write(`\r${progressLine(result.progress)}\n`);
  let json = kept.sort((a, b) => a.id - b.id);
  if (adaptation) {
    // One class mix for every output: from the results CSV (all of its rows, resumed ones too), else the JSON Lines, else this run's rows.
    const { prior, fusion } = adaptation;
    if (str('out') || str('jsonl')) {
      const m = adaptStreamedOutputs(adaptation, { csv: str('out'), jsonl: str('jsonl') });
      json = json.map((r) => (r.p2dRaw ?? r.p2d ? applyBatchMix(r, prior, m, fusion.weight2d) : r));
      log(describeEstimate(m, prior));
    } else {
      const adapted = adaptBatchRows(json, prior, fusion);
      json = adapted.rows;
      log(describeEstimate(adapted, prior));
    }
  }
  if (str('json')) writeFileSync(str('json')!, rowsToJson(json, { pack: result.pack, ep: result.ep, createdBy: 'ig3d-web batch' }));
  const parts = [
    `${result.progress.done} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s on ${result.ep} (pack ${result.pack})`,
    shard ? `shard ${shard.index}/${shard.count}: ${result.selected} inputs` : '',
    result.skippedDone ? `${result.skippedDone} already in the output (resumed)` : '',
    result.browserRestarts ? `browser relaunched ${result.browserRestarts}×` : '',
    noFaceSummary(result.progress.noFace, result.readWhole, wholeImageFallback),
  ];
  console.error(parts.filter(Boolean).join('; '));
} catch (e) {
  console.error(`\nbatch: ${(e as Error).message}`);
  process.exit(1);
}
