#!/usr/bin/env node
/**
 * Where do FER+ faces sit in their 48x48 frame? Runs the app's own landmarker (in headless
 * Chromium, in the inference worker, 'image' mode with the padded fallback) over FER+ Valid
 * images and prints the median eye centres and mouth centre as fractions of the image. These
 * are the `aligned` crop template for models trained on FER+, so webcam crops match.
 *
 *   npx vite --host 127.0.0.1 --port 5199 &
 *   node scripts/measure-ferplus-framing.mjs [--n 300] [--dir ../shared/data/ferplus/Valid] [--url http://127.0.0.1:5199]
 *
 * Anchor definitions (src/core/crop/landmarkSets.ts): eye centre = mean of the 16 eye-contour
 * landmarks; mouth centre = mean of the two mouth corners; "leftEye" = the eye on the image left.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const base = args.url ?? 'http://127.0.0.1:5199';
const dir = resolve(args.dir ?? '../shared/data/ferplus/Valid');
const n = Number(args.n ?? 300);

// Drop images whose vote majority is unknown / not-a-face (FER+ protocol), then take an even spread.
const labels = new Map();
try {
  for (const line of readFileSync(join(dir, 'label.csv'), 'utf8').split('\n')) {
    const m = line.match(/^([^,]+\.png),"[^"]*",(.*)$/);
    if (m) labels.set(m[1], m[2].split(',').map(Number));
  }
} catch {
  console.error('no label.csv: using all images');
}
const isFace = (f) => {
  const v = labels.get(f);
  if (!v) return true;
  const max = Math.max(...v);
  return v.indexOf(max) < 8;
};
const all = readdirSync(dir).filter((f) => f.endsWith('.png') && isFace(f)).sort();
const step = Math.max(1, all.length / n);
const files = Array.from({ length: Math.min(n, all.length) }, (_, i) => all[Math.floor(i * step)]);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-angle=swiftshader', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
page.on('pageerror', (e) => console.error('[pageerror]', e.message));
// Images are served from disk by Playwright: nothing from ../shared is copied into the repo.
await page.route('**/__ferplus/*', (r) => r.fulfill({ body: readFileSync(join(dir, decodeURIComponent(r.request().url().split('/').pop()))), contentType: 'image/png' }));
await page.goto(`${base}/scripts/measure-ferplus-framing.html`);
await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 60_000 });
await page.evaluate(() => window.harness.init({ ep: 'wasm', landmarkerOnly: true }));

const found = { 'as-is': 0, padded: 0, none: 0 };
const pts = { leftEye: [], rightEye: [], mouth: [] };
const t0 = Date.now();
for (const f of files) {
  const r = await page.evaluate((u) => window.harness.detect(u, { mode: 'image', anchors: true }), `/__ferplus/${encodeURIComponent(f)}`);
  found[r.detection]++;
  if (r.anchors) for (const k of Object.keys(pts)) pts[k].push(r.anchors[k]);
}
await browser.close();

const q = (xs, p) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const r3 = (x) => Math.round(x * 1000) / 1000;
console.log(`FER+ framing from ${files.length} Valid images (${((Date.now() - t0) / 1000).toFixed(0)} s): detection ${JSON.stringify(found)}`);
const template = {};
for (const [k, list] of Object.entries(pts)) {
  const xs = list.map((p) => p[0]);
  const ys = list.map((p) => p[1]);
  template[k] = [r3(q(xs, 0.5)), r3(q(ys, 0.5))];
  console.log(`${k.padEnd(9)} median (${r3(q(xs, 0.5))}, ${r3(q(ys, 0.5))})  IQR x ${r3(q(xs, 0.25))}..${r3(q(xs, 0.75))}  y ${r3(q(ys, 0.25))}..${r3(q(ys, 0.75))}`);
}
console.log('\nmanifest crop recipe:');
console.log(JSON.stringify({ kind: 'aligned', ...template }));
