// Issue #16: Auto picks the fastest backend that works here (WASM on the CI browser's software
// WebGPU adapter, in live mode and in the Batch tab, and says why), and camera frames reach the
// worker as CPU pixels — read by the worker itself from a transferred MediaStreamTrackProcessor
// stream, handed over by the page where that stream does not transfer, or a canvas where the
// browser lacks MediaStreamTrackProcessor;
// on a software GPU the preview shows the analysed frames instead of the 30 fps video. Forcing the
// EP that already runs is instant; another one reopens the pack.
import type { Page } from '@playwright/test';
import { expect, STILLS, test } from './fixtures';
import { expectStopReleasesCamera, liveFrames } from './pageReadings';

/** Open the app on the default preference (Auto) and wait for the models. */
async function openOnAuto(page: Page) {
  await page.goto('/');
  await expect(page.getByLabel('execution provider')).toHaveValue('auto');
  await expect(page.getByTestId('ep-badge')).not.toHaveText(/loading|—/, { timeout: 90_000 });
}

async function expectAutoChoseWasmBecauseSoftware(page: Page) {
  // The CI browser's only WebGPU adapter is SwiftShader: Auto must not pick it, and must say why.
  await expect(page.getByTestId('ep-badge')).toHaveText('WASM (auto)');
  await expect(page.getByTestId('ep-note')).toContainText(/auto: WebGPU adapter is software \(SwiftShader\)/);
}

/**
 * Opaque pixels of the preview canvas as shown and how many distinct grey levels they span (a photo
 * spans many). Read through a copy: the overlay hands its drawing to an OffscreenCanvas
 * (components/cpuOverlay.ts), and drawing the page canvas gives what it shows.
 */
const previewPixels = (page: Page) =>
  page.getByTestId('landmark-overlay').evaluate((c: HTMLCanvasElement) => {
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const ctx = copy.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(c, 0, 0);
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let opaque = 0;
    const levels = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 7) {
      if (data[i + 3] === 255) opaque++;
      levels.add((data[i] + data[i + 1] + data[i + 2]) >> 4);
    }
    return { opaqueShare: opaque / Math.ceil(data.length / 28), levels: levels.size };
  });

/**
 * On the CI browser's software GPU the preview shows each analysed frame with its landmarks
 * instead of the 30 fps <video> (fewer composited frames leave the CPU to inference), and says so.
 */
async function expectAnalysedFramePreview(page: Page) {
  await expect(page.getByTestId('preview')).toHaveAttribute('data-preview', 'analysed');
  await expect(page.getByTestId('perf-preview')).toContainText('software GPU (SwiftShader)');
  await expect(page.getByTestId('landmark-overlay')).toHaveAttribute('data-shown-frame', 'true');
  const px = await previewPixels(page);
  expect(px.opaqueShare).toBeGreaterThan(0.99); // the whole frame is drawn, not only the mesh
  expect(px.levels).toBeGreaterThan(20);
  await expect(page.getByTestId('video')).toBeHidden();
}

/** Predictions arrive, the panel names the frame path; Stop ends inference and the camera. */
async function runAndStop(page: Page, framePath: 'track-processor-worker' | 'track-processor' | 'canvas') {
  await page.getByRole('button', { name: 'Start camera' }).click();
  await expect(page.getByTestId('bars-fused').locator('li.top')).toHaveCount(1, { timeout: 90_000 });
  await expect.poll(() => liveFrames(page), { timeout: 60_000 }).toBeGreaterThan(3);
  await expect(page.getByTestId('perf-frame-path')).toHaveText(framePath);
  await expect(page.getByTestId('perf-latency')).toHaveText(/^\d+(\.\d+)? ms$/);
  await expectAnalysedFramePreview(page);

  await expectStopReleasesCamera(page);
  // Stopped: the last frame does not stay on screen.
  await expect(page.getByTestId('landmark-overlay')).toHaveAttribute('data-shown-frame', 'false');
  expect((await previewPixels(page)).opaqueShare).toBe(0);
}

