#!/usr/bin/env node
/**
 * Browser smoke test of the inference worker: loads scripts/measure-ferplus-framing.html from a
 * running Vite dev server and processes a photo with ep 'wasm' and 'webgpu'.
 *   npx vite --host 127.0.0.1 --port 5199 &
 *   node scripts/inference-smoke.mjs [--url http://127.0.0.1:5199] [--image ../shared/data/photos/astronaut.png] [--fer2d .cache/fer2d-random.onnx] [--eps wasm,webgpu]
 * --fer2d substitutes a model for models/fer2d.onnx (until the trained one exists).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const base = args.url ?? 'http://127.0.0.1:5199';
const image = resolve(args.image ?? '../shared/data/photos/astronaut.png');
const fer2d = args.fer2d ? resolve(args.fer2d) : undefined;
const eps = (args.eps ?? 'wasm,webgpu').split(',');
const runs = Number(args.runs ?? 5);

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-angle=swiftshader',
  '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
const page = await browser.newPage();
page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.error(`[page ${m.type()}] ${m.text()}`); });
page.on('pageerror', (e) => console.error('[pageerror]', e.message));
// Test inputs are served from disk by Playwright, so nothing from ../shared lands in the repo.
await page.route('**/__test/image', (r) => r.fulfill({ body: readFileSync(image), contentType: 'image/png' }));
if (fer2d) await page.route('**/__test/fer2d.onnx', (r) => r.fulfill({ body: readFileSync(fer2d), contentType: 'application/octet-stream' }));
await page.goto(`${base}/scripts/measure-ferplus-framing.html`);
await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 60_000 });

const summary = {};
for (const ep of eps) {
  const info = await page.evaluate((o) => window.harness.init(o), { ep, fer2dUrl: fer2d ? '/__test/fer2d.onnx' : undefined });
  console.log(`\n== ep ${ep}:`, JSON.stringify(info));
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await page.evaluate(() => window.harness.detect('/__test/image', { mode: 'image' })));
  const video = [];
  for (let i = 0; i < runs; i++) video.push(await page.evaluate(() => window.harness.detect('/__test/image', { mode: 'video' })));
  const r = results[0];
  console.log(JSON.stringify({ detection: r.detection, faceCount: r.faceCount, landmarks: r.landmarkCount, blendshapes: r.blendshapeCount, headPose: r.headPose, box: r.box, logits2d: r.logits2d, va: r.va, notes: r.notes }));
  const med = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const stages = ['landmarks', 'crop', 'model2d', 'fusion', 'total'];
  const timing = (rs) => Object.fromEntries([...stages.map((s) => [s, +med(rs.slice(1).map((x) => x.timings[s] ?? 0)).toFixed(2)]), ['roundTrip', +med(rs.slice(1).map((x) => x.roundTrip)).toFixed(2)]]);
  console.log('image-mode median ms (first run excluded):', JSON.stringify(timing(results)), 'first:', JSON.stringify(results[0].timings));
  console.log('video-mode median ms:', JSON.stringify(timing(video)));
  summary[ep] = { info, logits: r.logits2d };
}
if (summary.wasm?.logits && summary.webgpu?.logits) {
  const d = Math.max(...summary.wasm.logits.map((v, i) => Math.abs(v - summary.webgpu.logits[i])));
  console.log(`\nmax |logit wasm − webgpu| = ${d.toExponential(2)} (ep actually used: ${summary.wasm.info.ep} / ${summary.webgpu.info.ep})`);
}
console.log('bad frames:', JSON.stringify(await page.evaluate(() => window.harness.badFrames())));
console.log('status messages:', JSON.stringify(await page.evaluate(() => window.harness.statuses)));
await page.evaluate(() => window.harness.close());
await browser.close();
