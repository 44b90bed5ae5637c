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
  release();
  await expect.poll(() => liveFrames(page), { timeout: 90_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('bars-fused').locator('li.top')).toHaveCount(1);
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
});
