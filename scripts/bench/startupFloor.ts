/**
 * `npm run bench -- startup-floor`: what the stack alone costs to a first prediction on this host,
 * next to the app, in fresh browser profiles (cold visits), variants alternated per round.
 *
 * The floor page (scripts/bench/floor/) has no React and no app code. Its variants add one thing at
 * a time: `page` (a module script runs), `worker` (+ a module worker answers), `landmarker`
 * (+ fetch the .task, create MediaPipe's face landmarker with the CPU delegate, detect once on a
 * 640×480 photo), `ort` (+ fetch fer2d, open it in onnxruntime-web's plain WASM runtime, run once),
 * `both` (landmarker and ORT side by side in one worker, as the app's start-up does). `app` is the
 * app's own cold start-up as the `startup` section measures it (Start clicked as soon as it is
 * enabled, until the first prediction). Why: on a host where first-touching memory is slow (the
 * machine rows), the app's start-up was 7–8.5 s against a 3 s target, and the question is how much
 * of that the app can still remove and how much is the browser and the two runtimes themselves.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, fakeWebcamArgs } from '../lib/chromium.mjs';
import { startStaticServer } from '../cli/staticServer';
import { median, type BenchRow } from './table';
import { cpuSnapshot, sumOf, workBetween, type GroupWork } from './threadCpu';
import { appToFirstPrediction } from './appVisit';

const HERE = dirname(new URL(import.meta.url).pathname);
export const FLOOR_VARIANTS = ['page', 'worker', 'landmarker', 'ort', 'both', 'app'] as const;
type Variant = (typeof FLOOR_VARIANTS)[number];

interface FloorVisit {
  total: number;
  cpuSeconds: number;
  freshMB: number;
  /** CPU seconds per Chromium thread group (threadCpu.ts). */
  groups: Record<string, number>;
  marks?: Record<string, number>;
}

