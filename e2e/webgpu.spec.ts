// The WebGPU path (SwiftShader here: correct but slow) and its agreement with WASM.
import { expect, test } from './fixtures';

test('the 2D model gives the same logits on the webgpu and wasm execution providers', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/cli.html');
  await page.waitForFunction(() => 'ig3dCli' in window);
  expect(await page.evaluate(async () => !!(await navigator.gpu?.requestAdapter()))).toBe(true);
  // A face-like smooth input; deterministic so both runs see the same tensor.
  const input = Array.from({ length: 48 * 48 }, (_, i) => Math.sin(i / 37) * 0.6 + Math.cos(i / 11) * 0.3);
  const run = (ep: 'webgpu' | 'wasm') =>
    page.evaluate(
      ({ ep, input }) =>
        window.ig3dCli.benchModel({ modelUrl: new URL('models/fer2d.onnx', location.href).href, inputName: 'image', dims: [1, 1, 48, 48], inputs: [input], runs: 1, warmup: 0, ep, numThreads: 1 }),
      { ep, input },
    );
  const gpu = await run('webgpu');
  const cpu = await run('wasm');
  expect(gpu.firstOutput).toHaveLength(8);
  const maxDiff = Math.max(...gpu.firstOutput.map((v, i) => Math.abs(v - cpu.firstOutput[i])));
  expect(maxDiff).toBeLessThan(1e-3);
  const argmax = (x: number[]) => x.indexOf(Math.max(...x));
  expect(argmax(gpu.firstOutput)).toBe(argmax(cpu.firstOutput));
});

// One test for three stories: forcing WebGPU while the camera runs (the models reopened and run
// on SwiftShader, ≈ 40 s here) keeps the open 3D view, and is the first half of losing the device.
test.describe('forcing WebGPU in the app while the camera runs, then losing the GPU device', () => {
  test.use({ fakeVideo: 'afew' });

  test('the 3D view stays open through the reload; the badge shows WEBGPU and live predictions arrive; a lost device falls back to WASM, says so, and keeps predicting', async ({ page }) => {
    test.setTimeout(300_000);
    await page.goto('/?debug');
    await page.getByRole('button', { name: 'Start camera' }).click();
    const frames = () => page.getByTestId('live-status').getAttribute('data-frames').then(Number);
    await expect.poll(frames, { timeout: 90_000 }).toBeGreaterThan(0);
    await expect(page.getByTestId('head-view-ict')).toBeVisible({ timeout: 30_000 });

    // Watch the whole reload: the 3D view must never give way to its "opens once the models are up" line.
    await page.evaluate(() => {
      const seen = { deferred: false, switchGone: false };
      (window as unknown as { __reload: typeof seen }).__reload = seen;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid=head3d-deferred]')) seen.deferred = true;
        if (!document.querySelector('[data-testid=head-view-ict]')) seen.switchGone = true;
      }).observe(document.body, { subtree: true, childList: true });
    });
    // Auto runs WASM on this software adapter; forcing WebGPU reopens every model.
    await page.getByLabel('execution provider').selectOption('webgpu');
    await expect(page.getByTestId('ep-badge')).toHaveText('loading…');
    await expect(page.getByTestId('ep-badge')).toHaveText('WEBGPU', { timeout: 120_000 });
    const reloaded = await frames();
    await expect.poll(frames, { timeout: 240_000 }).toBeGreaterThan(reloaded);
    await expect(page.getByTestId('bars-2d').locator('li.top')).toHaveCount(1, { timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as { __reload: object }).__reload)).toEqual({ deferred: false, switchGone: false });

    await page.evaluate(() => {
      type Hook = { pipeline: { getState: () => { client: { simulateGpuDeviceLoss: () => void } } } };
      (window as unknown as { __ig3d: Hook }).__ig3d.pipeline.getState().client.simulateGpuDeviceLoss();
    });
    await expect(page.getByTestId('ep-badge')).toHaveText('WASM', { timeout: 120_000 });
    await expect(page.getByTestId("ep-note")).toContainText(/device (was )?lost/i);
    const after = await frames();
    await expect.poll(frames, { timeout: 60_000 }).toBeGreaterThan(after + 2);
  });
});
