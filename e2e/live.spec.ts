// Live webcam demo, driven like a visitor: open the app, pick WASM, start the camera, read the gauges.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { canvasCoverage, expectStopReleasesCamera, expectWebGLContextLossRecovered, liveFrames } from './pageReadings';

async function openAppOnWasm(page: Page, query = '') {
  await page.goto(`/${query}`);
  await expect(page.getByTestId('ep-badge')).not.toHaveText(/loading/, { timeout: 90_000 });
  // Software WebGPU is 50–200× slower than WASM here: live tests force WASM like a user could.
  await page.getByLabel('execution provider').selectOption('wasm');
  await expect(page.getByTestId('ep-badge')).toHaveText('WASM', { timeout: 90_000 });
  await expect(page.getByRole('button', { name: 'Start camera' })).toBeEnabled();
}

test.describe('live mode with a face on the webcam', () => {
  test.use({ fakeVideo: 'afew' });

  test('predictions, VA, 3D face and performance appear; stopping stops inference', async ({ page }) => {
    await openAppOnWasm(page);
    await page.getByRole('button', { name: 'Start camera' }).click();

    // Expression bars: 8 classes with probabilities that sum to 1 and one highlighted top class.
    const fused = page.getByTestId('bars-fused');
    await expect(fused.locator('li.top')).toHaveCount(1, { timeout: 90_000 });
    const probs = await fused.locator('li').evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('data-prob'))));
    expect(probs).toHaveLength(8);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    await expect(page.getByTestId('bars-2d').locator('li.top')).toHaveCount(1);
    // Each bar's drawn length is its probability (a scaleX transform since issue #16, not a width):
    // fill and track measured on screen, in one snapshot with the data-prob of the same render.
    const lengths = await fused.locator('li').evaluateAll((lis) =>
      lis.map((li) => ({
        prob: Number(li.getAttribute('data-prob')),
        drawn: li.querySelector('.fill')!.getBoundingClientRect().width / li.querySelector('.track')!.getBoundingClientRect().width,
      })),
    );
    for (const { prob, drawn } of lengths) expect(Math.abs(drawn - prob)).toBeLessThan(0.01);
    expect(Math.max(...lengths.map((l) => l.drawn))).toBeGreaterThan(0.2);

    // VA is derived from the class probabilities (no VA head in the default pack) and says so.
    await expect(page.getByTestId('va-source')).toHaveText('derived');
    await expect(page.getByTestId('va-dot')).toBeVisible();
    await expect(page.getByTestId('va-values')).toContainText(/valence -?\d\.\d\d, arousal -?\d\.\d\d/);

    // Landmarks tracked and the 3D face drawn from all 478 of them (the landmark mesh; the default
    // ICT head has its own spec, ict-head.spec.ts).
    await page.getByTestId('head-view-landmarks').check();
    await expect(page.getByTestId('face3d-canvas')).toHaveAttribute('data-vertices', '478');
    await expect.poll(() => canvasCoverage(page, 'face3d-canvas'), { timeout: 30_000 }).toBeGreaterThan(0.03);

    // Performance panel shows numbers for FPS and each stage.
    await expect.poll(() => liveFrames(page), { timeout: 60_000 }).toBeGreaterThan(3);
    for (const id of ['perf-fps', 'perf-landmarks', 'perf-crop', 'perf-model2d', 'perf-render']) {
      await expect(page.getByTestId(id)).toHaveText(/^\d+(\.\d+)?( ms)?$/);
    }
    // Its figures are paced (at most twice a second, usePaced.ts) but keep following the results.
    const shownLatency = await page.getByTestId('perf-latency').textContent();
    await expect.poll(() => page.getByTestId('perf-latency').textContent(), { timeout: 15_000 }).not.toBe(shownLatency);

    // A lost WebGL context costs only the 3D view: it says so, predictions go on, and it comes back.
    await expectWebGLContextLossRecovered(page, 'face3d-canvas', 0.03);

    // Smoothing can be turned off and predictions keep coming.
    await page.getByLabel('Temporal smoothing').uncheck();
    const before = await liveFrames(page);
    await expect.poll(() => liveFrames(page), { timeout: 30_000 }).toBeGreaterThan(before);

    await expectStopReleasesCamera(page);
  });
});

