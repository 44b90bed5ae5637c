/** Helpers for the CLI integration tests: spawn `npm run batch` in-process-tree, read outputs, find children. */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Papa from 'papaparse';

export const REPO = resolve(__dirname, '../..');
const FERPLUS_TEST = resolve(REPO, '../shared/data/ferplus/Test');

/** A folder with the first `n` FER+ Test images (sorted), no labels. */
export function fixtureFolder(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'ig3d-cli-'));
  const src = join(dir, 'images');
  mkdirSync(src);
  for (const f of readdirSync(FERPLUS_TEST).filter((f) => f.endsWith('.png')).sort().slice(0, n)) copyFileSync(join(FERPLUS_TEST, f), join(src, f));
  return dir;
}

export function requireBuild(): void {
  if (!existsSync(join(REPO, 'dist/cli.html'))) throw new Error('dist/cli.html is missing: run `npx vite build` before these tests (npm test does)');
}

export interface CliRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** One node process (no tsx wrapper process), so SIGKILL hits the CLI itself. */
export function startBatch(args: string[]): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli/batch.ts', ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((r) => child.on('exit', (code, signal) => r({ code, signal, stderr })));
  return { child, done };
}

/** Data rows (complete lines after the header) currently in a file. */
export function completeRows(path: string): number {
  if (!existsSync(path)) return 0;
  const text = readFileSync(path, 'utf8');
  return Math.max(0, text.split('\n').length - 2);
}

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every descendant pid of `pid` (Linux /proc), with its command name. */
export function descendants(pid: number): { pid: number; comm: string; ppid: number }[] {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat)!;
      return [{ pid: Number(d), comm: m[1], ppid: Number(m[2]) }];
    } catch {
      return [];
    }
  });
  const out: typeof all = [];
  const frontier = [pid];
  while (frontier.length) {
    const p = frontier.pop()!;
    for (const c of all.filter((x) => x.ppid === p)) {
      out.push(c);
      frontier.push(c.pid);
    }
  }
  return out;
}

export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** Parsed results CSV: header plus rows keyed by path. */
export function readResults(path: string): { header: string[]; rows: Record<string, string>[] } {
  const parsed = Papa.parse<Record<string, string>>(readFileSync(path, 'utf8'), { header: true, skipEmptyLines: true });
  return { header: parsed.meta.fields ?? [], rows: parsed.data };
}

/**
 * Same rows as the reference: same set of paths, same status, probabilities within float formatting.
 * `asTrained` compares the net's own answers (p2d_raw_*, pred_fused_raw, p3d_*) of a dataset-prior
 * run: its adapted columns depend on which rows the batch has, so two batches with different rows
 * (an item lost to a dead worker) agree on those only.
 */
export function sameRows(a: Record<string, string>[], b: Record<string, string>[], opts: { asTrained?: boolean } = {}): string[] {
  const fused = opts.asTrained ? 'pred_fused_raw' : 'pred_fused';
  const probs = opts.asTrained ? /^(p2d_raw|p3d)_/ : /^(p2d|p3d|pfused)_/;
  const problems: string[] = [];
  const byPath = new Map(b.map((r) => [r.path, r]));
  if (a.length !== b.length) problems.push(`${a.length} rows vs ${b.length}`);
  for (const r of a) {
    const o = byPath.get(r.path);
    if (!o) {
      problems.push(`${r.path} missing`);
      continue;
    }
    if (r.status !== o.status || r[fused] !== o[fused]) problems.push(`${r.path}: ${r.status}/${r[fused]} vs ${o.status}/${o[fused]}`);
    for (const k of Object.keys(r).filter((k) => probs.test(k)))
      if (Math.abs(Number(r[k] || 0) - Number(o[k] || 0)) > 1e-5) problems.push(`${r.path}.${k}: ${r[k]} vs ${o[k]}`);
  }
  return problems;
}

export function duplicates(rows: Record<string, string>[]): string[] {
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(r.path) ? true : (seen.add(r.path), false))).map((r) => r.path);
}
