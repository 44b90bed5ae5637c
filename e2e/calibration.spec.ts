// Class-prior correction (manifest `calibration`), switched by a person in the live view and in
// the Batch tab: the frame result says which calibration its logits carry, and the exported CSV
// records it per row. With the correction on, every face's neutral probability must drop (the
// correction subtracts τ·log π and FER+'s prior is highest for neutral), so the CSV comparison
// fails if the switch does not reach the worker or the correction is not applied.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import type { Page } from '@playwright/test';
import { FIXTURES_DIR, REPO_ROOT, SHARED_DIR, expect, test } from './fixtures';

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'public', 'models', 'manifest.json'), 'utf8')) as {
  models: { id: string; calibration?: { tau: number; enabled: boolean; live?: boolean } }[];
};
const declared = manifest.models.filter((m) => m.calibration);
const label = declared.map((m) => `${m.id}: prior-correction τ=${m.calibration!.tau}`).join('; ');

async function openOnWasm(page: Page) {
  await page.goto('/');
  await page.getByLabel('execution provider').selectOption('wasm');
  await expect(page.getByTestId('ep-badge')).toHaveText('WASM', { timeout: 90_000 });
}

test.describe('live view', () => {
  test.use({ fakeVideo: 'afew' });

  test('the correction switch reaches the worker and the frame says which calibration ran', async ({ page }) => {
    expect(declared.length).toBeGreaterThan(0);
    await openOnWasm(page);
    await page.getByRole('button', { name: 'Start camera' }).click();
    const sw = page.getByLabel('class-prior correction');
    // The pack asks for it live (a webcam has no dataset prior).
    await expect(sw).toBeChecked({ checked: declared.some((m) => m.calibration!.live ?? m.calibration!.enabled) });
    await expect(page.getByTestId('calibration-label')).toContainText(label);
    await sw.check();
    await expect(page.getByTestId('frame-calibration')).toHaveText(`calibration: ${label}`, { timeout: 90_000 });
    await sw.uncheck();
    await expect(page.getByTestId('frame-calibration')).toHaveText('calibration: off', { timeout: 30_000 });
    await expect(page.getByTestId('bars-2d').locator('li.top')).toHaveCount(1);
  });
});

test.describe('Batch tab', () => {
  test.describe.configure({ timeout: 300_000 });

  test('a run with and without the correction: the CSV says which, and neutral drops on every face', async ({ page }) => {
    const dir = path.join(FIXTURES_DIR, 'calibration-batch', 'faces');
    rmSync(path.dirname(dir), { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const valid = path.join(SHARED_DIR, 'data', 'ferplus', 'Valid');
    const files = readFileSync(path.join(valid, 'label.csv'), 'utf8').split('\n').slice(0, 6).map((l) => l.split(',')[0]);
    for (const f of files) copyFileSync(path.join(valid, f), path.join(dir, f));

    await openOnWasm(page);
    await page.getByTestId('tab-batch').click();
    await page.getByTestId('batch-folder-input').setInputFiles(dir);
    const sw = page.getByLabel('batch class-prior correction');
    const run = async () => {
      await page.getByTestId('batch-start').click();
      await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-state', 'finished', { timeout: 240_000 });
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
      const rows = Papa.parse<Record<string, string>>(readFileSync((await dl.path())!, 'utf8'), { header: true, skipEmptyLines: true }).data;
      return new Map(rows.filter((r) => r.status === 'ok').map((r) => [r.path, r]));
    };

    await sw.uncheck();
    const off = await run();
    await sw.check();
    const on = await run();
    expect(off.size).toBeGreaterThanOrEqual(4);
    expect([...on.keys()].sort()).toEqual([...off.keys()].sort());
    for (const [p, r] of on) {
      expect(off.get(p)!.calibration).toBe('off');
      expect(r.calibration).toBe(label);
      expect(Number(r.p2d_neutral)).toBeLessThan(Number(off.get(p)!.p2d_neutral));
      if (r.p3d_neutral) expect(Number(r.p3d_neutral)).toBeLessThan(Number(off.get(p)!.p3d_neutral));
    }
  });
});