test.describe('gauge pacing on a software rasteriser', () => {
  test.use({ fakeVideo: 'afew' });

  test('bars held back by the pacing still end on the newest result', async ({ page, diagnostics }) => {
    // gaugePaceMs=2000 (bench switch, with ?debug for the store hook): the bars and the VA disc
    // change at most every 2 s, so when the camera stops there is nearly always a held result,
    // which must still be shown (by the held timer, since no newer result comes to carry it).
    await openAppOnWasm(page, '?debug&gaugePaceMs=2000');
    await expect(page.getByTestId('perf-gauges-redraw')).toContainText('at most 1/s (software GPU');
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect(page.getByTestId('bars-fused').locator('li.top')).toHaveCount(1, { timeout: 90_000 });
    const framesAt = await liveFrames(page);
    await expect.poll(() => liveFrames(page), { timeout: 60_000 }).toBeGreaterThan(framesAt + 5);
    await page.getByRole('button', { name: 'Stop' }).click();
    // The store's newest fused probabilities and the drawn bars, read in one snapshot, polled.
    const readBoth = () =>
      page.evaluate(() => {
        type Live = { getState: () => { running: boolean; probs: { fused?: Float32Array } } };
        const s = (window as unknown as { __ig3d: { live: Live } }).__ig3d.live.getState();
        const shown = [...document.querySelectorAll('[data-testid=bars-fused] li')].map((li) => li.getAttribute('data-prob'));
        return { running: s.running, expected: s.probs.fused ? [...s.probs.fused].map((p) => p.toFixed(4)) : undefined, shown };
      });
    await expect.poll(async () => (await readBoth()).running, { timeout: 10_000 }).toBe(false);
    await expect
      .poll(async () => {
        const { expected, shown } = await readBoth();
        return expected !== undefined && JSON.stringify(shown) === JSON.stringify(expected);
      }, { timeout: 10_000 })
      .toBe(true);
    expect(diagnostics.pageErrors).toEqual([]);
  });
});

test.describe('live mode with no face on the webcam', () => {
  test.use({ fakeVideo: 'noface' });

  test('says "no face" and shows no prediction', async ({ page }) => {
    await openAppOnWasm(page);
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect(page.getByTestId('live-status')).toHaveText(/No face found/, { timeout: 90_000 });
    await expect(page.getByTestId('bars-fused').locator('li.top')).toHaveCount(0);
    await expect(page.getByTestId('ict-canvas')).toHaveAttribute('data-vertices', '0');
  });
});

test.describe('camera permission denied', () => {
  test('explains how to allow the camera', async ({ page, context }) => {
    await context.clearPermissions();
    await page.addInitScript(() => {
      // The visitor clicks "Block" in the browser's permission prompt.
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    await openAppOnWasm(page);
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect(page.getByTestId('live-status')).toHaveText(/Camera access was denied/);
    await expect(page.getByRole('button', { name: 'Start camera' })).toBeEnabled();
  });

  test('without any camera, says so', async ({ page }) => {
    await page.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
    });
    await openAppOnWasm(page);
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect(page.getByTestId('live-status')).toHaveText(/No camera was found/);
  });
});

