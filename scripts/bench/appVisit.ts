/**
 * One visit to the app, as a person starts it: open the page, press Start as soon as it is enabled,
 * and wait for the first prediction. Shared by the `startup` and `startup-floor` sections so both
 * time the app the same way.
 */
import type { Page } from 'playwright-core';
import { cpuSnapshot, workBetween, type GroupWork } from './threadCpu';

export async function appToFirstPrediction(page: Page, origin: string): Promise<{ total: number; tStart: number; work: GroupWork }> {
  const cpu0 = cpuSnapshot();
  const t0 = Date.now();
  await page.goto(`${origin}/index.html`);
  await page.getByRole('button', { name: 'Start camera' }).click({ timeout: 120_000 }); // waits until enabled
  const tStart = Date.now() - t0;
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=live-status]')?.getAttribute('data-frames')) > 0, undefined, { polling: 10, timeout: 120_000 });
  const total = Date.now() - t0;
  return { total, tStart, work: workBetween(cpu0, cpuSnapshot()) };
}
