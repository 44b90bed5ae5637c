// End-to-end tests in Debian's Chromium (/usr/bin/chromium; `npx playwright install` is not used).
// `npm test` builds dist/ first; `npx playwright test` alone serves whatever dist/ holds.
// Specs import { test, expect } from './fixtures' (fake webcam per spec, off-origin request guard).
import { defineConfig } from '@playwright/test';

const PORT = 4173;
export const BASE_URL = `http://127.0.0.1:${PORT}`;

/**
 * Software WebGPU (SwiftShader Vulkan) and WebGL (ANGLE on SwiftShader); no network chatter.
 * Never add --disable-gpu: it removes navigator.gpu. Fake-webcam flags are added per spec by
 * e2e/fixtures.ts (option `fakeVideo`).
 */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-angle=swiftshader',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

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
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        viewport: { width: 1280, height: 800 },
        launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS },
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
