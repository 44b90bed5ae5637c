// FLAME packs in the app, driven like a visitor: pick a pack folder (SMIRK / EMOCA v2 stand-ins from
// scripts/flame/make-synthetic-pack.mjs), run the webcam, see the FLAME head; broken packs are refused
// with their reason while the previous pack keeps running; loaded packs are remembered across visits.
import { execFileSync } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, FIXTURES_DIR, REPO_ROOT, test } from './fixtures';
import { canvasCoverage, liveFrames } from './pageReadings';

const PACKS = path.join(FIXTURES_DIR, 'synthetic-flame-pack');
const SMIRK = path.join(PACKS, 'smirk');
const EMOCA = path.join(PACKS, 'emoca-v2');
const BROKEN = path.join(FIXTURES_DIR, 'broken-flame-packs');
const SYNTHETIC = /synthetic test pack — not a trained model/i;

type ManifestJson = { name: string; models: Array<Record<string, unknown> & { role: string; outputs?: Record<string, { name: string; size: number }> }> };

/** A copy of the SMIRK pack (big files hard-linked) with some files left out or changed. */
function brokenPack(name: string, opts: { omit?: string[]; manifest?: (m: ManifestJson) => void; flameBin?: Buffer }): string {
  const dir = path.join(BROKEN, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(SMIRK, 'manifest.json'), 'utf8')) as ManifestJson;
  manifest.name = `Broken pack: ${name}`;
  opts.manifest?.(manifest);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  for (const f of ['regressor.onnx', 'flame.bin', 'face_landmarker.task']) {
    if (opts.omit?.includes(f)) continue;
    const dest = path.join(dir, f);
    if (f === 'flame.bin' && opts.flameBin) {
      writeFileSync(dest, opts.flameBin);
      continue;
    }
    try {
      linkSync(path.join(SMIRK, f), dest);
    } catch {
      copyFileSync(path.join(SMIRK, f), dest);
    }
  }
  return dir;
}

test.beforeAll(() => {
  // Generates the packs when missing or stale (Python + torch; ~40 s), else only refreshes the landmarker copy.
  execFileSync('node', [path.join(REPO_ROOT, 'scripts/flame/make-synthetic-pack.mjs')], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
});

async function openAppOnWasm(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('ep-badge')).not.toHaveText(/loading/, { timeout: 90_000 });
  // Software WebGPU is 50–200× slower than WASM here: force WASM like a user could.
  await page.getByLabel('execution provider').selectOption('wasm');
  await expect(page.getByTestId('ep-badge')).toHaveText('WASM', { timeout: 90_000 });
}

async function loadPackFolder(page: Page, dir: string) {
  await page.getByTestId('pack-input').setInputFiles(dir);
}

const smirkName = () => (JSON.parse(readFileSync(path.join(SMIRK, 'manifest.json'), 'utf8')) as ManifestJson).name;

test('a dropped pack folder is checked like a picked one', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('ep-badge')).not.toHaveText(/loading/, { timeout: 90_000 });
  const builtin = await page.getByTestId('pack-name').textContent();
  // Drop manifest.json alone (loose files, as a file manager drops them): the models it names are missing.
  const manifest = readFileSync(path.join(SMIRK, 'manifest.json'), 'utf8');
  const dataTransfer = await page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'manifest.json', { type: 'application/json' }));
    return dt;
  }, manifest);
  await page.getByTestId('pack-panel').dispatchEvent('drop', { dataTransfer });
  await expect(page.getByTestId('pack-error')).toHaveText(/missing file: regressor\.onnx[\s\S]*missing file: flame\.bin/);
  await expect(page.getByTestId('pack-error')).toContainText(`Still running on the previous pack: ${builtin}`);
  await expect(page.getByTestId('pack-select')).toHaveValue('builtin');
});

