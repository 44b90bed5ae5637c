// What the specs read off the app's page, in one place.
import type { Page } from '@playwright/test';

/** Frames the live loop has processed since the camera started. */
export const liveFrames = async (page: Page): Promise<number> =>
  Number(await page.getByTestId('live-status').getAttribute('data-frames'));

/** Share of canvas pixels that differ from the corner (background) colour: a drawn mesh covers some. */
export async function canvasCoverage(page: Page, testId: string): Promise<number> {
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
