/**
 * npm run batch-merge -- shard1.csv shard2.csv ... --out all.csv [--inputs <folder|label.csv> [--limit N]]
 *
 * Joins the outputs of `npm run batch -- ... --shard k/n` into one CSV, streaming (one shard's
 * lines at a time). Reports rows that occur in more than one shard (kept once: the first) and,
 * with --inputs (the same input and --limit the shards were run with), inputs that have no row.
 * Exits with status 1 when anything is missing or duplicated, so a job script can check it.
 * Shards of a dataset-prior run (`--calibration dataset`) were each adapted to their own part:
 * the merged file is adapted again to the class mix of all its rows (the pack: `--pack dir`, else
 * the built default pack).
 */
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import Papa from 'papaparse';
import { labelKey } from '../../src/core/labels/datasetLabels';
import { parseArgs } from './args';
import { rowKey, scanCsvFile } from './csvFile';
import { collectInput } from './runHeadless';
import { adaptStreamedOutputs, datasetPriorRun, describeEstimate, packManifest } from './datasetPriorPass';

const { positional, flags } = parseArgs(process.argv.slice(2));
if (positional.length === 0 || typeof flags.out !== 'string') {
  console.error('usage: npm run batch-merge -- a.csv b.csv ... --out all.csv [--inputs <folder|label.csv> [--limit N]] [--pack dir]');
  process.exit(2);
}

try {
  let header: string[] | undefined;
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const out = openSync(flags.out, 'w');
  let written = 0;
  for (const file of positional) {
    const scan = scanCsvFile(file);
    if (scan.tailProblem) console.error(`${file}: ${scan.tailProblem} (left out; rerun that shard with --resume)`);
    if (!header) {
      header = scan.header;
      writeSync(out, Papa.unparse([header], { newline: '\r\n' }) + '\r\n');
    } else if (scan.header.join(',') !== header.join(',')) {
      throw new Error(`${file}: its columns differ from ${positional[0]}'s (another pack or tool?)`);
    }
    const pathIdx = header.indexOf('path');
    const timeIdx = header.indexOf('video_time_s');
    forEachLine(file, scan.validBytes, (line, i) => {
      if (i === 0 || line === '') return; // header
      const f = Papa.parse<string[]>(line).data[0];
      const key = rowKey(f[pathIdx], timeIdx >= 0 ? f[timeIdx] : undefined);
      if (seen.has(key)) return void duplicates.push(`${key} (again in ${file})`);
      seen.add(key);
      writeSync(out, line + '\r\n');
      written++;
    });
  }
  closeSync(out);
  if (header?.includes('p2d_raw_neutral')) {
    const run = datasetPriorRun(packManifest(typeof flags.pack === 'string' ? flags.pack : undefined));
    if ('unavailable' in run) console.error(`the shards were adapted one by one; not re-estimated over the merged rows: ${run.unavailable}`);
    else console.error(describeEstimate(adaptStreamedOutputs(run, { csv: flags.out }), run.prior));
  }
  let missing: string[] = [];
  if (typeof flags.inputs === 'string') {
    const input = collectInput(flags.inputs);
    const { labels } = input;
    let { files } = input;
    if (labels?.source === 'ferplus-csv') files = files.filter((f) => labels!.labels.has(labelKey(f)));
    if (typeof flags.limit === 'string') files = files.slice(0, Number(flags.limit));
    missing = files.filter((f) => !seen.has(f));
  }
  console.error(`${written} rows from ${positional.length} files → ${flags.out}; duplicated: ${duplicates.length}${typeof flags.inputs === 'string' ? `; missing: ${missing.length}` : ''}`);
  for (const d of duplicates.slice(0, 20)) console.error(`  duplicate: ${d}`);
  for (const m of missing.slice(0, 20)) console.error(`  missing: ${m}`);
  if (duplicates.length > 20 || missing.length > 20) console.error('  …');
  process.exit(duplicates.length || missing.length ? 1 : 0);
} catch (e) {
  console.error(`batch-merge: ${(e as Error).message}`);
  process.exit(1);
}

/** Calls fn for each line of the first `bytes` bytes of a file, reading 1 MiB at a time. */
function forEachLine(path: string, bytes: number, fn: (line: string, index: number) => void): void {
  const fd = openSync(path, 'r');
  const chunk = Buffer.alloc(1 << 20);
  let carry = '';
  let index = 0;
  const decoder = new StringDecoder('utf8'); // a 1 MiB boundary may split a multi-byte character
  try {
    for (let pos = 0; pos < Math.min(bytes, statSync(path).size); ) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, bytes - pos), pos);
      if (n <= 0) break;
      pos += n;
      const text = carry + decoder.write(chunk.subarray(0, n));
      const lines = text.split('\n');
      carry = lines.pop()!;
      for (const l of lines) fn(l.replace(/\r$/, ''), index++);
    }
    if (carry) fn(carry.replace(/\r$/, ''), index++);
  } finally {
    closeSync(fd);
  }
}