test.describe('FLAME pack (SMIRK stand-in) on the webcam', () => {
  test.use({ fakeVideo: 'afew' });

  test('loads from a folder, renders the FLAME head, refuses broken packs, is remembered', async ({ page }) => {
    test.setTimeout(420_000);
    await openAppOnWasm(page);

    // Load the SMIRK pack through the folder picker.
    await loadPackFolder(page, SMIRK);
    await expect(page.getByTestId('pack-name')).toHaveText(smirkName(), { timeout: 120_000 });
    await expect(page.getByTestId('pack-select')).toHaveValue(smirkName());
    await expect(page.getByTestId('synthetic-pack')).toHaveText(SYNTHETIC);
    await expect(page.getByTestId('pack-error')).toHaveCount(0);

    await page.getByRole('button', { name: 'Start camera' }).click();
    // The decoded FLAME head: all 5023 vertices, drawn.
    await expect(page.getByTestId('flame-canvas')).toHaveAttribute('data-vertices', '5023', { timeout: 120_000 });
    await expect.poll(() => canvasCoverage(page, 'flame-canvas'), { timeout: 30_000 }).toBeGreaterThan(0.03);

    // The regressor's groups reach the result, at SMIRK's sizes, with non-zero values.
    const params = page.getByTestId('flame-params');
    const groups: Record<string, { size: number; norm: number }> = await params.locator('li').evaluateAll((lis) =>
      Object.fromEntries(lis.map((li) => [li.getAttribute('data-group') ?? '', { size: Number(li.getAttribute('data-size')), norm: Number(li.getAttribute('data-norm')) }])),
    );
    expect(Object.fromEntries(Object.entries(groups).map(([g, v]) => [g, v.size]))).toEqual({ pose: 3, cam: 3, shape: 300, exp: 50, eyelid: 2, jaw: 3 });
    for (const g of ['exp', 'shape', 'pose']) expect(groups[g].norm).toBeGreaterThan(0);
    // … and the 3D feature vector (what a 3D head is fed) holds the FLAME groups after MediaPipe's.
    await expect(page.getByTestId('features3d')).toHaveAttribute('data-groups', 'blendshapes:52,headPose:6,exp:50,pose:3,jaw:3,eyelid:2,shape:300');
    await expect(page.getByTestId('features3d')).toHaveAttribute('data-size', '416');
    for (const id of ['perf-regressor3d', 'perf-flame']) await expect(page.getByTestId(id)).toHaveText(/^\d+(\.\d+)? ms$/);
    await expect(page.getByTestId('landmark-overlay')).toHaveAttribute('data-flame-points', /^\d+$/);

    // Broken packs: each says why, and the SMIRK pack keeps running.
    const cases: { dir: string; message: RegExp }[] = [
      { dir: brokenPack('missing-file', { omit: ['regressor.onnx', 'flame.bin'] }), message: /missing file: regressor\.onnx[\s\S]*missing file: flame\.bin/ },
      {
        dir: brokenPack('exp-size', { manifest: (m) => (m.models.find((x) => x.role === 'regressor3d')!.outputs!.exp.size = 100) }),
        message: /outputs\.exp\.size: 100, but smirk gives 50/,
      },
      {
        dir: brokenPack('unknown-output', { manifest: (m) => (m.models.find((x) => x.role === 'regressor3d')!.outputs!.exp.name = 'expression') }),
        message: /output 'expression' not found; the model has: .*exp/,
      },
      {
        dir: brokenPack('bad-flame-bin', {
          manifest: (m) => delete m.models.find((x) => x.role === 'morphable')!.sha256,
          flameBin: readFileSync(path.join(SMIRK, 'flame.bin')).subarray(0, 4096),
        }),
        message: /flame\.bin: /,
      },
    ];
    for (const c of cases) {
      await loadPackFolder(page, c.dir);
      await expect(page.getByTestId('pack-error')).toHaveText(c.message, { timeout: 120_000 });
      await expect(page.getByTestId('pack-error')).toContainText(`Still running on the previous pack: ${smirkName()}`);
      await expect(page.getByTestId('pack-name')).toHaveText(smirkName());
      const before = await liveFrames(page);
      await expect.poll(() => liveFrames(page), { timeout: 60_000 }).toBeGreaterThan(before);
      await expect(page.getByTestId('flame-canvas')).toHaveAttribute('data-vertices', '5023');
    }

    // Next visit: the pack is listed, and loads from this browser's storage.
    await page.reload();
    await expect(page.getByTestId('pack-select').locator('option', { hasText: smirkName() })).toHaveCount(1);
    await expect(page.getByTestId('pack-select').locator('option', { hasText: 'Broken pack' })).toHaveCount(0);
    await expect(page.getByTestId('ep-badge')).not.toHaveText(/loading/, { timeout: 90_000 });
    await page.getByLabel('execution provider').selectOption('wasm');
    await expect(page.getByTestId('ep-badge')).toHaveText('WASM', { timeout: 90_000 });
    await page.getByTestId('pack-select').selectOption(smirkName());
    await expect(page.getByTestId('pack-name')).toHaveText(smirkName(), { timeout: 120_000 });
    await expect(page.getByTestId('synthetic-pack')).toBeVisible();
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect(page.getByTestId('flame-canvas')).toHaveAttribute('data-vertices', '5023', { timeout: 120_000 });
  });

  test('EMOCA v2 stand-in: one frame decodes to the FLAME head with EMOCA groups', async ({ page }) => {
    // ResNet-50 ×2 on 2 shared cores: load, then one frame is enough.
    test.setTimeout(300_000);
    await openAppOnWasm(page);
    await loadPackFolder(page, EMOCA);
    await expect(page.getByTestId('pack-name')).toHaveText(/EMOCA v2/, { timeout: 240_000 });
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect(page.getByTestId('flame-canvas')).toHaveAttribute('data-vertices', '5023', { timeout: 120_000 });
    await expect(page.getByTestId('features3d')).toHaveAttribute('data-groups', 'blendshapes:52,headPose:6,exp:50,pose:6,shape:100');
    await page.getByRole('button', { name: 'Stop' }).click();
  });
});
