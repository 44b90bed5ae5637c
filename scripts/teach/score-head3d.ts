// Offline helper for training/make_blendshape_presets.py --head-logits: run a head3d ONNX (raw
// blendshapes + headPose in, logits out, AffectNet order) over a features CSV from `npm run extract`
// and write the logits as float32 [rows, 8] (NaN rows where the image had no face).
//   npx tsx scripts/teach/score-head3d.ts public/models/head3d.onnx .cache/features/train.csv .cache/features/train.head3d.f32
import { readFileSync, writeFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import Papa from 'papaparse';

const [onnxPath, csvPath, outPath] = process.argv.slice(2);
if (!onnxPath || !csvPath || !outPath) {
  console.error('usage: score-head3d.ts <head3d.onnx> <features.csv> <out.f32>');
  process.exit(2);
}
const rows = Papa.parse<Record<string, string>>(readFileSync(csvPath, 'utf8'), { header: true, skipEmptyLines: true }).data;
const cols = [...Array.from({ length: 52 }, (_, i) => `blendshapes_${i}`), ...Array.from({ length: 6 }, (_, i) => `headPose_${i}`)];
const session = await ort.InferenceSession.create(onnxPath);
const input = session.inputNames[0];
const out = new Float32Array(rows.length * 8).fill(NaN);
// One row at a time keeps models exported with a fixed batch of 1 working.
for (const [k, r] of rows.entries()) {
  if (r.status !== 'ok' || !r[cols[0]]) continue;
  const x = Float32Array.from(cols, (c) => Number(r[c]));
  const res = await session.run({ [input]: new ort.Tensor('float32', x, [1, x.length]) });
  out.set(res.logits.data as Float32Array, k * 8);
}
writeFileSync(outPath, Buffer.from(out.buffer));
console.log(`wrote ${rows.length}×8 logits to ${outPath}`);
