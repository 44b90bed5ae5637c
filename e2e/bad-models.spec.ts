// A broken or malicious model pack gets a clear message, and the page keeps working.
import { expect, test } from './fixtures';

test('a corrupt 2D model file: clear message, no crash, retry works once it is fixed', async ({ page }) => {
  let corrupt = true;
  await page.route('**/models/fer2d.onnx', async (route) => {
    if (!corrupt) return route.continue();
    await route.fulfill({ status: 200, contentType: 'application/octet-stream', body: Buffer.from('this is not an onnx model '.repeat(100)) });
  });
  await page.goto('/');
  const banner = page.getByTestId('pipeline-error');
  await expect(banner).toContainText('Model failed to load', { timeout: 90_000 });
  await expect(banner).toContainText(/fer2d/);
  await expect(page.getByRole('button', { name: 'Start camera' })).toBeDisabled();

  corrupt = false;
  await banner.getByRole('button', { name: 'Retry' }).click();
  await expect(banner).toBeHidden({ timeout: 90_000 });
  await expect(page.getByRole('button', { name: 'Start camera' })).toBeEnabled();
});

test('a manifest with a bad field names the field', async ({ page }) => {
  await page.route('**/models/manifest.json', async (route) => {
    const res = await route.fetch();
    const manifest = await res.json();
    manifest.models[1].input.size = [48, -1];
    manifest.models[1].file = '../../etc/passwd';
    await route.fulfill({ response: res, json: manifest });
  });
  await page.goto('/');
  const banner = page.getByTestId('pipeline-error');
  await expect(banner).toContainText('models[1].input.size[1]', { timeout: 60_000 });
  await expect(banner).toContainText('models[1].file: must be a relative path inside the pack');
});

test('a missing model file says which file is missing', async ({ page }) => {
  await page.route('**/models/fer2d.onnx', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto('/');
  await expect(page.getByTestId('pipeline-error')).toContainText(/fer2d\.onnx: HTTP 404/, { timeout: 90_000 });
});