/** The floor page and its bundled worker in a temporary folder (served at /floor/). */
async function floorFolder(photo: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ig3d-floor-'));
  await build({ entryPoints: [join(HERE, 'floor', 'floorWorker.ts')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outfile: join(dir, 'floorWorker.js'), logLevel: 'error' });
  copyFileSync(join(HERE, 'floor', 'floor.html'), join(dir, 'floor.html'));
  copyFileSync(photo, join(dir, 'face.jpg'));
  return dir;
}

export async function benchStartupFloor(opts: { dist: string; camera: string; photo: string; rows: BenchRow[]; json: Record<string, unknown> }): Promise<void> {
  const rounds = Number(process.env.BENCH_FLOOR_ROUNDS ?? 5);
  const variants = (process.env.BENCH_FLOOR_VARIANTS?.split(',') ?? FLOOR_VARIANTS) as Variant[];
  const floor = await floorFolder(opts.photo);
  const ortWasm = readdirSync(join(opts.dist, 'assets')).find((f) => /^ort-wasm-simd-threaded-[\w-]+\.wasm$/.test(f) && !f.includes('asyncify'));
  if (!ortWasm) throw new Error('dist/assets has no plain ort-wasm-simd-threaded wasm');
  const { server, origin } = await startStaticServer({ '/': opts.dist, '/floor/': floor });
  const visits: Record<string, { cold: FloorVisit; warm: FloorVisit }[]> = Object.fromEntries(variants.map((v) => [v, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      // Alternate the order so a drift of the host's speed within a round does not favour one variant.
      const order = r % 2 ? [...variants].reverse() : variants;
      for (const v of order) {
        visits[v].push(await visit(v));
        process.stderr.write(`\rstartup-floor: round ${r + 1}/${rounds}, ${v}        `);
      }
    }
  } finally {
    server.close();
    rmSync(floor, { recursive: true, force: true });
  }
  process.stderr.write('\n');
  for (const kind of ['cold', 'warm'] as const) {
    const section = `start-up floor (${kind === 'cold' ? 'cold: fresh profiles' : 'warm: same profile, 2nd visit'})`;
    for (const v of variants) floorRow(section, v, visits[v].map((x) => x[kind]));
  }
  opts.json.startupFloor = visits;

  function groupNote(xs: FloorVisit[]): string {
    const names = [...new Set(xs.flatMap((x) => Object.keys(x.groups)))];
    return names
      .map((g) => [g, median(xs.map((x) => x.groups[g] ?? 0))] as const)
      .filter(([, s]) => s >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(([g, s]) => `${g} ${s.toFixed(2)}`)
      .join(', ');
  }

  function floorRow(section: string, v: Variant, xs: FloorVisit[]): void {
    const markNames = [...new Set(xs.flatMap((x) => Object.keys(x.marks ?? {})))];
    const markNote = markNames.map((m) => `${m} ${median(xs.map((x) => x.marks?.[m] ?? NaN).filter(Number.isFinite)).toFixed(0)}`).join(', ');
    opts.rows.push({
      section,
      metric: `${v}: navigation → ${v === 'app' ? 'first prediction' : v === 'page' ? 'module script runs' : v === 'worker' ? 'a module worker answers' : 'done'}`,
      value: median(xs.map((x) => x.total)).toFixed(0),
      unit: 'ms',
      note: `median of ${xs.length}, range ${Math.min(...xs.map((x) => x.total))}–${Math.max(...xs.map((x) => x.total))} ms; CPU ${median(xs.map((x) => x.cpuSeconds)).toFixed(2)} s (${groupNote(xs)}), fresh memory ${median(xs.map((x) => x.freshMB)).toFixed(0)} MB${markNote ? `; marks (ms): ${markNote}` : ''}`,
    });
  }

  function floorVisit(ms: number, work: GroupWork, marks?: Record<string, number>): FloorVisit {
    return { total: ms, cpuSeconds: sumOf(work.cpu), groups: work.cpu, freshMB: (sumOf(work.faults) * 4096) / 2 ** 20, marks };
  }

  /** A cold visit in a fresh profile, then a warm one (browser relaunched on the same profile: HTTP cache, compiled code). */
  async function visit(v: Variant): Promise<{ cold: FloorVisit; warm: FloorVisit }> {
    const profile = mkdtempSync(join(tmpdir(), 'ig3d-floor-profile-'));
    try {
      const cold = await once(v, profile);
      return { cold, warm: await once(v, profile) };
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  }

  async function once(v: Variant, profile: string): Promise<FloorVisit> {
    const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...fakeWebcamArgs(opts.camera)], headless: true });
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      if (v === 'app') {
        const { total: ms, work } = await appToFirstPrediction(page, origin);
        return floorVisit(ms, work);
      }
      const cpu0 = cpuSnapshot();
      const t0 = Date.now();
      await page.goto(`${origin}/floor/floor.html?variant=${v}&ortWasm=assets/${ortWasm}`);
      await page.waitForFunction(() => '__floor' in window || '__floorError' in window, undefined, { polling: 10, timeout: 120_000 });
      const ms = Date.now() - t0;
      const work = workBetween(cpu0, cpuSnapshot());
      const got = await page.evaluate(() => {
        const w = window as unknown as { __floor?: { marks?: Record<string, number>; faces?: number; logits?: number }; __floorError?: string };
        return { __floor: w.__floor, __floorError: w.__floorError };
      });
      if (got.__floorError) throw new Error(`floor page (${v}): ${got.__floorError}`);
      if ((v === 'landmarker' || v === 'both') && got.__floor?.faces !== 1) throw new Error(`floor page (${v}): ${got.__floor?.faces} faces found in the photo, expected 1`);
      if ((v === 'ort' || v === 'both') && got.__floor?.logits !== 8) throw new Error(`floor page (${v}): fer2d gave ${got.__floor?.logits} logits, expected 8`);
      return floorVisit(ms, work, got.__floor?.marks);
    } finally {
      await ctx.close();
    }
  }
}
