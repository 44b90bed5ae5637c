// Batch mode, driven like a person: pick a folder (or files), look at the preview, run, pause,
// resume, cancel, read the table and metrics, download the exports and check them.
//
// Fixtures are generated into e2e/.fixtures/batch/ from ../shared (never committed):
//   batch/<class>/fer*.png   a few FER+ Test images per class, foldered by their majority label
//   batch/Happiness/corrupt.png  PNG header + garbage          → error row, "corrupt" reason
//   batch/sad/notes.jpg      a text file named .jpg              → error row, "contains text"
//   batch/huge.jpg           6000×6000 JPEG (no label)           → row, downscaled note
//   batch/misc/face.jpg      AFEW frame in a non-class folder    → "unmatched folder" in the preview
//   batch/misc/two-faces.jpg two faces side by side               → row says so, uses the largest
//   batch/afew/*.png + labels.csv  AFEW-VA frames with valence/arousal → VA metrics
//   batch/readme.txt         not an image                        → error row, "not an image or video"
//   batch/angry/grey-48.png  48×48 flat grey, no face            → 'no face', read whole (a face-crop-sized image)
//   whole/grey-{48,640}.png  no face, 48×48 and 640×480          → the "No face found" choice: read whole or not
//   clip.webm                2.1 s VP8 from the AFEW-VA frames   → one row per sampled frame + timeline
//   many/*.png               120 FER+ images for pause / resume / cancel
//
// The model pack is a synthetic one served in place of models/manifest.json (same origin): the
// real MediaPipe landmarker + a tiny linear "2D model" and "3D head" written below as ONNX, so
// the test does not depend on a trained model and exercises 2D, 3D and fusion. Predictions are
// meaningless; the test checks that the app's numbers agree with the exported rows.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import type { Page } from '@playwright/test';
import { FIXTURES_DIR, REPO_ROOT, SHARED_DIR, expect, test } from './fixtures';
import { makeAfewClip } from './global-setup';
import { linearOnnx } from './onnxWriter';

const CLASSES = ['neutral', 'happy', 'sad', 'surprise', 'fear', 'disgust', 'anger', 'contempt'] as const;
const FERPLUS_VOTE_ORDER = ['neutral', 'happy', 'surprise', 'sad', 'anger', 'disgust', 'fear', 'contempt'];
/** Folder names as people write them (synonyms are part of what is tested). */
const FOLDER_NAME: Record<string, string> = {
  neutral: 'neutral',
  happy: 'Happiness',
  sad: 'sad',
  surprise: 'surprise',
  fear: 'fear',
  disgust: 'disgust',
  anger: 'angry',
  contempt: 'contempt',
};
const PER_CLASS = 4;
const AFEW_FRAMES = 6;
const MANY = 120;

const ROOT = path.join(FIXTURES_DIR, 'batch-e2e');
const BATCH_DIR = path.join(ROOT, 'batch');
const MANY_DIR = path.join(ROOT, 'many');
const WHOLE_DIR = path.join(ROOT, 'whole');
const VIDEO = path.join(ROOT, 'clip.webm');
const FER_TEST = path.join(SHARED_DIR, 'data', 'ferplus', 'Test');
const AFEW_DIR = path.join(SHARED_DIR, 'data', 'afew-va', '001');
const RECIPE = 'batch-e2e v5';

// ---------------------------------------------------------------------------------------------
// Fixtures

interface Expected {
  files: number;
  labelled: Record<string, number>;
}

function ferMajority(): { file: string; cls: string }[] {
  const rows = Papa.parse<string[]>(readFileSync(path.join(FER_TEST, 'label.csv'), 'utf8').trim(), { skipEmptyLines: true }).data;
  const out: { file: string; cls: string }[] = [];
  for (const r of rows) {
    const votes = r.slice(2, 12).map(Number);
    const max = Math.max(...votes);
    const k = votes.indexOf(max);
    // Clear majorities only (as a person curating a test folder would), and never unknown / not-a-face.
    if (k >= 8 || votes.filter((v) => v === max).length > 1) continue;
    out.push({ file: r[0], cls: FERPLUS_VOTE_ORDER[k] });
  }
  return out;
}