test.describe('live mode on Auto', () => {
  test.use({ fakeVideo: 'afew' });

  test('Auto picks WASM on a software WebGPU adapter; forcing WASM and going back to Auto reload nothing; the worker reads the camera through MediaStreamTrackProcessor', async ({ page }) => {
    await openOnAuto(page);
    await expectAutoChoseWasmBecauseSoftware(page);
    expect(await page.evaluate(() => 'MediaStreamTrackProcessor' in window)).toBe(true);

    // Every text the badge shows from here on: a reload would pass through "loading…".
    await page.getByTestId('ep-badge').evaluate((badge) => {
      const seen: string[] = [];
      (window as unknown as { __badge: string[] }).__badge = seen;
      new MutationObserver(() => seen.push(badge.textContent ?? '')).observe(badge, { subtree: true, childList: true, characterData: true });
    });
    await page.getByLabel('execution provider').selectOption('wasm');
    await expect(page.getByTestId('ep-badge')).toHaveText('WASM');
    await expect(page.getByTestId('ep-note')).toHaveCount(0); // Auto's reason no longer applies
    expect(new Set(await page.evaluate(() => (window as unknown as { __badge: string[] }).__badge))).toEqual(new Set(['WASM']));

    // Back to Auto: Auto would choose WASM again here, so nothing reopens and its reason is back.
    await page.getByLabel('execution provider').selectOption('auto');
    await expectAutoChoseWasmBecauseSoftware(page);
    expect(new Set(await page.evaluate(() => (window as unknown as { __badge: string[] }).__badge))).toEqual(new Set(['WASM', 'WASM (auto)']));

    // The kept pipeline runs the camera (forcing another EP reopens the pack: startup.spec.ts).
    await runAndStop(page, 'track-processor-worker');
  });

  test('where the camera stream cannot be transferred to the worker, the page hands it the frames', async ({ page }) => {
    // As a browser without transferable streams answers: postMessage throws DataCloneError.
    await page.addInitScript(() => {
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
        if ((message as { type?: string } | null)?.type === 'liveStart') throw new DOMException('ReadableStream could not be cloned.', 'DataCloneError');
        return (post as (...a: unknown[]) => void).call(this, message, ...rest);
      } as typeof Worker.prototype.postMessage;
    });
    await openOnAuto(page);
    await runAndStop(page, 'track-processor');
  });

  test('without MediaStreamTrackProcessor the canvas path still gives predictions', async ({ page }) => {
    await page.addInitScript(() => {
      delete (window as { MediaStreamTrackProcessor?: unknown }).MediaStreamTrackProcessor;
    });
    await openOnAuto(page);
    expect(await page.evaluate(() => 'MediaStreamTrackProcessor' in window)).toBe(false);
    await runAndStop(page, 'canvas');
  });
});

test.describe('the Batch tab lends the live worker', () => {
  test.use({ fakeVideo: 'afew' });

  test('a short run on Auto runs on the live view\'s worker (WASM, and says why); the live view then runs the camera on it as before', async ({ page }) => {
    await openOnAuto(page);
    await expectAutoChoseWasmBecauseSoftware(page);
    await page.getByTestId('tab-batch').click();
    await page.getByTestId('batch-files-input').setInputFiles([STILLS.face, STILLS.noface]);
    await expect(page.getByTestId('batch-pool-note')).toHaveAttribute('data-lent-worker', 'true');
    await page.getByTestId('batch-start').click();
    // Two stills run on the live view's worker, which Auto put on WASM.
    await expect(page.getByTestId('batch-notes')).toContainText(/the live view's worker \(models already loaded\) on WASM \(auto: WebGPU adapter is software \(SwiftShader\)/, { timeout: 90_000 });
    await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-state', 'finished', { timeout: 120_000 });
    await expect(page.getByTestId('results-count')).toHaveAttribute('data-total', '2');
    expect(page.workers().filter((w) => /inference/.test(w.url()))).toHaveLength(1);

    // Back on the Live tab, the same worker runs the camera (nothing was reopened: the badge stayed).
    await page.getByTestId('tab-live').click();
    await expect(page.getByTestId('ep-badge')).toHaveText('WASM (auto)');
    await runAndStop(page, 'track-processor-worker');
  });
});
