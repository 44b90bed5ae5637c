// The face landmarker restarts itself after a failure inside MediaPipe (e.g. a lost WebGL context),
// and a visitor is told in words when it cannot. Driven through the `?debug` hook that closes the
// worker's MediaPipe landmarker between frames, so the next detection fails inside MediaPipe and
// the real recovery (a second FaceLandmarker created in the module worker) runs.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

type Hook = {
  pipeline: { getState: () => { client: { simulateLandmarkerFailure: (failRecovery?: boolean) => void } } };
  live: { subscribe: (cb: (s: { message?: string }) => void) => () => void };
};

async function startLiveOnWasm(page: Page) {
  await page.goto('/?debug');
  await expect(page.getByTestId('ep-badge')).not.toHaveText(/loading/, { timeout: 90_000 });
  await page.getByLabel('execution provider').selectOption('wasm');
  await expect(page.getByTestId('ep-badge')).toHaveText('WASM', { timeout: 90_000 });
  // Every status message the live view shows, in order (each one may be on screen for one frame only).
  await page.evaluate(() => {
    const w = window as unknown as { __ig3d: Hook; __messages: string[] };
    w.__messages = [];
    w.__ig3d.live.subscribe((s) => {
      if (s.message && w.__messages[w.__messages.length - 1] !== s.message) w.__messages.push(s.message);
    });
  });
  await page.getByRole('button', { name: 'Start camera' }).click();
}

const frames = (page: Page) => page.getByTestId('live-status').getAttribute('data-frames').then(Number);
const messages = (page: Page) => page.evaluate(() => (window as unknown as { __messages: string[] }).__messages);

test.describe('face landmarker recovery', () => {
  test.use({ fakeVideo: 'afew' });

  test('a landmarker that fails is rebuilt and predictions continue', async ({ page }) => {
    test.setTimeout(240_000);
    await startLiveOnWasm(page);
    await expect.poll(() => frames(page), { timeout: 120_000 }).toBeGreaterThan(2);

    await page.evaluate(() => (window as unknown as { __ig3d: Hook }).__ig3d.pipeline.getState().client.simulateLandmarkerFailure());
    await expect.poll(() => messages(page), { timeout: 60_000 }).toContainEqual(expect.stringMatching(/face landmarker failed .*restarted it/));
    const after = await frames(page);
    await expect.poll(() => frames(page), { timeout: 60_000 }).toBeGreaterThan(after + 3);
    // Faces are still found by the rebuilt landmarker, and no frame failed.
    await expect(page.getByTestId('bars-2d').locator('li.top')).toHaveCount(1);
    expect((await messages(page)).filter((m) => /Frame failed/.test(m))).toEqual([]);
  });

  test('when the rebuild fails too, the visitor is told why in words, and the next frame heals it', async ({ page }) => {
    test.setTimeout(240_000);
    await startLiveOnWasm(page);
    await expect.poll(() => frames(page), { timeout: 120_000 }).toBeGreaterThan(2);

    await page.evaluate(() => (window as unknown as { __ig3d: Hook }).__ig3d.pipeline.getState().client.simulateLandmarkerFailure(true));
    await expect
      .poll(() => messages(page), { timeout: 60_000 })
      .toContainEqual(expect.stringMatching(/Frame failed: the face landmarker stopped working .* could not be restarted .*reload the page/));
    // The following frame tries again (the refusal was once): the landmarker comes back.
    await expect.poll(() => messages(page), { timeout: 60_000 }).toContainEqual(expect.stringMatching(/restarted it/));
    const after = await frames(page);
    await expect.poll(() => frames(page), { timeout: 60_000 }).toBeGreaterThan(after + 3);
  });
});