function ffmpeg(args: string[]) {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-threads', '1', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeFixtures(): Expected {
  const stamp = path.join(ROOT, '.recipe');
  const expectedFile = path.join(ROOT, 'expected.json');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === RECIPE && existsSync(expectedFile)) {
    return JSON.parse(readFileSync(expectedFile, 'utf8')) as Expected;
  }
  rmSync(ROOT, { recursive: true, force: true });
  mkdirSync(BATCH_DIR, { recursive: true });
  const labelled: Record<string, number> = Object.fromEntries(CLASSES.map((c) => [c, 0]));
  const fer = ferMajority();
  let files = 0;
  for (const cls of CLASSES) {
    const picks = fer.filter((f) => f.cls === cls).slice(0, PER_CLASS);
    const dir = path.join(BATCH_DIR, FOLDER_NAME[cls]);
    mkdirSync(dir, { recursive: true });
    for (const p of picks) copyFileSync(path.join(FER_TEST, p.file), path.join(dir, p.file));
    labelled[cls] = picks.length;
    files += picks.length;
  }
  // A PNG with a valid signature and header whose image data is garbage.
  const png = readFileSync(path.join(FER_TEST, fer[0].file));
  const idat = Buffer.concat([Buffer.from([0, 0, 0, 64]), Buffer.from('IDAT'), Buffer.alloc(64, 0xa5), Buffer.from([1, 2, 3, 4])]);
  const iend = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
  writeFileSync(path.join(BATCH_DIR, FOLDER_NAME.happy, 'corrupt.png'), Buffer.concat([png.subarray(0, 33), idat, iend]));
  labelled.happy++; // labelled by its folder, but it cannot be scored
  writeFileSync(path.join(BATCH_DIR, FOLDER_NAME.sad, 'notes.jpg'), 'These are my notes, not a photo.\n');
  labelled.sad++;
  files += 2;
  // 6000×6000: a FER+ face blown up (decode → downscale path).
  ffmpeg(['-i', path.join(FER_TEST, fer[1].file), '-vf', 'scale=6000:6000:flags=bicubic,format=yuvj420p', '-q:v', '8', '-f', 'mjpeg', path.join(BATCH_DIR, 'huge.jpg')]);
  files++;
  mkdirSync(path.join(BATCH_DIR, 'misc'));
  ffmpeg(['-i', path.join(AFEW_DIR, '00010.png'), '-q:v', '3', '-f', 'mjpeg', path.join(BATCH_DIR, 'misc', 'face.jpg')]);
  files++;
  // Two faces side by side, each about half the image (the landmarker misses faces much smaller than that).
  ffmpeg(['-i', path.join(SHARED_DIR, 'data', 'photos', 'astronaut.png'), '-i', path.join(AFEW_DIR, '00000.png'), '-filter_complex', '[0:v]crop=260:260:98:0[a];[1:v]crop=260:260:100:20[b];[a][b]hstack=inputs=2,format=yuvj420p', '-q:v', '3', '-f', 'mjpeg', path.join(BATCH_DIR, 'misc', 'two-faces.jpg')]);
  files++;
  writeFileSync(path.join(BATCH_DIR, 'readme.txt'), 'A folder for the batch test.\n');
  files++;
  // A flat grey image: no face. At 48×48 the size of a FER+ crop (read whole by default), at 640×480 a scene (never by
  // default). Not colour bars: on those, upscaled with padding, the landmarker finds a "face".
  const grey = (size: string, out: string) => ffmpeg(['-f', 'lavfi', '-i', `color=c=0x7f7f7f:size=${size}:rate=1:duration=1`, '-frames:v', '1', '-f', 'image2', '-c:v', 'png', out]);
  grey('48x48', path.join(BATCH_DIR, FOLDER_NAME.anger, 'grey-48.png'));
  labelled.anger++;
  files++;
  mkdirSync(WHOLE_DIR);
  grey('48x48', path.join(WHOLE_DIR, 'grey-48.png'));
  grey('640x480', path.join(WHOLE_DIR, 'grey-640.png'));
  // AFEW-VA frames with their valence/arousal (−10..10) in a generic CSV.
  const afew = JSON.parse(readFileSync(path.join(AFEW_DIR, '001.json'), 'utf8')) as { frames: Record<string, { valence: number; arousal: number }> };
  mkdirSync(path.join(BATCH_DIR, 'afew'));
  const lines = ['file,valence,arousal'];
  for (const key of Object.keys(afew.frames).sort().filter((_, i) => i % 7 === 0).slice(0, AFEW_FRAMES)) {
    copyFileSync(path.join(AFEW_DIR, `${key}.png`), path.join(BATCH_DIR, 'afew', `${key}.png`));
    lines.push(`${key}.png,${afew.frames[key].valence},${afew.frames[key].arousal}`);
    files++;
  }
  writeFileSync(path.join(BATCH_DIR, 'afew', 'labels.csv'), `${lines.join('\n')}\n`);

  mkdirSync(MANY_DIR);
  for (const f of fer.slice(100, 100 + MANY)) copyFileSync(path.join(FER_TEST, f.file), path.join(MANY_DIR, f.file));

  makeAfewClip(VIDEO);

  const expected: Expected = { files, labelled };
  writeFileSync(expectedFile, JSON.stringify(expected));
  writeFileSync(stamp, RECIPE);
  return expected;
}

// ---------------------------------------------------------------------------------------------
// A synthetic model pack: deterministic linear models (see onnxWriter.ts).

/** logits = flatten(input) · W + b, with deterministic weights. */
function linearModel(input: string, inDims: number[], nIn: number, weight: (i: number, k: number) => number): Uint8Array {
  const W = new Float32Array(nIn * 8);
  for (let i = 0; i < nIn; i++) for (let k = 0; k < 8; k++) W[i * 8 + k] = weight(i, k);
  const b = Float32Array.from({ length: 8 }, (_, k) => 0.05 * k);
  return linearOnnx({ input, inDims, W, b, name: 'synthetic_linear' });
}

/**
 * Weights odd under a left-right mirror (w(x, y) = −w(47 − x, y)): the logits of a crop and of its
 * mirror cancel, so a pack that really averages the two views gives exactly the bias, softmax(b),
 * for every face, while one view alone varies from face to face.
 */
const MODEL_2D = linearModel('image', [1, 1, 48, 48], 48 * 48, (i, k) => {
  const u = (i % 48) - 23.5;
  const y = Math.floor(i / 48);
  return 0.02 * Math.sin(y * 0.37 + k * 1.3) * (u / 23.5) + 0.01 * Math.sin(u * 0.2 * (k + 1));
});
/** Bias of the synthetic models (linearModel) and its softmax: the 2D output when the two views cancel. */
const BIAS_PROBS = (() => {
  const e = Array.from({ length: 8 }, (_, k) => Math.exp(0.05 * k));
  return e.map((v) => v / e.reduce((a, b) => a + b, 0));
})();
const MODEL_3D = linearModel('features', [1, 52], 52, (i, k) => 2 * Math.cos(i * 0.7 + k * 0.9));

