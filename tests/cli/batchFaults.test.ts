/**
 * Issue #15: the batch CLI survives faults. Node integration tests that spawn the real CLI
 * (headless Chromium, the app's pipeline) on 40 FER+ Test images. They need `dist/` (npm test
 * builds before vitest). The fault table is printed to the console for the closing note.
 */
import { appendFileSync, cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, completeRows, descendants, duplicates, fixtureFolder, killQuietly, readResults, requireBuild, sameRows, startBatch, waitFor } from './cliHarness';

const N = 40;
let dir: string;
let images: string;
let reference: Record<string, string>[];

/** Seeded so a failure can be replayed (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = Number(process.env.FAULT_SEED ?? 15);

describe('batch CLI under faults', () => {
  beforeAll(async () => {
    requireBuild();
    dir = fixtureFolder(N);
    images = join(dir, 'images');
    const ref = join(dir, 'reference.csv');
    const { code, stderr } = await startBatch([images, '--out', ref, '--whole-image-fallback']).done;
    expect(code, stderr).toBe(0);
    reference = readResults(ref).rows;
    expect(reference).toHaveLength(N);
  }, 180_000);

  it('kill -9 at random points, then --resume: same rows as an uninterrupted run, none twice', async () => {
    const out = join(dir, 'killed.csv');
    const features = join(dir, 'killed-features.csv');
    const jsonl = join(dir, 'killed-rows.jsonl');
    const random = rng(SEED);
    // One kill while Chromium starts (random delay, before any row), then three at random row counts.
    const rowTargets = [3 + Math.floor(random() * 10), 15 + Math.floor(random() * 10), 28 + Math.floor(random() * 10)];
    const table: string[] = [];
    const kills: ({ afterMs: number } | { atRows: number })[] = [{ afterMs: 500 + Math.floor(random() * 3000) }, ...rowTargets.map((atRows) => ({ atRows }))];
    for (const [i, kill] of kills.entries()) {
      const run = startBatch([images, '--out', out, '--features', features, '--jsonl', jsonl, '--whole-image-fallback', ...(i > 0 ? ['--resume'] : [])]);
      const before = completeRows(out);
      if ('afterMs' in kill) await new Promise((r) => setTimeout(r, kill.afterMs));
      else await waitFor(() => completeRows(out) >= kill.atRows, `${kill.atRows} rows`);
      const tree = descendants(run.child.pid!);
      run.child.kill('SIGKILL');
      const { signal } = await run.done;
      tree.forEach((p) => killQuietly(p.pid)); // the orphaned Chromium of the killed CLI
      const text = existsSync(out) ? readFileSync(out, 'utf8') : '';
      const partial = text.length > 0 && !text.endsWith('\n');
      table.push(`kill ${i + 1}: SIGKILL ${'afterMs' in kill ? `${kill.afterMs} ms after start` : `at ≥ ${kill.atRows} rows`} → ${signal}; rows on disk ${before} → ${completeRows(out)}${partial ? ' + a partial row' : ''}`);
    }
    // A kill in the middle of a write leaves half a row: make sure that case is exercised too.
    const lines = readFileSync(out, 'utf8').split('\n');
    const half = reference.find((r) => !lines.some((l) => l.startsWith(r.path + ',')));
    if (half) appendFileSync(out, `${half.path},,,ok,,as-is,1,`);
    // The same for the JSON Lines: half a line of a row it does not have yet.
    const jsonlText = readFileSync(jsonl, 'utf8');
    const halfJson = reference.find((r) => !jsonlText.includes(`"path":${JSON.stringify(r.path)}`));
    if (halfJson) appendFileSync(jsonl, `{"id":0,"path":${JSON.stringify(halfJson.path)},"status":"o`);
    const final = await startBatch([images, '--out', out, '--features', features, '--jsonl', jsonl, '--whole-image-fallback', '--resume']).done;
    expect(final.code, final.stderr).toBe(0);
    if (half) expect(final.stderr).toMatch(/killed\.csv: last row .* has no line end; cut it off/);
    if (halfJson) expect(final.stderr).toMatch(/killed-rows\.jsonl: last line .* has no line end; cut it off/);
    const got = readResults(out).rows;
    table.push(`final --resume: rows expected ${N}, found ${got.length}, duplicates ${duplicates(got).length}${half ? ' (a half-written row was planted and cut)' : ''}`);
    console.log(`fault table (seed ${SEED}):\n  ${table.join('\n  ')}`);
    expect(duplicates(got)).toEqual([]);
    expect(sameRows(got, reference)).toEqual([]);
    // features.csv: one line per face, none twice.
    const feats = readResults(features).rows;
    expect(duplicates(feats)).toEqual([]);
    expect(feats.length).toBe(reference.filter((r) => r.status === 'ok').length);
    // rows.jsonl: exactly one parseable line per input, agreeing with the results CSV.
    const jsonRows = readFileSync(jsonl, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { path: string; status: string; fused?: number[] });
    console.log(`  jsonl: lines expected ${N}, found ${jsonRows.length}, duplicates ${duplicates(jsonRows.map((r) => ({ path: r.path }))).length}${halfJson ? ' (a half-written line was planted and cut)' : ''}`);
    expect(duplicates(jsonRows.map((r) => ({ path: r.path })))).toEqual([]);
    expect(jsonRows.map((r) => r.path).sort()).toEqual(reference.map((r) => r.path).sort());
    const byPath = new Map(got.map((r) => [r.path, r]));
    for (const r of jsonRows) {
      expect(r.status).toBe(byPath.get(r.path)!.status);
      if (r.fused) expect(r.fused[0]).toBeCloseTo(Number(byPath.get(r.path)!.pfused_neutral), 5);
    }
  }, 600_000);

  it('the headless browser dies mid-run: the CLI relaunches it, redoes the rows in flight and finishes', async () => {
    const out = join(dir, 'browser-killed.csv');
    const run = startBatch([images, '--out', out, '--whole-image-fallback']);
    await waitFor(() => completeRows(out) >= 10, '10 rows');
    // The browser's main process: a chromium whose parent is the CLI itself.
    const browser = descendants(run.child.pid!).find((p) => p.ppid === run.child.pid && /chrom/i.test(p.comm));
    expect(browser, 'the Chromium main process').toBeDefined();
    const rowsAtKill = completeRows(out);
    killQuietly(browser!.pid);
    const { code, stderr } = await run.done;
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/headless browser died .*relaunching it/);
    const got = readResults(out).rows;
    console.log(`fault table: SIGKILL of Chromium's main process at ${rowsAtKill} rows → relaunched; rows expected ${N}, found ${got.length}, duplicates ${duplicates(got).length}`);
    expect(duplicates(got)).toEqual([]);
    expect(sameRows(got, reference)).toEqual([]);
  }, 300_000);

  it('a worker in the pool dies (closes itself): its item becomes an error row with the reason, the run finishes', async () => {
    const out = join(dir, 'worker-closed.csv');
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli/batch.ts', images, '--out', out, '--whole-image-fallback', '--item-timeout', '10'], {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, IG3D_TEST_CLOSE_WORKER_AT_ROWS: '10' },
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/\[test hook\] closed inference worker/);
    const got = readResults(out).rows;
    const errors = got.filter((r) => r.status === 'error');
    console.log(`fault table: inference worker closed at 10 rows → rows expected ${N}, found ${got.length}, error rows ${errors.length} (${errors.map((r) => r.reason).join(' | ')}), duplicates ${duplicates(got).length}`);
    expect(duplicates(got)).toEqual([]);
    expect(got).toHaveLength(N);
    expect(errors).toHaveLength(1);
    expect(errors[0].reason).toMatch(/the inference worker crashed on this item \(no answer in 10 s\)/);
    // Every other row is what the uninterrupted run found, as the net gave it; the batch's class mix
    // (the default pack adapts to it) is estimated over the images that have an answer, one fewer here.
    expect(sameRows(got.filter((r) => r.status !== 'error'), reference.filter((r) => r.path !== errors[0].path), { asTrained: true })).toEqual([]);
    const answered = got.filter((r) => r.p2d_raw_neutral).length;
    expect(new Set(got.filter((r) => r.p2d_raw_neutral).map((r) => r.calibration))).toEqual(new Set([`fer2d: dataset prior (EM over ${answered} images)`]));
  }, 300_000);

  it('a corrupt image and a broken link in the folder: each becomes an error row with its reason, the others are unchanged', async () => {
    const bad = join(dir, 'with-bad');
    cpSync(images, bad, { recursive: true });
    writeFileSync(join(bad, 'corrupt.png'), Buffer.from('\x89PNG\r\n\x1a\nthis is not an image'));
    symlinkSync(join(dir, 'nowhere.png'), join(bad, 'broken-link.png'));
    const out = join(dir, 'with-bad.csv');
    const { code, stderr } = await startBatch([bad, '--out', out, '--whole-image-fallback']).done;
    expect(code, stderr).toBe(0);
    const got = readResults(out).rows;
    expect(got).toHaveLength(N + 2);
    const reasons = Object.fromEntries(got.filter((r) => r.status === 'error').map((r) => [r.path, r.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['broken-link.png', 'corrupt.png']);
    expect(reasons['broken-link.png']).toMatch(/cannot read broken-link\.png: ENOENT/);
    expect(reasons['corrupt.png']).not.toBe('');
    console.log(`fault table: corrupt image and broken link → error rows: ${JSON.stringify(reasons)}`);
    expect(sameRows(got.filter((r) => r.status !== 'error'), reference, { asTrained: true })).toEqual([]);
  }, 300_000);

  it('shards 1/2 and 2/2 are disjoint and batch-merge joins them into one row per input', async () => {
    const s = [1, 2].map((k) => join(dir, `shard${k}.csv`));
    for (const [i, path] of s.entries()) {
      const { code, stderr } = await startBatch([images, '--out', path, '--whole-image-fallback', '--shard', `${i + 1}/2`]).done;
      expect(code, stderr).toBe(0);
    }
    const [a, b] = s.map((p) => readResults(p).rows);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(a.filter((r) => b.some((o) => o.path === r.path))).toEqual([]);
    const merged = join(dir, 'merged.csv');
    const ok = await mergeCli([...s, '--out', merged, '--inputs', images]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/duplicated: 0; missing: 0/);
    expect(sameRows(readResults(merged).rows, reference)).toEqual([]);
    // The merge reports what is wrong: a shard given twice, a shard left out.
    const twice = await mergeCli([s[0], s[0], s[1], '--out', merged, '--inputs', images]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(`duplicated: ${a.length}; missing: 0`);
    const oneShard = await mergeCli([s[0], '--out', merged, '--inputs', images]);
    expect(oneShard.code).toBe(1);
    expect(oneShard.stderr).toContain(`duplicated: 0; missing: ${b.length}`);
  }, 300_000);

  it('an unwritable output fails at start with a clear message; a full disk fails at the write', async () => {
    const missingDir = await startBatch([images, '--out', join(dir, 'no/such/dir/out.csv')]).done;
    expect(missingDir.code).toBe(1);
    expect(missingDir.stderr).toMatch(/cannot write .*out\.csv: the folder .* does not exist/);
    const isDir = await startBatch([images, '--out', dir]).done;
    expect(isDir.code).toBe(1);
    expect(isDir.stderr).toMatch(/cannot open .* for writing \(EISDIR\)/);
    const full = await startBatch([images, '--out', '/dev/full', '--limit', '4']).done;
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/writing \/dev\/full failed: the disk is full \(ENOSPC\)/);
  }, 120_000);
});

async function mergeCli(args: string[]) {
  const { spawn } = await import('node:child_process');
  const { REPO } = await import('./cliHarness');
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli/merge.ts', ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  return { code, stderr };
}

