// Start-up (issue #16): the camera can be started while the models still load; the first
// prediction follows once they are up. The 2D model's download is held back so the click
// lands during loading on any machine.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { expectStopReleasesCamera, liveFrames } from './pageReadings';

test.use({ fakeVideo: 'afew' });

/** Holds the 2D model's download until the returned function is called. */
async function holdBackModel2d(page: Page): Promise<() => void> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/models/fer2d.onnx', async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

/** Whether the page has requested the 3D view's three.js chunk. */
async function threeJsRequested(page: Page): Promise<boolean> {
  return page.evaluate(() => performance.getEntriesByType('resource').some((r) => /useWebGLRenderer|Head3DPanel/.test(r.name)));
}

test('Start pressed while the models load: the camera opens, predictions follow once they are up', async ({ page }) => {
  const release = await holdBackModel2d(page);
  await page.goto('/');
  const start = page.getByRole('button', { name: 'Start camera' });
  await expect(page.getByTestId('live-status')).toHaveText('Loading models…');
  await expect(start).toBeEnabled();
  await start.click();
  // The camera runs, no prediction yet: the pipeline is still waiting for its 2D model.
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
  await expect(page.getByTestId('live-status')).toHaveText('Loading models…');
  expect(await liveFrames(page)).toBe(0);
  // The 3D view (three.js, a WebGL context) waits for the first prediction: the CPU goes to the models.
  await expect(page.getByTestId('head3d-deferred')).toBeVisible();
  await expect(page.getByTestId('head-view-ict')).toHaveCount(0);
  expect(await threeJsRequested(page)).toBe(false);
  release();
  await expect.poll(() => liveFrames(page), { timeout: 90_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('bars-fused').locator('li.top')).toHaveCount(1);
  // Then it opens, with its switch.
  await expect(page.getByTestId('head-view-ict')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('head3d-deferred')).toHaveCount(0);
  await expectStopReleasesCamera(page);
});

test('Stop pressed while the models load: no inference starts when they are up', async ({ page }) => {
  const release = await holdBackModel2d(page);
  await page.goto('/');
  await page.getByRole('button', { name: 'Start camera' }).click();
  await page.getByRole('button', { name: 'Stop' }).click();
  release();
  await expect(page.getByTestId('ep-badge')).not.toHaveText(/loading/, { timeout: 90_000 });
  await expect(page.getByTestId('live-status')).toHaveText('Camera is off.');
  // Give a started loop time to show itself; none must.
  await page.waitForTimeout(2000);
  expect(await liveFrames(page)).toBe(0);
  await expect(page.getByRole('button', { name: 'Start camera' })).toBeEnabled();
  // With the camera off, the 3D view opens once the models are up.
  await expect(page.getByTestId('head-view-ict')).toBeVisible({ timeout: 30_000 });
});

// The 3D view staying open while an EP switch reloads the models: webgpu.spec.ts (forcing WebGPU is
// the only switch that reopens the pack on this software adapter).
