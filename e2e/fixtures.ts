// Shared Playwright fixtures. Every spec imports { test, expect } from here, not from '@playwright/test'.
//
//   test.use({ fakeVideo: 'afew' });      // per file, describe or project: the webcam plays this video
//   test('…', async ({ page, diagnostics }) => { … expect(diagnostics.consoleErrors).toEqual([]); });
//
// Fake webcam: each worker's Chromium is launched with a fake camera that reads a per-worker symlink
// (e2e/.fixtures/.camera-<pid>.y4m);
// before each test the symlink is pointed at the test's `fakeVideo` (Chromium opens the file when
// capture starts), or removed for `fakeVideo: null`, so getUserMedia rejects with NotFoundError.
//
// For every page of the test's context (the `page` fixture included):
// - any request to another origin than baseURL (plus `allowedOrigins`) is aborted and fails the test
//   at teardown ("nothing leaves the browser");
// - uncaught page errors fail the test at teardown (turn off with test.use({ failOnPageError: false }));
// - page errors and console messages are collected in `diagnostics` for assertions, and written to
//   test-results/<test>/diagnostics.json when a test fails.
// Pages from contexts a test makes itself with browser.newContext() get none of this; use `context`.
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { FAKE_VIDEOS, FAKE_VIDEO_SIZE, FIXTURES_DIR, REPO_ROOT, SHARED_DIR, STILLS, type FakeVideo } from './global-setup';

export { expect, FAKE_VIDEOS, FAKE_VIDEO_SIZE, FIXTURES_DIR, REPO_ROOT, SHARED_DIR, STILLS, type FakeVideo };

export interface Diagnostics {
  /** Off-origin URLs the pages tried to reach (each was blocked). Non-empty fails the test. */
  offOrigin: string[];
  /** Uncaught exceptions in pages. Non-empty fails the test unless failOnPageError is false. */
  pageErrors: string[];
  /** console.error messages (and console messages of type 'error', e.g. failed resource loads). */
  consoleErrors: string[];
  /** Every console message, as "[type] text", for debugging. */
  console: string[];
}

interface TestOptions {
  /** Video the fake webcam plays (looped from its first frame at each capture start); null: no camera. */
  fakeVideo: FakeVideo | null;
  /** Fail the test when a page throws an uncaught exception. Default true. */
  failOnPageError: boolean;
  /** Origins besides baseURL's that pages may contact (e.g. a second local test server). */
  allowedOrigins: string[];
}
interface TestFixtures {
  diagnostics: Diagnostics;
  _camera: void;
}
interface WorkerFixtures {
  /** The symlink this worker's fake camera reads. */
  fakeCameraLink: string;
}

/** Chromium flags for a fake webcam reading `file` (a .y4m), with camera permission auto-granted. */
export function fakeCameraArgs(file: string): string[] {
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${file}`];
}

const LOCAL_SCHEMES = new Set(['data:', 'blob:', 'about:']);

function guardContext(context: BrowserContext, allowed: Set<string>, diagnostics: Diagnostics) {
  const isAllowed = (url: string) => {
    try {
      const u = new URL(url.replace(/^ws(s?):/, 'http$1:')); // a WebSocket to the app's own host is fine
      return LOCAL_SCHEMES.has(u.protocol) || allowed.has(u.origin);
    } catch {
      return false;
    }
  };
  const flag = (url: string) => {
    if (!isAllowed(url) && !diagnostics.offOrigin.includes(url)) diagnostics.offOrigin.push(url);
  };
  const watchPage = (page: Page) => {
    page.on('pageerror', (err) => diagnostics.pageErrors.push(err.stack ?? String(err)));
    page.on('console', (msg) => {
      const text = `[${msg.type()}] ${msg.text()}`;
      diagnostics.console.push(text);
      if (msg.type() === 'error') diagnostics.consoleErrors.push(msg.text());
    });
    page.on('websocket', (ws) => flag(ws.url()));
  };
  context.pages().forEach(watchPage);
  context.on('page', watchPage);
  // Observe everything (pages and their workers) …
  context.on('request', (req) => flag(req.url()));
  // … and block it, so a test never depends on, or leaks to, the outside world.
  return context.route(
    (url) => !isAllowed(url.href),
    (route) => {
      flag(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
}

export const test = base.extend<TestOptions & TestFixtures, WorkerFixtures>({
  fakeVideo: [null, { option: true }],
  failOnPageError: [true, { option: true }],
  allowedOrigins: [[], { option: true }],

  fakeCameraLink: [
    async ({}, use) => {
      // Unique per worker process, so concurrent Playwright runs in one checkout don't share a camera.
      const link = path.join(FIXTURES_DIR, `.camera-${process.pid}.y4m`);
      await use(link);
      rmSync(link, { force: true });
    },
    { scope: 'worker' },
  ],

  launchOptions: [
    async ({ launchOptions, fakeCameraLink }, use) => {
      await use({ ...launchOptions, args: [...(launchOptions.args ?? []), ...fakeCameraArgs(fakeCameraLink)] });
    },
    { scope: 'worker' },
  ],

  // Points the worker's camera at this test's video before anything else runs.
  _camera: [
    async ({ fakeVideo, fakeCameraLink }, use) => {
      rmSync(fakeCameraLink, { force: true });
      if (fakeVideo) symlinkSync(FAKE_VIDEOS[fakeVideo], fakeCameraLink);
      await use();
    },
    { auto: true },
  ],

  diagnostics: async ({}, use) => {
    await use({ offOrigin: [], pageErrors: [], consoleErrors: [], console: [] });
  },

  context: async ({ context, baseURL, allowedOrigins, failOnPageError, diagnostics }, use, testInfo) => {
    if (!baseURL) throw new Error('fixtures.ts: baseURL must be set (playwright.config.ts use.baseURL)');
    const allowed = new Set([new URL(baseURL).origin, ...allowedOrigins.map((o) => new URL(o).origin)]);
    await guardContext(context, allowed, diagnostics);
    await use(context);

    if (testInfo.status !== testInfo.expectedStatus || diagnostics.offOrigin.length || diagnostics.pageErrors.length) {
      const file = testInfo.outputPath('diagnostics.json');
      writeFileSync(file, JSON.stringify(diagnostics, null, 2));
      await testInfo.attach('diagnostics', { path: file, contentType: 'application/json' });
    }
    const problems: string[] = [];
    if (diagnostics.offOrigin.length) {
      problems.push(`page(s) tried to reach other origins (blocked; nothing may leave the browser):\n  ${diagnostics.offOrigin.join('\n  ')}`);
    }
    if (failOnPageError && diagnostics.pageErrors.length) {
      problems.push(`uncaught page error(s):\n  ${diagnostics.pageErrors.join('\n  ')}`);
    }
    if (problems.length) throw new Error(problems.join('\n'));
  },
});
