// Smoke test of the e2e harness itself: the built app is served from its own origin with what it
// needs (cross-origin isolation, WebGPU exposed, runtime wasm and third-party models), the
// off-origin guard works, and the fake webcam plays the video a test asks for.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { FAKE_VIDEO_SIZE, REPO_ROOT, expect, test } from './fixtures';

const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'models.lock.json'), 'utf8')) as {
  models: Array<{ name: string; dest: string; size?: number }>;
};

test.describe('harness', () => {
  test('app loads from its own origin, cross-origin isolated, with WebGPU and WebGL2', async ({ page, diagnostics }) => {
    const res = await page.goto('/');
    expect(res?.status()).toBe(200);
    await expect(page).toHaveTitle(/ig3d/i);
    const env = await page.evaluate(async () => {
      const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
      return {
        gpu: 'gpu' in navigator,
        adapter: adapter ? `${adapter.info.vendor} ${adapter.info.architecture}`.trim() || 'unnamed' : null,
        isolated: crossOriginIsolated,
        webgl2: document.createElement('canvas').getContext('webgl2') !== null,
        threads: typeof SharedArrayBuffer === 'function',
      };
    });
    test.info().annotations.push({ type: 'webgpu adapter', description: String(env.adapter) });
    expect(env).toMatchObject({ gpu: true, isolated: true, webgl2: true, threads: true });
    expect(env.adapter, 'SwiftShader WebGPU adapter (flags in scripts/lib/chromium.mjs)').not.toBeNull();
    expect(diagnostics.offOrigin).toEqual([]);
  });

  test('runtime wasm and third-party models are served by the app itself', async ({ page, context, baseURL }) => {
    // onnxruntime-web's wasm is a hashed build asset; the worker must fetch it from this origin.
    // WASM runs on the plain build; the asyncify build is fetched only when WebGPU is chosen.
    const ortWasm: string[] = [];
    context.on('request', (r) => {
      if (/ort-wasm-simd-threaded(\.asyncify)?-[\w-]+\.wasm$/.test(r.url())) ortWasm.push(r.url());
    });
    await page.goto('/');
    await expect(page.getByTestId('ep-badge')).not.toHaveText(/loading|—/, { timeout: 90_000 });
    expect(ortWasm.length).toBeGreaterThan(0);
    expect(ortWasm.every((u) => u.startsWith(`${baseURL}/`))).toBe(true);
    const wanted = [
      { url: 'vendor/mediapipe/vision_wasm_internal.wasm', type: 'application/wasm' },
      { url: 'vendor/mediapipe/vision_wasm_internal.js', type: 'javascript' },
      ...lock.models.map((m) => ({ url: m.dest.replace(/^public\//, ''), size: m.size })),
    ];
    const served = await page.evaluate(
      (urls) =>
        Promise.all(
          urls.map(async (url) => {
            const r = await fetch(url, { method: 'HEAD' });
            return { url, status: r.status, type: r.headers.get('content-type') ?? '', size: Number(r.headers.get('content-length')) };
          }),
        ),
      wanted.map((w) => w.url),
    );
    for (const [i, w] of wanted.entries()) {
      const s = served[i];
      expect.soft(s.status, `${w.url} (run \`npm run setup\` before the build)`).toBe(200);
      if ('type' in w) expect.soft(s.type, w.url).toContain(w.type);
      if ('size' in w && w.size !== undefined) expect.soft(s.size, w.url).toBe(w.size);
    }
  });

});

test.describe('off-origin guard', () => {
  // The app's own Content Security Policy may stop such requests before they reach the network;
  // the fixture's guard is the second line of defence, so test it with the CSP out of the way.
  test.use({ bypassCSP: true });

  test('off-origin requests from pages and workers are blocked and recorded', async ({ page, diagnostics }) => {
    // Another origin that would answer (CORS/CORP-permissive), so "blocked" cannot just mean "offline".
    const hits: string[] = [];
    const other = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(200, { 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' }).end('ok');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      await page.goto('/');
      const result = await page.evaluate(async (origin) => {
        const fromPage = await fetch(`${origin}/from-page`).then(
          () => 'reached',
          () => 'blocked',
        );
        const src = `fetch('${origin}/from-worker').then(() => postMessage('reached'), () => postMessage('blocked'))`;
        const fromWorker = await new Promise<string>((resolve) => {
          const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
          w.onmessage = (e) => resolve(String(e.data));
          w.onerror = (e) => resolve(`worker error: ${e.message}`);
        });
        return { fromPage, fromWorker };
      }, otherOrigin);
      expect(result).toEqual({ fromPage: 'blocked', fromWorker: 'blocked' });
      expect(hits).toEqual([]);
      expect(diagnostics.offOrigin.sort()).toEqual([`${otherOrigin}/from-page`, `${otherOrigin}/from-worker`]);
      diagnostics.offOrigin.length = 0; // seen and checked; the next test proves teardown enforces it
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  // Listed as ✘ but counted as passed: Playwright inverts the result of a test.fail() test.
  test('guard self-check: an off-origin request fails the test (expected failure)', async ({ page }) => {
    test.fail(true, 'the fixture must fail any test whose page calls another origin');
    await page.goto('/');
    await page.evaluate(() => fetch('https://example.com/leak').catch(() => {}));
  });
});

/** Opens the (fake) webcam in the page and returns its settings and the mean luma of the current frame. */
async function sampleCamera(page: Page) {
  return page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = stream;
    await video.play();
    await new Promise((r) => video.requestVideoFrameCallback(r));
    const s = stream.getVideoTracks()[0].getSettings();
    const canvas = new OffscreenCanvas(160, 120);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(video, 0, 0, 160, 120);
    const px = ctx.getImageData(0, 0, 160, 120).data;
    let r = 0;
    let g = 0;
    let b = 0;
    for (let i = 0; i < px.length; i += 4) {
      r += px[i];
      g += px[i + 1];
      b += px[i + 2];
    }
    const n = px.length / 4;
    stream.getTracks().forEach((t) => t.stop());
    return { width: s.width, height: s.height, frameRate: s.frameRate, luma: (0.299 * r + 0.587 * g + 0.114 * b) / n };
  });
}

test.describe('fake webcam', () => {
  // Mean luma of the 42 AFEW frames: 54..65 (a dim car interior); of testsrc2 (noface): ~127.
  const expected = { afew: [48, 72], noface: [110, 145] } as const;
  for (const video of ['afew', 'noface'] as const) {
    test.describe(video, () => {
      test.use({ fakeVideo: video });
      test(`plays ${video}.y4m`, async ({ page }) => {
        await page.goto('/');
        const cam = await sampleCamera(page);
        expect(cam).toMatchObject({ width: FAKE_VIDEO_SIZE.width, height: FAKE_VIDEO_SIZE.height, frameRate: FAKE_VIDEO_SIZE.fps });
        expect(cam.luma).toBeGreaterThan(expected[video][0]);
        expect(cam.luma).toBeLessThan(expected[video][1]);
      });
    });
  }

  test('fakeVideo null (the default): no camera', async ({ page }) => {
    await page.goto('/');
    const err = await page.evaluate(() =>
      navigator.mediaDevices.getUserMedia({ video: true }).then(
        () => 'got a camera',
        (e: Error) => e.name,
      ),
    );
    expect(err).toBe('NotFoundError');
  });
});