function syntheticManifest(landmarker: Record<string, unknown>, with3d: boolean) {
  return {
    schemaVersion: 1,
    name: with3d ? 'batch-e2e-synthetic-2d3d' : 'batch-e2e-synthetic-2d',
    description: 'Synthetic test pack for the batch e2e test (random linear models).',
    synthetic: true,
    models: [
      landmarker,
      {
        id: 'synthetic2d',
        role: 'fei2d',
        file: 'synthetic_batch_2d.onnx',
        synthetic: true,
        input: {
          name: 'image',
          size: [48, 48],
          channels: 1,
          colorOrder: 'gray',
          layout: 'NCHW',
          range: '0-1',
          normalize: { mean: [0.5], std: [0.5] },
          crop: { kind: 'aligned', leftEye: [0.3, 0.38], rightEye: [0.7, 0.38], mouth: [0.5, 0.78] },
        },
        outputs: { logits: { name: 'logits', classOrder: [...CLASSES] } },
        // The 2D+3D pack asks for flip TTA on every face (no gate); the 2D-only pack has none.
        ...(with3d ? { testTimeAugmentation: { flip: true } } : {}),
      },
      ...(with3d
        ? [
            {
              id: 'synthetic3d',
              role: 'head3d',
              file: 'synthetic_batch_3d.onnx',
              synthetic: true,
              input: { name: 'features', features: [{ group: 'blendshapes', size: 52 }] },
              outputs: { logits: { name: 'logits', classOrder: [...CLASSES] } },
            },
          ]
        : []),
    ],
    fusion: { mode: with3d ? 'weighted' : '2d', weight2d: with3d ? 0.7 : 1, vaWeight2d: 0.6 },
  };
}

/** Serve the synthetic pack in place of the app's manifest (same origin), before the app loads. */
async function useSyntheticPack(page: Page, with3d: boolean) {
  const real = JSON.parse(readFileSync(path.join(REPO_ROOT, 'public', 'models', 'manifest.json'), 'utf8')) as {
    models: { role: string }[];
  };
  const landmarker = real.models.find((m) => m.role === 'landmarker')!;
  // On the context, so the inference workers' fetches are served too.
  const ctx = page.context();
  await ctx.route('**/models/manifest.json', (route) =>
    route.fulfill({ contentType: 'application/json', body: JSON.stringify(syntheticManifest(landmarker, with3d)) }),
  );
  await ctx.route('**/models/synthetic_batch_2d.onnx', (route) => route.fulfill({ contentType: 'application/octet-stream', body: Buffer.from(MODEL_2D) }));
  await ctx.route('**/models/synthetic_batch_3d.onnx', (route) => route.fulfill({ contentType: 'application/octet-stream', body: Buffer.from(MODEL_3D) }));
}

// ---------------------------------------------------------------------------------------------
// Helpers

async function openBatch(page: Page, with3d = true) {
  await useSyntheticPack(page, with3d);
  await page.goto('/');
  await expect(page.getByTestId('pack-name')).toHaveText(with3d ? 'batch-e2e-synthetic-2d3d' : 'batch-e2e-synthetic-2d', { timeout: 90_000 });
  // WebGPU on SwiftShader is very slow: force WASM like a person would, from the header.
  await page.getByLabel('execution provider').selectOption('wasm');
  await expect(page.getByTestId('ep-badge')).toHaveText('WASM', { timeout: 90_000 });
  await page.getByTestId('tab-batch').click();
  await expect(page.getByTestId('batch-view')).toBeVisible();
}

async function download(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { name: dl.suggestedFilename(), text: readFileSync((await dl.path())!, 'utf8') };
}

type CsvRow = Record<string, string>;
const parseCsv = (text: string) => Papa.parse<CsvRow>(text, { header: true, skipEmptyLines: true });

/** Accuracy, macro-F1 (over classes present in the labels) and recall, computed here from CSV columns. */
function scoreFromCsv(rows: CsvRow[], predCol: string) {
  const scored = rows.filter((r) => r.status === 'ok' && r.label && r[predCol]);
  const n = scored.length;
  const correct = scored.filter((r) => r.label === r[predCol]).length;
  const present = CLASSES.filter((c) => scored.some((r) => r.label === c));
  const recall: Record<string, number> = {};
  const f1s = present.map((c) => {
    const tp = scored.filter((r) => r.label === c && r[predCol] === c).length;
    const support = scored.filter((r) => r.label === c).length;
    const predicted = scored.filter((r) => r[predCol] === c).length;
    const rec = tp / support;
    const prec = predicted ? tp / predicted : 0;
    recall[c] = rec;
    return prec + rec > 0 ? (2 * prec * rec) / (prec + rec) : 0;
  });
  return { n, accuracy: correct / n, macroF1: f1s.reduce((a, b) => a + b, 0) / f1s.length, recall };
}

function vaFromCsv(rows: CsvRow[], which: 'valence' | 'arousal') {
  const pts = rows.filter((r) => r.status === 'ok' && r[`label_${which}`] !== '' && r[which] !== '').map((r) => [Number(r[`label_${which}`]), Number(r[which])]);
  const t = pts.map((p) => p[0]);
  const p = pts.map((q) => q[1]);
  const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
  const mt = mean(t);
  const mp = mean(p);
  const vt = mean(t.map((x) => (x - mt) ** 2));
  const vp = mean(p.map((x) => (x - mp) ** 2));
  const cov = mean(t.map((x, i) => (x - mt) * (p[i] - mp)));
  return {
    n: pts.length,
    ccc: (2 * cov) / (vt + vp + (mt - mp) ** 2),
    rmse: Math.sqrt(mean(t.map((x, i) => (x - p[i]) ** 2))),
    sagr: mean(t.map((x, i) => ((x >= 0) === (p[i] >= 0) ? 1 : 0))),
  };
}

