// Class-prior correction (manifest `calibration`), switched by a person in the live view and in
// the Batch tab: the frame result says which calibration its logits carry, and the exported CSV
// records it per row. With the correction on, every face's neutral probability must drop (the
// correction subtracts τ·log π and FER+'s prior is highest for neutral), so the CSV comparison
// fails if the switch does not reach the worker or the correction is not applied.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    const mode = page.getByLabel('batch class prior');
    const run = async () => {
      await runBatch(page);
      return new Map((await exportCsv(page)).filter((r) => r.status === 'ok').map((r) => [r.path, r]));
    };

    // The pack's default for datasets is the dataset prior; 6 images are too few for a class mix:
    // the panel says why and the rows stay as trained.
    await expect(mode).toHaveValue('dataset');
    const few = await run();
    await expect(page.getByTestId('class-mix-skipped')).toContainText(/\d+ images? with a 2D answer: the class mix needs at least 30; kept as trained/);
    for (const r of few.values()) expect(r.calibration).toBe('off');
    await mode.selectOption('off');
    const off = await run();
    await mode.selectOption('fixed');
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

test.describe('Batch tab, adapted to the dataset', () => {
  test.describe.configure({ timeout: 300_000 });

  test('a folder without neutral faces: the class mix is estimated, every face re-weighted, the CSV says so and keeps the raw answer; "as trained" shows the net\'s own', async ({ page }) => {
    // 36 FER+ Valid faces whose annotators did not pick neutral (the pack's minimum is 30).
    const dir = path.join(FIXTURES_DIR, 'dataset-prior-batch', 'faces');
    rmSync(path.dirname(dir), { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const valid = path.join(SHARED_DIR, 'data', 'ferplus', 'Valid');
    // label.csv: file, "(box)", then 10 vote counts in FER+ order (neutral first, then 7 emotions, unknown, no face).
    const votes = Papa.parse<string[]>(readFileSync(path.join(valid, 'label.csv'), 'utf8').trim()).data;
    const emotional = votes.filter((v) => {
      const n = v.slice(2, 10).map(Number);
      return n[0] < Math.max(...n.slice(1));
    }).slice(0, 36);
    expect(emotional).toHaveLength(36);
    for (const [f] of emotional) copyFileSync(path.join(valid, f), path.join(dir, f));

    await openOnWasm(page);
    await page.getByTestId('tab-batch').click();
    await page.getByTestId('batch-folder-input').setInputFiles(dir);
    // The pack's default for datasets.
    await expect(page.getByLabel('batch class prior')).toHaveValue('dataset');
    await runBatch(page);
    const mix = page.getByTestId('class-mix');
    await expect(mix).toBeVisible();
    const estimate = Number(await mix.getByTestId('class-mix-estimate').locator('[data-class=neutral]').getAttribute('data-value'));
    const source = Number(await mix.getByTestId('class-mix-source').locator('[data-class=neutral]').getAttribute('data-value'));
    expect(estimate).toBeLessThan(source);

    const adapted = (await exportCsv(page)).filter((r) => r.p2d_neutral !== '');
    expect(adapted.length).toBeGreaterThanOrEqual(30);
    const meanOf = (rows: Record<string, string>[], col: string) => rows.reduce((s, r) => s + Number(r[col]), 0) / rows.length;
    for (const r of adapted) {
      expect(r.calibration).toBe(`fer2d: dataset prior (EM over ${adapted.length} images)`);
      expect(r.p2d_raw_neutral).not.toBe('');
    }
    expect(meanOf(adapted, 'p2d_neutral')).toBeLessThan(meanOf(adapted, 'p2d_raw_neutral'));

    // A row's detail re-runs the image alone, and says the table shows it adapted.
    await page.getByTestId('results-row').first().click();
    await expect(page.getByTestId('detail-dataset-prior')).toContainText('adapted to the batch');
    await page.getByTestId('detail-close').click();

    await page.getByLabel('show as trained').check();
    const trained = new Map((await exportCsv(page)).filter((r) => r.p2d_neutral !== '').map((r) => [r.path, r]));
    for (const r of adapted) {
      const t = trained.get(r.path)!;
      expect(t.calibration).toBe('off');
      expect(t.p2d_neutral).toBe(r.p2d_raw_neutral);
      expect(t.pred_fused).toBe(r.pred_fused_raw);
    }
  });
});

async function runBatch(page: Page) {
  await page.getByTestId('batch-start').click();
  await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-state', 'finished', { timeout: 240_000 });
}

async function exportCsv(page: Page): Promise<Record<string, string>[]> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  return Papa.parse<Record<string, string>>(readFileSync((await dl.path())!, 'utf8'), { header: true, skipEmptyLines: true }).data;
}

test.describe('a pack with two 2D models', () => {
  test.use({ fakeVideo: 'afew' });

  test('fer2d + faceexpr7 (7 classes, abstains on contempt) load from a folder and are fused on the 2D side', async ({ page }) => {
    // The default pack plus face-api's net, as faceexpr7.md shows.
    const dir = path.join(FIXTURES_DIR, 'two-2d-pack');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const models = path.join(REPO_ROOT, 'public', 'models');
    const m = JSON.parse(readFileSync(path.join(models, 'manifest.json'), 'utf8'));
    m.name = 'two-2d-e2e';
    for (const x of m.models) x.file = path.basename(x.file);
    const fer = m.models.find((x: { id: string }) => x.id === 'fer2d');
    m.models.push({
      id: 'faceexpr7', role: 'fei2d', file: 'faceexpr7.onnx',
      input: { name: 'image', size: [112, 112], channels: 3, colorOrder: 'rgb', layout: 'NCHW', range: '0-1',
        normalize: { mean: [0.481498, 0.458827, 0.409012], std: [1, 1, 1] }, crop: fer.input.crop },
      outputs: { logits: { name: 'logits', classOrder: ['neutral', 'happy', 'sad', 'anger', 'fear', 'disgust', 'surprise'], missing: 'abstain' } },
    });
    m.fusion.weights2d = { fer2d: 0.8, faceexpr7: 0.2 };
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m, null, 2));
    for (const f of ['fer2d.onnx', 'faceexpr7.onnx', 'head3d.onnx']) copyFileSync(path.join(models, f), path.join(dir, f));
    copyFileSync(path.join(models, 'third_party', 'face_landmarker.task'), path.join(dir, 'face_landmarker.task'));

    await openOnWasm(page);
    await page.getByTestId('pack-input').setInputFiles(dir);
    await expect(page.getByTestId('pack-name')).toHaveText('two-2d-e2e', { timeout: 120_000 });
    await expect(page.getByTestId('models2d')).toHaveText(/2D side: fer2d ×0\.8 \+ faceexpr7 ×0\.2/);
    // The app credits face-api's net and its licence.
    await expect(page.getByTestId('credit-faceapi')).toContainText(/FaceExpressionNet.*MIT licence/s);
    await page.getByRole('button', { name: 'Start camera' }).click();
    const bars = page.getByTestId('bars-2d');
    await expect(bars.locator('li.top')).toHaveCount(1, { timeout: 120_000 });
    const probs = await bars.locator('li').evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('data-prob'))));
    expect(probs).toHaveLength(8);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    // Contempt comes from fer2d alone (faceexpr7 abstains): still a real probability, not 0.
    expect(probs[7]).toBeGreaterThan(0);
  });
});
