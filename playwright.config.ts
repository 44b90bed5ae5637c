// End-to-end tests in Debian's Chromium (/usr/bin/chromium; `npx playwright install` is not used).
// `npm test` builds dist/ first; `npx playwright test` alone serves whatever dist/ holds.
// Specs import { test, expect } from './fixtures' (fake webcam per spec, off-origin request guard).
import { defineConfig } from '@playwright/test';
// Software WebGPU/WebGL flags, shared with the command-line tools. Fake-webcam flags are added by
// e2e/fixtures.ts (option `fakeVideo`).
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/lib/chromium.mjs';

// E2E_PORT lets several checkouts on one machine run their suites side by side.
const PORT = Number(process.env.E2E_PORT ?? 4173);
const BASE_URL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  outputDir: 'test-results',
  // 2 cores, and software rendering is slow.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: 'list',
  use: {
    baseURL: BASE_URL,
    actionTimeout: 30_000,
    navigationTimeout: 60_000,
    // A failed test keeps its trace (actions, console, errors) and a screenshot. No screencast and no
    // DOM snapshots: both cost CPU that software rendering needs. Snapshots alone made the specs
    // 20–25 % slower on 2 cores (fusion.spec + one live.spec test, alternated twice: 53–57 s with,
    // 41–42 s without). PW_TRACE_SNAPSHOTS=1 turns them back on when a failure needs the DOM.
    trace: { mode: 'retain-on-failure', screenshots: false, snapshots: process.env.PW_TRACE_SNAPSHOTS === '1' },
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        viewport: { width: 1280, height: 800 },
        launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
      },
    },
  ],
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `${BASE_URL}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