test.describe('a camera that is slow to open', () => {
  test.use({ fakeVideo: 'afew' });

  // CI once caught this race: Stop pressed while getUserMedia was still pending was overridden
  // when the stream arrived, and the loop ran with the camera on. Here the browser's answer is
  // held back (as a permission prompt or a slow device would) so the click lands in it every time.
  test('Stop pressed while the camera opens: it stays off and the late stream is closed', async ({ page }) => {
    await page.addInitScript(() => {
      const w = window as unknown as { __releaseCamera: () => void; __cameraStreams: MediaStream[] };
      const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      const held = new Promise<void>((resolve) => (w.__releaseCamera = resolve));
      w.__cameraStreams = [];
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        await held;
        const stream = await real(constraints);
        w.__cameraStreams.push(stream);
        return stream;
      };
    });
    await page.goto('/');
    await expect(page.getByTestId('ep-badge')).not.toHaveText(/loading/, { timeout: 90_000 });
    await page.getByRole('button', { name: 'Start camera' }).click();
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(page.getByTestId('live-status')).toHaveText('Camera is off.');
    await page.evaluate(() => (window as unknown as { __releaseCamera: () => void }).__releaseCamera());
    // The stream did open, and was closed at once.
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __cameraStreams: MediaStream[] }).__cameraStreams.map((s) => s.getTracks().map((t) => t.readyState))))
      .toEqual([['ended']]);
    await page.waitForTimeout(2_000);
    expect(await liveFrames(page)).toBe(0);
    await expect(page.getByTestId('live-status')).toHaveText('Camera is off.');
    await expect(page.getByRole('button', { name: 'Start camera' })).toBeEnabled();
    // And Start works again afterwards.
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect.poll(() => liveFrames(page), { timeout: 90_000 }).toBeGreaterThan(0);
    await expectStopReleasesCamera(page);
  });
});

test.describe('the inference worker crashes while the camera runs', () => {
  test.use({ fakeVideo: 'afew' });

  // As an out-of-memory abort or a bug would: an error nothing in the worker catches. The worker's
  // models cannot be trusted after it; the visitor should not have to reload the page.
  test('the models are opened again in a new worker, the camera resumes, and the visitor is told why; a second crash soon after waits for Retry', async ({ page }) => {
    await openAppOnWasm(page);
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect.poll(() => liveFrames(page), { timeout: 90_000 }).toBeGreaterThan(2);
    const crashed = page.workers().filter((w) => /inference/.test(w.url()));
    expect(crashed).toHaveLength(1);
    await crashed[0].evaluate(() => {
      setTimeout(() => {
        throw new Error('simulated worker crash (e2e)');
      });
    });
    await expect(page.getByTestId('pipeline-notice')).toContainText(/^The inference worker crashed: .*simulated worker crash \(e2e\); the models were opened again in a new worker\./, { timeout: 90_000 });
    await expect(page.getByTestId('ep-badge')).toHaveText('WASM');
    // A new worker runs the camera: frames flow again and faces are found.
    await expect.poll(() => page.workers().filter((w) => /inference/.test(w.url()) && !crashed.includes(w)).length, { timeout: 30_000 }).toBe(1);
    const after = await liveFrames(page);
    await expect.poll(() => liveFrames(page), { timeout: 90_000 }).toBeGreaterThan(after + 2);
    await expect(page.getByTestId('bars-2d').locator('li.top')).toHaveCount(1);
    await expect(page.getByTestId('live-status')).toHaveText('Tracking.');
    await page.getByRole('button', { name: 'Dismiss this notice' }).click();
    await expect(page.getByTestId('pipeline-notice')).toHaveCount(0);

    // The new worker crashes too, soon after: no reopening in a loop; the banner says why, and
    // Retry (the visitor's call) brings the models and the running camera back.
    const crashedAgain = page.workers().filter((w) => /inference/.test(w.url()) && !crashed.includes(w));
    await crashedAgain[0].evaluate(() => {
      setTimeout(() => {
        throw new Error('simulated second crash (e2e)');
      });
    });
    await expect(page.getByTestId('pipeline-error')).toContainText(/simulated second crash \(e2e\), again within 30 s of being opened after a crash, so it was not opened again/, { timeout: 30_000 });
    await page.waitForTimeout(2_000);
    expect(page.workers().filter((w) => /inference/.test(w.url()) && !crashed.includes(w) && !crashedAgain.includes(w))).toHaveLength(0);
    await page.getByTestId('pipeline-error').getByRole('button', { name: 'Retry' }).click();
    await expect(page.getByTestId('ep-badge')).toHaveText('WASM', { timeout: 90_000 });
    await expect(page.getByTestId('pipeline-error')).toHaveCount(0);
    const retried = await liveFrames(page);
    await expect.poll(() => liveFrames(page), { timeout: 90_000 }).toBeGreaterThan(retried + 2);
    await expectStopReleasesCamera(page);
  });
});
