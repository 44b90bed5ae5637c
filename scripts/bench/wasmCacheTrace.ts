/**
 * Does a visit reuse V8's compiled WebAssembly (the wasm code cache)? Visits a build 3 times in one
 * profile (cold, 2nd, 3rd), each in a fresh Chromium with a start-up trace (categories v8.wasm and
 * V8's compile events), up to the first prediction, and counts per visit the wasm cache events
 * (v8.wasm.moduleCacheHit / cachedModule / compiledModule …), wasm compile events and their time.
 *
 *   npx tsx scripts/bench/wasmCacheTrace.ts <dist/> [<dist/> …]     (WASM_TRACE_DIR keeps the traces)
 *   WASM_TRACE_SERVER=preview: serve like `vite preview` (COOP/COEP, no CORP, no Cache-Control)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, fakeWebcamArgs } from '../lib/chromium.mjs';
import { startStaticServer } from '../cli/staticServer';
import { FIXTURES_DIR, ensureFixtures } from '../../e2e/global-setup';

const CATEGORIES = 'v8.wasm,disabled-by-default-v8.wasm.detailed,disabled-by-default-v8.compile,devtools.timeline,v8';

interface TraceEvent { name: string; cat: string; ph: string; dur?: number; args?: Record<string, unknown> }

function summarise(file: string): Record<string, { n: number; ms: number }> {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(raw) ? raw : raw.traceEvents;
  const out: Record<string, { n: number; ms: number }> = {};
  for (const e of events) {
    if (!/wasm/i.test(e.name) && !/wasm/i.test(e.cat)) continue;
    const s = (out[e.name] ??= { n: 0, ms: 0 });
    s.n++;
    s.ms += (e.dur ?? 0) / 1000;
  }
  return out;
}

async function visit(profile: string, origin: string, traceFile: string, camera: string): Promise<number> {
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...fakeWebcamArgs(camera), `--trace-startup=${CATEGORIES}`, `--trace-startup-file=${traceFile}`, '--trace-startup-duration=0', '--trace-startup-format=json'],
  });
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    const t0 = Date.now();
    await page.goto(`${origin}/index.html`);
    await page.getByRole('button', { name: 'Start camera' }).click({ timeout: 120_000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=live-status]')?.getAttribute('data-frames')) > 0, undefined, { polling: 10, timeout: 120_000 });
    const total = Date.now() - t0;
    await page.waitForFunction(() => /offline/i.test(document.body.textContent ?? ''), undefined, { timeout: 60_000 }).catch(() => undefined);
    // Tier-up and the code cache write happen in the background after the first prediction.
    await page.waitForTimeout(Number(process.env.WASM_TRACE_LINGER_MS ?? 8000));
    return total;
  } finally {
    await ctx.close(); // the start-up trace is written when the browser exits
  }
}

async function main(): Promise<void> {
  ensureFixtures();
  const camera = join(FIXTURES_DIR, 'afew-30fps.y4m');
  const dir = process.env.WASM_TRACE_DIR ?? mkdtempSync(join(tmpdir(), 'ig3d-wasmtrace-'));
  const dists = process.argv.slice(2);
  for (const [i, dist] of dists.entries()) {
    const { server, origin } = await startStaticServer({ '/': dist }, { headers: process.env.WASM_TRACE_SERVER === 'preview' ? 'vite-preview' : 'app' });
    const profile = mkdtempSync(join(tmpdir(), 'ig3d-wasmtrace-profile-'));
    try {
      for (const v of ['cold', 'visit2', 'visit3']) {
        const file = join(dir, `d${i}-${v}.json`);
        const ms = await visit(profile, origin, file, camera);
        const s = summarise(file);
        console.log(`\n${dist} ${v}: first prediction ${ms} ms; trace ${file}`);
        for (const [name, { n, ms: t }] of Object.entries(s).sort((a, b) => b[1].ms - a[1].ms)) console.log(`  ${name.padEnd(48)} ${String(n).padStart(6)}  ${t.toFixed(1)} ms`);
      }
    } finally {
      server.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