async function metricValue(page: Page, testId: string): Promise<number> {
  return Number(await page.getByTestId(testId).getAttribute('data-value'));
}

async function progress(page: Page) {
  const el = page.getByTestId('batch-progress');
  return { done: Number(await el.getAttribute('data-done')), total: Number(await el.getAttribute('data-total')), state: await el.getAttribute('data-state') };
}

// ---------------------------------------------------------------------------------------------

let expected: Expected;
test.beforeAll(() => {
  expected = makeFixtures();
});

test.describe('batch mode', () => {
  test.describe.configure({ timeout: 300_000 });

  test('labelled folder: preview, run to 100%, a row per file with reasons, metrics match the exported CSV, exports, fusion fit, detail', async ({ page, diagnostics }) => {
    await openBatch(page, true);
    await page.getByTestId('batch-folder-input').setInputFiles(BATCH_DIR);

    // Preview before the run.
    const preview = page.getByTestId('batch-preview');
    await expect(preview).toBeVisible();
    for (const c of CLASSES) await expect(page.getByTestId(`preview-class-${c}`)).toHaveAttribute('data-count', String(expected.labelled[c]));
    await expect(page.getByTestId('preview-unmatched')).toContainText('misc');
    await expect(page.getByTestId('preview-unlabelled')).toContainText('batch/huge.jpg');
    await expect(page.getByTestId('preview-unlabelled')).toContainText('batch/misc/two-faces.jpg');
    await expect(page.getByTestId('preview-nonmedia')).toContainText('batch/readme.txt');
    await expect(page.getByTestId('preview-label-files')).toContainText('batch/afew/labels.csv');
    // A few files: one worker (a second one's start-up would cost more than it saves).
    // …and that one is the live view's, whose models are loaded already (no worker start-up).
    await expect(page.getByTestId('batch-pool-note')).toHaveAttribute('data-workers', '1');
    await expect(page.getByTestId('batch-pool-note')).toHaveAttribute('data-lent-worker', 'true');
    await expect(page.getByTestId('batch-pool-note')).toContainText("Runs in the live view's inference worker");
    const inferenceWorkers = () => page.workers().filter((w) => /inference/.test(w.url())).length;
    expect(inferenceWorkers()).toBe(1);

    // Run to the end.
    const t0 = Date.now();
    await page.getByTestId('batch-start').click();
    const bar = page.getByTestId('batch-progress');
    await expect(bar).toHaveAttribute('data-state', 'finished', { timeout: 240_000 });
    const seconds = (Date.now() - t0) / 1000;
    await expect(bar).toHaveAttribute('data-percent', '100');
    await expect(page.getByTestId('batch-notes')).toContainText("the live view's worker (models already loaded) on WASM");
    expect(inferenceWorkers()).toBe(1); // the run started no worker of its own
    const p = await progress(page);
    expect(p.total).toBe(expected.files);
    expect(p.done).toBe(expected.files);
    const ips = Number(await bar.getAttribute('data-ips'));
    test.info().annotations.push({ type: 'throughput', description: `${expected.files} files in ${seconds.toFixed(1)} s (app: ${ips.toFixed(2)} images/s)` });
    console.log(`[batch] ${expected.files} files, ${seconds.toFixed(1)} s wall, app reports ${ips.toFixed(2)} images/s`);
    await expect(page.getByTestId('results-count')).toHaveAttribute('data-total', String(expected.files));
    // Virtualised: only the rows in view (plus a few) are in the DOM, each with at most one thumbnail.
    const rendered = await page.getByTestId('results-row').count();
    expect(rendered).toBeGreaterThan(3);
    expect(rendered).toBeLessThan(expected.files);
    expect(await page.locator('[data-testid=results-row] img.thumb').count()).toBeLessThanOrEqual(rendered);
    // Sorting by file name, descending: the last path comes first.
    await page.getByTestId('sort-path').click();
    await page.getByTestId('sort-path').click();
    await expect(page.getByTestId('results-row').first()).toHaveAttribute('data-path', 'batch/surprise/' + readdirSync(path.join(BATCH_DIR, 'surprise')).sort().pop());
    await page.getByTestId('sort-id').click();

    // Failures carry their reasons (filter to errors: few rows, all rendered).
    await page.getByTestId('results-filter').selectOption('errors');
    const errorRows = page.getByTestId('results-row');
    await expect(errorRows).toHaveCount(3);
    await expect(page.locator('[data-testid=results-row][data-path$="corrupt.png"] [data-testid=row-reason]')).toContainText(/corrupt or truncated PNG/);
    await expect(page.locator('[data-testid=results-row][data-path$="notes.jpg"] [data-testid=row-reason]')).toContainText('contains text');
    await expect(page.locator('[data-testid=results-row][data-path$="readme.txt"] [data-testid=row-reason]')).toContainText('not an image or video');
    await page.getByTestId('results-filter').selectOption('all');

    // CSV: a row per file, and the app's metrics equal the ones computed here from it.
    const csv = await download(page, 'export-csv');
    expect(csv.name).toMatch(/\.csv$/);
    const parsed = parseCsv(csv.text);
    expect(parsed.errors).toEqual([]);
    const rows = parsed.data;
    expect(rows).toHaveLength(expected.files);
    expect(new Set(rows.map((r) => r.path)).size).toBe(expected.files);
    const byName = (suffix: string) => rows.find((r) => r.path.endsWith(suffix))!;
    expect(byName('corrupt.png')).toMatchObject({ status: 'error', label: 'happy' });
    expect(byName('notes.jpg').reason).toMatch(/not an image: the file contains text/);
    expect(byName('huge.jpg').status).not.toBe('error');
    expect(byName('huge.jpg').notes).toMatch(/downscaled/);
    expect(Number(byName('two-faces.jpg').face_count), JSON.stringify(byName('two-faces.jpg'))).toBe(2);
    expect(byName('two-faces.jpg').notes).toContain('2 faces found: using the largest');
    for (const r of rows) if (r.status !== 'ok') expect(r.reason, r.path).not.toBe('');
    // No face in a face-crop-sized image: the 2D model read it whole (the default), the row says so and stays 'no face'.
    expect(byName('grey-48.png')).toMatchObject({ status: 'no-face', label: 'anger', pred_3d: '' });
    expect(byName('grey-48.png').pred_2d).not.toBe('');
    expect(byName('grey-48.png').notes).toMatch(/looks like a tight face crop .* read it whole/);
    const faces = rows.filter((r) => r.status === 'ok');
    expect(faces.length, 'some images have a face').toBeGreaterThan(5);
    // The synthetic pack has a 3D head: faces have both branches and a fused prediction.
    for (const r of faces) expect([r.pred_2d, r.pred_3d, r.pred_fused].every(Boolean), r.path).toBe(true);
    // Its flip TTA (ungated) ran the mirrored crop for every face, and really mirrored it: with
    // mirror-odd weights the two views cancel to the bias (see MODEL_2D).
    expect(faces.map((r) => r.views_2d)).toEqual(faces.map(() => '2'));
    for (const r of faces) CLASSES.forEach((c, k) => expect(Number(r[`p2d_${c}`]), `${r.path} p2d_${c}`).toBeCloseTo(BIAS_PROBS[k], 4));

    await expect(page.getByTestId('metrics-table')).toBeVisible();
    // Rows read whole are answered but not scored: the three branches are scored on the same faces.
    const readWholeRows = rows.filter((r) => r.status === 'no-face' && r.label && r.pred_2d).length;
    expect(readWholeRows).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('metrics-coverage')).toHaveAttribute('data-read-whole', String(readWholeRows));
    await expect(page.getByTestId('metrics-coverage')).toContainText(`${readWholeRows} of them were read whole by the 2D model`);
    for (const [branch, col] of [['2d', 'pred_2d'], ['3d', 'pred_3d'], ['fused', 'pred_fused']] as const) {
      const s = scoreFromCsv(rows, col);
      expect(await metricValue(page, `metric-${branch}-n`)).toBe(s.n);
      expect(await metricValue(page, `metric-${branch}-accuracy`)).toBeCloseTo(s.accuracy, 9);
      expect(await metricValue(page, `metric-${branch}-macroF1`)).toBeCloseTo(s.macroF1, 9);
      for (const [c, rec] of Object.entries(s.recall)) expect(await metricValue(page, `metric-${branch}-recall-${c}`)).toBeCloseTo(rec, 9);
    }
    await expect(page.getByTestId('confusion')).toBeVisible();
    const confusionTotal = await page.locator('[data-testid=confusion] td[data-count]').evaluateAll((tds) => tds.reduce((a, td) => a + Number(td.getAttribute('data-count')), 0));
    expect(confusionTotal).toBe(scoreFromCsv(rows, 'pred_fused').n);

    // Valence / arousal metrics from the AFEW-VA labels.
    await expect(page.getByTestId('va-metrics')).toBeVisible();
    await expect(page.getByTestId('va-scatter')).toBeVisible();
    for (const which of ['valence', 'arousal'] as const) {
      const v = vaFromCsv(rows, which);
      expect(v.n).toBeGreaterThan(1);
      expect(await metricValue(page, `va-${which}-n`)).toBe(v.n);
      expect(await metricValue(page, `va-${which}-ccc`)).toBeCloseTo(v.ccc, 4);
      expect(await metricValue(page, `va-${which}-rmse`)).toBeCloseTo(v.rmse, 4);
      expect(await metricValue(page, `va-${which}-sagr`)).toBeCloseTo(v.sagr, 9);
    }

    // JSON and features CSV parse and agree.
    const json = JSON.parse((await download(page, 'export-json')).text) as { rows: { path: string; status: string; ms?: number; logits2d?: number[] }[]; classOrder: string[] };
    const slowest = [...json.rows].sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0)).slice(0, 5);
    console.log(`[batch] slowest rows: ${slowest.map((r) => `${r.path} ${Math.round(r.ms ?? 0)} ms`).join(', ')}`);
    const ferMs = json.rows.filter((r) => /fer\d+\.png$/.test(r.path) && r.ms).map((r) => r.ms!).sort((a, b) => a - b);
    console.log(`[batch] FER+ 48×48 rows: median ${Math.round(ferMs[ferMs.length >> 1])} ms per image per worker`);
    expect(json.rows).toHaveLength(expected.files);
    expect(json.classOrder).toEqual([...CLASSES]);
    expect(json.rows.filter((r) => r.status === 'ok').every((r) => r.logits2d?.length === 8)).toBe(true);
    const features = parseCsv((await download(page, 'export-features')).text);
    expect(features.errors).toEqual([]);
    expect(features.data).toHaveLength(faces.length);
    expect(Object.keys(features.data[0])).toEqual(expect.arrayContaining(['logit2d_happy', 'logit3d_happy', 'blendshapes_0', 'label']));

    // Fit the fusion weight on part of the data, check on the rest, download the manifest.
    await expect(page.getByTestId('fusion-fit')).toHaveAttribute('data-available', 'true');
    await page.getByTestId('fusion-fit-fraction').fill('50');
    await page.getByTestId('fusion-fit-run').click();
    const fit = page.getByTestId('fusion-fit-result');
    await expect(fit).toBeVisible();
    const w = Number(await fit.getAttribute('data-weight'));
    expect(w).toBeGreaterThanOrEqual(0);
    expect(w).toBeLessThanOrEqual(1);
    const labelledFaces = faces.filter((r) => r.label).length;
    expect(Number(await fit.getAttribute('data-nfit')) + Number(await fit.getAttribute('data-nheld'))).toBe(labelledFaces);
    for (const k of ['2d', '3d', 'before', 'after']) await expect(page.getByTestId(`fusion-held-${k}`)).toBeVisible();
    const manifest = JSON.parse((await download(page, 'fusion-fit-download')).text) as { name: string; fusion: { mode: string; weight2d: number } };
    expect(manifest.name).toBe('batch-e2e-synthetic-2d3d');
    expect(manifest.fusion).toMatchObject({ mode: 'weighted', weight2d: w });

    // Detail view: re-run one face with crops, landmarks and the 3D face.
    await page.getByTestId('results-filter').selectOption('faces');
    await page.getByTestId('results-row').first().click();
    const detail = page.getByTestId('row-detail');
    await expect(detail).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await expect(detail.getByTestId('detail-crop')).toHaveCount(1);
    await expect(detail.getByTestId('detail-bars-3d')).toBeVisible();
    await expect(detail.getByTestId('detail-va')).not.toHaveText('—');
    const meshPixels = await detail.getByTestId('detail-mesh').evaluate((c: HTMLCanvasElement) => c.width * c.height);
    expect(meshPixels).toBeGreaterThan(0);
    await page.getByTestId('detail-close').click();
    await expect(detail).toHaveCount(0);

    // The "wrong predictions" filter shows exactly the labelled faces the fused prediction gets wrong.
    await page.getByTestId('results-filter').selectOption('wrong');
    // Images read whole without a face count too: their answer is wrong or right like any other.
    const wrong = rows.filter((r) => r.status !== 'error' && r.label && (r.pred_fused || r.pred_2d) && r.label !== (r.pred_fused || r.pred_2d)).length;
    await expect(page.getByTestId('results-count')).toHaveAttribute('data-count', String(wrong));
    // In the table, the row says it was read whole.
    await page.getByTestId('results-filter').selectOption('no-face');
    await expect(page.locator('[data-testid=results-row][data-path$="grey-48.png"] [data-read-whole]')).toHaveText('no face · read whole');
    // Its detail re-runs it as the run did: the whole image is the 2D model's crop, and the notes say why.
    await page.locator('[data-testid=results-row][data-path$="grey-48.png"]').click();
    await expect(detail).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await expect(detail.getByTestId('detail-crop')).toHaveCount(1);
    await expect(detail.getByTestId('detail-bars-2d')).toBeVisible();
    await expect(detail.getByTestId('detail-bars-3d')).toHaveCount(0);
    await expect(detail).toContainText('looks like a tight face crop');
    await page.getByTestId('detail-close').click();

    // The "No face found" choice, on a folder of two images without a face: a 48×48 one and a 640×480 one.
    await page.getByTestId('batch-folder-input').setInputFiles(WHOLE_DIR);
    const readWholeIn = async (choice: string) => {
      await page.getByTestId('batch-whole-image').selectOption(choice);
      await page.getByTestId('batch-start').click();
      await expect(bar).toHaveAttribute('data-state', 'finished', { timeout: 60_000 });
      const out = parseCsv((await download(page, 'export-csv')).text).data;
      expect(out.map((r) => r.status)).toEqual(['no-face', 'no-face']);
      return out.filter((r) => r.pred_2d).map((r) => path.basename(r.path)).sort();
    };
    expect(await readWholeIn('face-crops')).toEqual(['grey-48.png']);
    expect(await readWholeIn('always')).toEqual(['grey-48.png', 'grey-640.png']);
    await expect(page.locator('[data-testid=results-row] [data-read-whole]')).toHaveCount(2);
    expect(await readWholeIn('off')).toEqual([]);
    await expect(page.locator('[data-testid=results-row] [data-read-whole]')).toHaveCount(0);

    // MediaPipe's wasm prints its INFO/WARNING log lines to stderr (console.error): not errors.
    expect(diagnostics.consoleErrors.filter((m) => !/^(INFO|WARNING): |^[IW]\d{4} /.test(m))).toEqual([]);
  });

  test('pause, resume and cancel; a worker of the run\'s own joins the live view\'s while it runs', async ({ page }) => {
    await openBatch(page, true);
    await page.getByTestId('batch-folder-input').setInputFiles(MANY_DIR);
    await expect(page.getByTestId('preview-images')).toHaveAttribute('data-count', String(MANY));
    // More than a few dozen images: the live view's worker starts them, a worker of the run's own joins it.
    const poolNote = page.getByTestId('batch-pool-note');
    await expect(poolNote).toHaveAttribute('data-lent-worker', 'true');
    await expect(poolNote).toHaveAttribute('data-workers', '2');
    await expect(poolNote).toContainText("Starts at once in the live view's inference worker, whose models are already loaded; a worker of the run's own joins it when up");
    const inferenceWorkers = () => page.workers().filter((w) => /inference/.test(w.url())).length;
    expect(inferenceWorkers()).toBe(1);
    await page.getByTestId('batch-start').click();
    const bar = page.getByTestId('batch-progress');
    await expect.poll(async () => (await progress(page)).done, { timeout: 120_000 }).toBeGreaterThanOrEqual(4);

    await page.getByTestId('batch-pause').click();
    await expect(bar).toHaveAttribute('data-state', 'paused');
    await expect(page.getByTestId('batch-resume')).toBeVisible();
    // Items already in flight when pausing still finish: wait until the count settles.
    let pausedAt = (await progress(page)).done;
    for (let i = 0; i < 30; i++) {
      await page.waitForTimeout(1000);
      const now = (await progress(page)).done;
      if (now === pausedAt) break;
      pausedAt = now;
    }
    await page.waitForTimeout(2500);
    expect((await progress(page)).done, 'nothing runs while paused').toBe(pausedAt);
    expect(pausedAt).toBeLessThan(MANY);
    // Items are left, so the run's own worker joins once it is up (paused like the other) …
    await expect(page.getByTestId('batch-notes')).toContainText(/the live view's worker \(models already loaded\), joined after \d+\.\d s by a worker of the run's own, on WASM/, { timeout: 60_000 });
    expect(inferenceWorkers()).toBe(2);
    await page.waitForTimeout(1000);
    expect((await progress(page)).done, 'the worker that joined waits for Resume too').toBe(pausedAt);

    await page.getByTestId('batch-resume').click();
    await expect(bar).toHaveAttribute('data-state', 'running');
    await expect.poll(async () => (await progress(page)).done, { timeout: 60_000 }).toBeGreaterThan(pausedAt + 2);

    await page.getByTestId('batch-cancel').click();
    await expect(bar).toHaveAttribute('data-state', 'cancelled', { timeout: 60_000 });
    // … and is closed when the run ends; the live view's worker stays.
    await expect.poll(inferenceWorkers, { timeout: 30_000 }).toBe(1);
    const end = await progress(page);
    expect(end.done).toBeLessThan(MANY);
    await expect(page.getByTestId('batch-cancelled')).toBeVisible();
    await expect(page.getByTestId('results-count')).toHaveAttribute('data-total', String(end.done));
    // The rows that ran are exportable.
    const csv = parseCsv((await download(page, 'export-csv')).text);
    expect(csv.data).toHaveLength(end.done);
  });

  test("a worker of the run's own that cannot start: the live view's worker runs the batch alone and the notes say why", async ({ page }) => {
    await openBatch(page, true);
    await page.getByTestId('batch-folder-input').setInputFiles(MANY_DIR);
    await expect(page.getByTestId('preview-images')).toHaveAttribute('data-count', String(MANY));
    await expect(page.getByTestId('batch-pool-note')).toHaveAttribute('data-workers', '2');
    const inferenceWorkers = () => page.workers().filter((w) => /inference/.test(w.url())).length;
    expect(inferenceWorkers()).toBe(1);
    // The next inference worker the page creates gets a script that throws as it loads (as a script
    // the browser could not fetch or compile would): the worker that was to join never comes up.
    await page.evaluate(() => {
      const Original = window.Worker;
      const broken = URL.createObjectURL(new Blob(["throw new Error('simulated start failure (e2e)');"], { type: 'text/javascript' }));
      window.Worker = class extends Original {
        constructor(url: string | URL, options?: WorkerOptions) {
          const fail = options?.name === 'inference';
          if (fail) window.Worker = Original;
          super(fail ? broken : url, options);
        }
      };
    });
    await page.getByTestId('batch-start').click();
    await expect(page.getByTestId('batch-notes')).toContainText(
      /a worker of the run's own could not start \(inference worker failed to start: .*simulated start failure \(e2e\).*\): the live view's worker ran alone/,
      { timeout: 60_000 },
    );
    await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-state', 'finished', { timeout: 240_000 });
    const csv = parseCsv((await download(page, 'export-csv')).text).data;
    expect(csv).toHaveLength(MANY);
    expect(csv.filter((r) => r.status === 'error')).toEqual([]);
    expect(inferenceWorkers(), "only the live view's worker is left").toBe(1);
    await expect(page.getByTestId('batch-notes')).not.toContainText('joined after');
  });

  test('a worker that crashes mid-run: its item becomes an error row with the reason, and the batch finishes', async ({ page }) => {
    await openBatch(page, true);
    await page.getByTestId('batch-folder-input').setInputFiles(MANY_DIR);
    await expect(page.getByTestId('preview-images')).toHaveAttribute('data-count', String(MANY));
    // The run starts on the live view's worker (a worker of its own joins it later, not patched).
    const workers = page.workers().filter((w) => /inference/.test(w.url()));
    expect(workers.length).toBe(1);
    await page.getByTestId('batch-start').click();
    await expect.poll(async () => (await progress(page)).done, { timeout: 120_000 }).toBeGreaterThanOrEqual(4);
    // A real uncaught error inside the lent inference worker (as an out-of-memory abort would be), on
    // the next frame it receives, once.
    for (const w of workers)
      await w.evaluate(() => {
        const scope = self as unknown as { onmessage: ((ev: MessageEvent) => unknown) | null };
        const original = scope.onmessage!;
        scope.onmessage = (ev: MessageEvent) => {
          if ((ev.data as { type?: string })?.type !== 'frame') return original.call(self, ev);
          scope.onmessage = original;
          throw new Error('simulated worker crash (e2e)');
        };
      });
    await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-state', 'finished', { timeout: 240_000 });
    const csv = parseCsv((await download(page, 'export-csv')).text).data;
    expect(csv).toHaveLength(MANY);
    expect(new Set(csv.map((r) => r.path)).size).toBe(MANY);
    const errors = csv.filter((r) => r.status === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(workers.length);
    for (const r of errors) expect(r.reason).toMatch(/the inference worker crashed on this item \(inference worker crashed: .*simulated worker crash \(e2e\)\); the worker was replaced/);
    // The replaced workers went on: rows after the crash are real results.
    expect(csv.filter((r) => r.status === 'ok').length).toBeGreaterThan(MANY - errors.length - 20);
    // The crashed worker was the live view's: its pipeline was opened again, in a new worker.
    await expect(page.getByTestId('ep-badge')).toHaveText('WASM', { timeout: 90_000 });
    await expect(page.getByTestId('pipeline-notice')).toContainText('simulated worker crash (e2e)');
    await expect.poll(() => page.workers().filter((w) => /inference/.test(w.url()) && !workers.includes(w)).length, { timeout: 30_000 }).toBe(2);
  });

  test('video: one row per sampled frame and a timeline; a 2D-only pack explains why fusion cannot be fitted', async ({ page }) => {
    await openBatch(page, false);
    await page.getByTestId('batch-files-input').setInputFiles(VIDEO);
    await expect(page.getByTestId('preview-videos')).toHaveAttribute('data-count', '1');
    // The preview reads the clip's length and counts its frames at the chosen rate: a short clip runs
    // on the live view's worker, whose models are loaded, like a few images.
    const note = page.getByTestId('batch-pool-note');
    await page.getByTestId('batch-fps').fill('2');
    await expect(note).toContainText('The video gives 5 frames at 2/s.');
    await page.getByTestId('batch-fps').fill('5');
    await expect(note).toContainText('The video gives 11 frames at 5/s.');
    await expect(note).toHaveAttribute('data-items', '11');
    await expect(note).toHaveAttribute('data-lent-worker', 'true');
    const inferenceWorkers = () => page.workers().filter((w) => /inference/.test(w.url())).length;
    expect(inferenceWorkers()).toBe(1);
    await page.getByTestId('batch-start').click();
    const bar = page.getByTestId('batch-progress');
    await expect(bar).toHaveAttribute('data-state', 'finished', { timeout: 180_000 });
    await expect(page.getByTestId('batch-notes')).toContainText("the live view's worker (models already loaded) on WASM");
    expect(inferenceWorkers()).toBe(1); // the run started no worker of its own
    // 2.1 s at 5 frames/s: t = 0, 0.2, …, 2.0.
    const p = await progress(page);
    expect(p.total).toBe(11);
    expect(p.done).toBe(11);
    const timeline = page.getByTestId('timeline');
    await expect(timeline).toHaveAttribute('data-video', 'clip.webm');
    await expect(timeline).toHaveAttribute('data-points', '11');
    await expect(timeline.locator('polyline').first()).toBeVisible();

    const rows = parseCsv((await download(page, 'export-csv')).text).data;
    expect(rows.map((r) => Number(r.video_time_s))).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8, 2]);
    expect(rows.every((r) => r.video === 'clip.webm' && r.path.startsWith('clip.webm#t='))).toBe(true);
    expect(rows.filter((r) => r.status === 'ok').length, 'the actor is found in most frames').toBeGreaterThan(5);
    expect(rows.filter((r) => r.status === 'ok').every((r) => r.pred_2d && !r.pred_3d)).toBe(true);
    expect(rows.every((r) => r.views_2d === ''), 'no flip policy, no views count').toBe(true);
    // One view alone does not cancel: the 2D output varies from frame to frame.
    const p2dNeutral = new Set(rows.filter((r) => r.status === 'ok').map((r) => r.p2d_neutral));
    expect(p2dNeutral.size, 'one view gives face-dependent 2D outputs').toBeGreaterThan(1);

    // Detail of a video frame: the frame is sought again and re-run with its crop.
    await page.getByTestId('results-filter').selectOption('faces');
    await page.getByTestId('results-row').first().click();
    await expect(page.getByTestId('row-detail')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await expect(page.getByTestId('detail-crop')).toHaveCount(1);
    await page.getByTestId('detail-close').click();

    await expect(page.getByTestId('metrics-none')).toBeVisible();
    await expect(page.getByTestId('fusion-fit')).toHaveAttribute('data-available', 'false');
    await expect(page.getByTestId('fusion-fit-unavailable')).toContainText('needs a 3D head');
  });

  test('dropping files (DataTransfer) works like picking them', async ({ page }) => {
    await openBatch(page, false);
    const fer = readdirSync(path.join(BATCH_DIR, 'neutral')).slice(0, 2);
    const files = [
      ...fer.map((f) => ({ name: f, type: 'image/png', b64: readFileSync(path.join(BATCH_DIR, 'neutral', f)).toString('base64') })),
      { name: 'renamed.png', type: 'image/png', b64: Buffer.from('plain text, not a PNG').toString('base64') },
    ];
    const dataTransfer = await page.evaluateHandle((list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
      return dt;
    }, files);
    await page.getByTestId('batch-dropzone').dispatchEvent('dragover', { dataTransfer });
    await page.getByTestId('batch-dropzone').dispatchEvent('drop', { dataTransfer });
    await expect(page.getByTestId('preview-images')).toHaveAttribute('data-count', '3');
    await page.getByTestId('batch-start').click();
    await expect(page.getByTestId('batch-progress')).toHaveAttribute('data-state', 'finished', { timeout: 120_000 });
    await expect(page.getByTestId('results-count')).toHaveAttribute('data-total', '3');
    await page.getByTestId('results-filter').selectOption('errors');
    await expect(page.locator('[data-testid=results-row][data-path="renamed.png"] [data-testid=row-reason]')).toContainText('not an image: the file contains text (named .png)');
  });
});
