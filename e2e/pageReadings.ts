// What the specs read off the app's page, in one place.
import { expect, type Page } from '@playwright/test';

/** Frames the live loop has processed since the camera started. */
export const liveFrames = async (page: Page): Promise<number> =>
  Number(await page.getByTestId('live-status').getAttribute('data-frames'));

/** Share of canvas pixels that differ from the corner (background) colour: a drawn mesh covers some. */
export async function canvasCoverage(page: Page, testId: string): Promise<number> {
  // Looked at as a person would: 3D views do not draw while scrolled out of view.
  await page.getByTestId(testId).scrollIntoViewIfNeeded();
  return page.getByTestId(testId).evaluate((c: HTMLCanvasElement) => {
    const probe = document.createElement('canvas');
    probe.width = c.width;
    probe.height = c.height;
    const ctx = probe.getContext('2d')!;
    ctx.drawImage(c, 0, 0);
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    const [r0, g0, b0] = [data[0], data[1], data[2]];
    let differ = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - r0) + Math.abs(data[i + 1] - g0) + Math.abs(data[i + 2] - b0) > 30) differ++;
    }
    return differ / (data.length / 4);
  });
}

/**
 * A lost WebGL context costs only that 3D view: it says so, predictions go on, and after the
 * context is restored the view draws again (more than `minCoverage` of its pixels). The extension
 * object is kept on window: getExtension returns null while the context is lost.
 */
export async function expectWebGLContextLossRecovered(page: Page, testId: string, minCoverage: number): Promise<void> {
  const canvas = page.getByTestId(testId);
  await canvas.evaluate((c: HTMLCanvasElement) => {
    const ext = (c.getContext('webgl2') as WebGL2RenderingContext).getExtension('WEBGL_lose_context')!;
    (window as unknown as { loseCtx: WEBGL_lose_context }).loseCtx = ext;
    ext.loseContext();
  });
  await expect(page.getByText('3D view unavailable')).toBeVisible();
  const atLoss = await liveFrames(page);
  await expect.poll(() => liveFrames(page), { timeout: 30_000 }).toBeGreaterThan(atLoss);
  await canvas.evaluate(() => (window as unknown as { loseCtx: WEBGL_lose_context }).loseCtx.restoreContext());
  await expect(page.getByText('3D view unavailable')).toBeHidden({ timeout: 10_000 });
  await expect.poll(() => canvasCoverage(page, testId), { timeout: 30_000 }).toBeGreaterThan(minCoverage);
}

/** Stop: the camera is released (no tracks left) and no more frames are processed. */
export async function expectStopReleasesCamera(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('live-status')).toHaveText('Camera is off.');
  // No frame of the loop runs any more: on the worker path, the worker's own loop has ended.
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-loop', 'ended', { timeout: 10_000 });
  const stoppedAt = await liveFrames(page);
  await page.waitForTimeout(2_000);
  expect(await liveFrames(page)).toBe(stoppedAt);
  const tracks = await page.getByTestId('video').evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream | null)?.getTracks().length ?? 0);
  expect(tracks).toBe(0);
}
