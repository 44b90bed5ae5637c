// Late fusion in live mode: the fusion control decides what the fused bars show.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

test.use({ fakeVideo: 'afew' });

const probs = (page: Page, id: string) =>
  page.getByTestId(id).locator('li').evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('data-prob'))));

/** Largest difference between two bar sets shown at the same moment (same frame). */
async function gap(page: Page, a: string, b: string): Promise<number> {
  const [pa, pb] = await Promise.all([probs(page, a), probs(page, b)]);
  return Math.max(...pa.map((v, i) => Math.abs(v - pb[i])));
}

test('fusion mode and 2D weight change the fused bars; the 3D head runs on the webcam', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('execution provider').selectOption('wasm');
  await expect(page.getByTestId('ep-badge')).toHaveText('WASM', { timeout: 90_000 });
  await page.getByLabel('Temporal smoothing').uncheck(); // compare bars of one frame, not averages
  await page.getByRole('button', { name: 'Start camera' }).click();

  // The default pack has a 3D head: its bars fill in from the webcam's face.
  await expect(page.getByTestId('bars-3d').locator('li.top')).toHaveCount(1, { timeout: 90_000 });
  const p3d = await probs(page, 'bars-3d');
  expect(p3d.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);

  const mode = page.getByLabel('fusion mode');
  await mode.selectOption('3d');
  await expect.poll(() => gap(page, 'bars-fused', 'bars-3d'), { timeout: 30_000 }).toBeLessThan(1e-3);
  await mode.selectOption('2d');
  await expect.poll(() => gap(page, 'bars-fused', 'bars-2d'), { timeout: 30_000 }).toBeLessThan(1e-3);

  // Weighted: w = 0 is the 3D head alone, w = 1 the 2D model alone, in between differs from both.
  await mode.selectOption('weighted');
  const slider = page.getByRole('slider', { name: '2D weight' });
  await slider.fill('0');
  await expect(page.getByTestId('fusion-weight')).toHaveText('0.00');
  await expect.poll(() => gap(page, 'bars-fused', 'bars-3d'), { timeout: 30_000 }).toBeLessThan(1e-3);
  await slider.fill('1');
  await expect.poll(() => gap(page, 'bars-fused', 'bars-2d'), { timeout: 30_000 }).toBeLessThan(1e-3);
  await slider.fill('0.5');
  await expect
    .poll(async () => Math.min(await gap(page, 'bars-fused', 'bars-2d'), await gap(page, 'bars-fused', 'bars-3d')), { timeout: 30_000 })
    .toBeGreaterThan(1e-3);

  // Mean and max are offered too.
  await mode.selectOption('max');
  await expect(mode).toHaveValue('max');
  await expect(page.getByTestId('bars-fused').locator('li.top')).toHaveCount(1);
});

test('the fused panel says when it only repeats one branch (w = 1.0: the 2D model)', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('ep-badge')).not.toHaveText(/loading/, { timeout: 90_000 });
  // The live view's first screen has no room for a paragraph (it pushed the 3D head out of view):
  // the title says it, the note is the title's hover text (data-note).
  const heading = page.getByTestId('bars-fused').getByRole('heading');
  const slider = page.getByRole('slider', { name: '2D weight' });
  // The default pack fuses at w = 1.0: the fused bars are the 2D model's, and the panel says so.
  await expect(page.getByTestId('fusion-weight')).toHaveText('1.00');
  await expect(heading).toHaveText('Fused = 2D (w = 1.00)');
  await expect(heading).toHaveAttribute('data-note', /repeat the 2D model/);
  await expect(heading).toHaveAttribute('title', /this pack’s default weight/);
  await expect(page.getByTestId('bars-fused-note')).toHaveCount(0);
  // Any other weight mixes both branches: no note.
  await slider.fill('0.8');
  await expect(page.getByTestId('fusion-weight')).toHaveText('0.80');
  await expect(heading).toHaveAttribute('data-note', '');
  await expect(heading).toHaveText('Fused (w = 0.80)');
  await slider.fill('0');
  await expect(heading).toHaveAttribute('data-note', /repeat the 3D head/);
  // Modes that are one branch say which; mean and max mix.
  const mode = page.getByLabel('fusion mode');
  await mode.selectOption('2d');
  await expect(heading).toHaveAttribute('data-note', /“2D only”/);
  await mode.selectOption('mean');
  await expect(heading).toHaveAttribute('data-note', '');
  await mode.selectOption('weighted');
  await slider.fill('1');
  await expect(heading).toHaveAttribute('data-note', /repeat the 2D model/);
});
