/**
 * npx tsx scripts/cli/compare-paths.ts <batch.csv> <features.csv> [--head public/models/head3d.onnx]
 * Image-by-image comparison of the app's two scoring paths on the same inputs (issue #12): the CSV of
 * `npm run batch` and the features CSV of `npm run extract`. Prints where they differ (detection,
 * which images have 3D features, the 3D features, the 3D probabilities and class), how many images
 * each branch gets right over every labelled image and over the faces only, and whether the 3D head
 * run offline on the features CSV (onnxruntime-node) reproduces the app's own 3D logits.
 * Both CSVs must come from the same build with the same calibration (the batch default and extract: off).
 */
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import Papa from 'papaparse';
import { EXPRESSIONS } from '../../src/core/classes/expressionClasses';
import { parseArgs } from './args';

type Row = Record<string, string>;
const { positional, flags } = parseArgs(process.argv.slice(2));
if (positional.length !== 2) {
  console.error('usage: npx tsx scripts/cli/compare-paths.ts <batch.csv> <features.csv> [--head head3d.onnx]');
  process.exit(2);
}
const read = (p: string) => Papa.parse<Row>(readFileSync(p, 'utf8'), { header: true, skipEmptyLines: true }).data;
const batch = new Map(read(positional[0]).map((r) => [r.path, r]));
const extract = read(positional[1]);
const featureCols = Object.keys(extract[0] ?? {}).filter((k) => /^(blendshapes|headPose)_\d+$/.test(k));
const argmax = (v: number[]) => v.reduce((b, x, i) => (x > v[b] ? i : b), 0);
const logits3d = (r: Row) => EXPRESSIONS.map((c) => Number(r[`logit3d_${c}`]));

let detectionDiffers = 0;
let presenceDiffers = 0;
let classDiffers = 0;
let maxProb = 0;
let maxFeature = 0;
const noFaceLabels: Record<string, number> = {};
const right = { images: 0, faces: 0, rightBatch: 0, rightExtract: 0 };
const faces: Row[] = [];
for (const e of extract) {
  const b = batch.get(e.path);
  if (!b) throw new Error(`${e.path} is in the features CSV but not in the batch CSV`);
  if (b.detection !== e.detection) detectionDiffers++;
  const label = e.label_index === '' ? -1 : Number(e.label_index);
  if (label >= 0) right.images++;
  const has = { batch: b.pred_3d !== '', extract: e.logit3d_neutral !== '' };
  if (has.batch !== has.extract) presenceDiffers++;
  if (!has.extract) {
    if (label >= 0) noFaceLabels[e.label] = (noFaceLabels[e.label] ?? 0) + 1;
    continue;
  }
  faces.push(e);
  const l = logits3d(e);
  const m = Math.max(...l);
  const z = l.reduce((s, x) => s + Math.exp(x - m), 0);
  EXPRESSIONS.forEach((c, i) => (maxProb = Math.max(maxProb, Math.abs(Math.exp(l[i] - m) / z - Number(b[`p3d_${c}`])))));
  for (const k of featureCols) maxFeature = Math.max(maxFeature, Math.abs(Number(b[k]) - Number(e[k])));
  const cls = EXPRESSIONS[argmax(l)];
  if (has.batch && cls !== b.pred_3d) classDiffers++;
  if (label >= 0) {
    right.faces++;
    right.rightExtract += Number(argmax(l) === label);
    right.rightBatch += Number(b.pred_3d === EXPRESSIONS[label]);
  }
}
const pct = (a: number, n: number) => `${((100 * a) / n).toFixed(2)} %`;
console.log(`${extract.length} images (${batch.size} in the batch CSV); ${faces.length} with 3D features; ${right.images} labelled`);
console.log(`detection differs on ${detectionDiffers}; 3D features present in one path only on ${presenceDiffers}; 3D class differs on ${classDiffers}`);
console.log(`max |Δ feature| ${maxFeature.toExponential(2)}; max |Δ p3d| (batch probs vs softmax of extract's logits) ${maxProb.toExponential(2)}`);
console.log(`labelled images without 3D features, by label: ${JSON.stringify(noFaceLabels)}`);
console.log(`3D head right: batch ${right.rightBatch}, extract ${right.rightExtract}; over every labelled image ${pct(right.rightBatch, right.images)} (n ${right.images}), over the faces only ${pct(right.rightBatch, right.faces)} (n ${right.faces})`);

const headPath = typeof flags.head === 'string' ? flags.head : 'public/models/head3d.onnx';
const session = await ort.InferenceSession.create(headPath);
const x = Float32Array.from(faces.flatMap((r) => featureCols.map((k) => Number(r[k]))));
const out = (await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [faces.length, featureCols.length]) }))[session.outputNames[0]].data as Float32Array;
let maxLogit = 0;
let offlineDiffers = 0;
let rightOffline = 0;
faces.forEach((r, i) => {
  const app = logits3d(r);
  const offline = Array.from(out.subarray(i * 8, i * 8 + 8));
  app.forEach((v, j) => (maxLogit = Math.max(maxLogit, Math.abs(v - offline[j]))));
  if (argmax(app) !== argmax(offline)) offlineDiffers++;
  if (r.label_index !== '' && argmax(offline) === Number(r.label_index)) rightOffline++;
});
console.log(`${headPath} run offline on the features CSV's features vs the app's 3D logits: max |Δ| ${maxLogit.toExponential(2)}, class differs on ${offlineDiffers}; right ${rightOffline} (${pct(rightOffline, right.images)})`);
