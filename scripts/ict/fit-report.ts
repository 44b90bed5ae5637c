/**
 * Identity-fit error of the ICT head on real faces, from the app's own pipeline output:
 *
 *   npm run build
 *   npm run extract -- ../shared/data/afew-va/001 --out /tmp/afew.features.csv --landmarks /tmp/afew.lm.f32
 *   npx tsx scripts/ict/fit-report.ts /tmp/afew.features.csv /tmp/afew.lm.f32 [--name afew-va-001] [--write]
 *
 * Frames with a face are split alternately: even rows feed the running fit (one update each, in order,
 * as live mode would), odd rows are held out and only measured (best similarity, identity fixed). The
 * error is the mean distance between MediaPipe's landmarks and the ICT head's 68 landmarks in mm of the
 * ICT model, against the mean head (identity 0) as the baseline. One-image folders are reported
 * in-sample (30 fit steps on the image). --write adds the result to public/models/ict_head.metrics.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import Papa from 'papaparse';
import { parseIctHead } from '../../src/core/ict/ictAsset';
import { buildIctMapping, mapBlendshapes } from '../../src/core/ict/ictBlendshapes';
import { IdentityFitter } from '../../src/core/ict/identityFit';
import { MULTIPIE68_TO_MEDIAPIPE } from '../../src/core/ict/landmarkCorrespondence';

const [csvPath, lmPath] = process.argv.slice(2);
const name = process.argv.includes('--name') ? process.argv[process.argv.indexOf('--name') + 1] : csvPath;
const head = parseIctHead(new Uint8Array(readFileSync('public/models/ict_head.bin')));
const mapping = buildIctMapping(head.expressions.map((e) => e.name));
const rows = Papa.parse<Record<string, string>>(readFileSync(csvPath, 'utf8'), { header: true, skipEmptyLines: true }).data;
const lmBytes = readFileSync(lmPath);
const lm = new Float32Array(lmBytes.buffer, lmBytes.byteOffset, lmBytes.byteLength / 4);
if (lm.length !== rows.length * 478 * 3) throw new Error(`${lmPath}: ${lm.length} floats, expected ${rows.length} rows × 478 × 3`);

const faces = rows
  .map((r, i) => ({ r, i }))
  .filter(({ r }) => r.status === 'ok')
  .sort((a, b) => a.r.path.localeCompare(b.r.path))
  .map(({ r, i }) => {
    const observed = new Float64Array(68 * 3);
    MULTIPIE68_TO_MEDIAPIPE.forEach((m, k) => observed.set(lm.subarray((i * 478 + m) * 3, (i * 478 + m) * 3 + 3), 3 * k));
    const scores = Array.from({ length: 52 }, (_, j) => Number(r[`blendshapes_${j}`]));
    return { path: r.path, observed, expression: mapBlendshapes(scores, mapping) };
  });
if (!faces.length) throw new Error('no faces in the features file');

const fitter = new IdentityFitter(head);
const zero = new Float64Array(fitter.components);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
let result: Record<string, unknown>;
if (faces.length === 1) {
  const f = faces[0];
  const before = fitter.measure(f.observed, f.expression, zero);
  for (let k = 0; k < 30; k++) fitter.update(f.observed, f.expression);
  result = { images: 1, inSampleMm: fitter.measure(f.observed, f.expression), meanHeadMm: before };
} else {
  const fit = faces.filter((_, k) => k % 2 === 0);
  const held = faces.filter((_, k) => k % 2 === 1);
  const t0 = performance.now();
  for (const f of fit) fitter.update(f.observed, f.expression);
  const msPerUpdate = (performance.now() - t0) / fit.length;
  result = {
    fitFrames: fit.length,
    heldOutFrames: held.length,
    heldOutMm: mean(held.map((f) => fitter.measure(f.observed, f.expression))),
    heldOutMeanHeadMm: mean(held.map((f) => fitter.measure(f.observed, f.expression, zero))),
    inSampleMm: mean(fit.map((f) => fitter.measure(f.observed, f.expression))),
    fitUpdateMs: msPerUpdate,
    coefficientNorm: Math.hypot(...fitter.coefficients),
  };
}
console.log(JSON.stringify({ [name]: result }, null, 2));
if (process.argv.includes('--write')) {
  const p = 'public/models/ict_head.metrics.json';
  const m = JSON.parse(readFileSync(p, 'utf8'));
  m.fit = { ...(m.fit ?? {}), [name]: { ...result, landmarks: 'MediaPipe canonical-frame landmarks from `npm run extract`, 68-point correspondence', errorUnit: 'mean landmark distance, mm of the ICT model' } };
  writeFileSync(p, JSON.stringify(m, null, 2) + '\n');
}
