// Score public/models/fer2d.onnx with onnxruntime-web (WASM backend) in Node, on the
// preprocessed FER+ Valid/Test tensors written by export_fer2d.py, and record the numbers
// (plus logit parity against PyTorch) under `onnxruntimeWeb` in fer2d.metrics.json.
//
//   npx tsx training/eval_ort_web.mjs [--model public/models/fer2d.onnx]
//        [--bin-prefix /tmp/fer2d] [--metrics public/models/fer2d.metrics.json]
//
// This runs the same runtime the browser uses, and the app's own gated flip TTA (the policy
// export_fer2d.py chose on Valid, read from the metrics file), so the card's numbers are what
// users get. (tsx: it imports the app's TypeScript.)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { meanLogits, needsMirror } from '../src/core/inference/testTimeFlip.ts';
import { softmax } from '../src/core/fusion/lateFusion.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const modelPath = resolve(args.model ?? `${repo}/public/models/fer2d.onnx`);
const binPrefix = args['bin-prefix'] ?? '/tmp/fer2d';
const metricsPath = resolve(args.metrics ?? `${repo}/public/models/fer2d.metrics.json`);

// FER+ output order -> AffectNet names (same mapping as training/ferplus.py).
const AFFECTNET = ['Neutral', 'Happy', 'Sad', 'Surprise', 'Fear', 'Disgust', 'Anger', 'Contempt'];
const AFFECTNET_FROM_FERPLUS = [0, 1, 3, 2, 6, 5, 4, 7];
const C = 8;
const PIX = 48 * 48;

function readF32(path) {
  const b = readFileSync(path);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

function summarize(yTrue, yPred) {
  const cm = Array.from({ length: C }, () => new Array(C).fill(0));
  yTrue.forEach((t, i) => { cm[t][yPred[i]] += 1; });
  const n = yTrue.length;
  let correct = 0;
  const recall = [], f1 = [], support = [];
  for (let k = 0; k < C; k++) {
    const tp = cm[k][k];
    correct += tp;
    const sup = cm[k].reduce((a, b) => a + b, 0);
    const pred = cm.reduce((a, row) => a + row[k], 0);
    const r = sup ? tp / sup : 0;
    const p = pred ? tp / pred : 0;
    recall.push(r);
    support.push(sup);
    f1.push(p + r ? (2 * p * r) / (p + r) : 0);
  }
  return {
    n,
    accuracy: correct / n,
    macroF1: f1.reduce((a, b) => a + b, 0) / C,
    perClassRecall: Object.fromEntries(AFFECTNET.map((name, j) => [name, recall[AFFECTNET_FROM_FERPLUS[j]]])),
    perClassSupport: Object.fromEntries(AFFECTNET.map((name, j) => [name, support[AFFECTNET_FROM_FERPLUS[j]]])),
  };
}

ort.env.wasm.numThreads = 1; // Node has no cross-origin isolation concerns, but 1 thread keeps it simple and deterministic
const session = await ort.InferenceSession.create(readFileSync(modelPath), { executionProviders: ['wasm'] });
if (session.inputNames[0] !== 'image' || session.outputNames[0] !== 'logits') {
  throw new Error(`unexpected I/O names ${session.inputNames} -> ${session.outputNames}`);
}
// package.json is not in the package's "exports", so take the version from ort.env.
const ortVersion = ort.env.versions?.web ?? 'unknown';

const metrics = JSON.parse(readFileSync(metricsPath, 'utf8'));
const policy = metrics.testTimeAugmentation?.policy;
if (!policy) throw new Error(`${metricsPath} has no testTimeAugmentation.policy: run export_fer2d.py first`);

/** The same tensor mirrored left-right (48×48 planes): what the app gets from mirroring the crop. */
function mirrorPlanes(x, m) {
  const out = new Float32Array(m * PIX);
  for (let p = 0; p < m * 48; p++) for (let c = 0; c < 48; c++) out[p * 48 + c] = x[p * 48 + 47 - c];
  return out;
}

const report = { version: ortVersion, backend: 'wasm', numThreads: 1, testTimeAugmentation: policy };
for (const split of ['valid', 'test']) {
  const pre = `${binPrefix}_${split}`;
  const input = readF32(`${pre}.input.f32`);
  const labels = Array.from(readFileSync(`${pre}.label.u8`));
  const torchLogits = readF32(`${pre}.torch_logits.f32`);
  const torchMirrored = readFileSync(`${pre}.torch_mirrored.u8`);
  const n = labels.length;
  if (input.length !== n * PIX) throw new Error(`${split}: input size mismatch`);
  const preds = [];
  // Logit parity is measured where both runtimes made the same gate decision; a face whose margin
  // sits right at the threshold can be mirrored in one and not the other (counted apart).
  let maxAbsDiff = 0, argmaxAgree = 0, mirrored = 0, gateAgree = 0;
  const t0 = performance.now();
  const B = 256;
  for (let s = 0; s < n; s += B) {
    const m = Math.min(B, n - s);
    const batch = input.subarray(s * PIX, (s + m) * PIX);
    const plain = (await session.run({ image: new ort.Tensor('float32', batch, [m, 1, 48, 48]) })).logits.data;
    const flipped = (await session.run({ image: new ort.Tensor('float32', mirrorPlanes(batch, m), [m, 1, 48, 48]) })).logits.data;
    for (let i = 0; i < m; i++) {
      const first = plain.slice(i * C, (i + 1) * C);
      const use = needsMirror(policy, softmax(first));
      if (use) mirrored++;
      const sameGate = use === (torchMirrored[s + i] === 1);
      if (sameGate) gateAgree++;
      const y = use ? meanLogits(first, flipped.slice(i * C, (i + 1) * C)) : first;
      let best = 0, tBest = 0;
      for (let k = 0; k < C; k++) {
        const v = y[k], tv = torchLogits[(s + i) * C + k];
        if (sameGate) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - tv));
        if (v > y[best]) best = k;
        if (tv > torchLogits[(s + i) * C + tBest]) tBest = k;
      }
      preds.push(best);
      if (best === tBest) argmaxAgree++;
    }
  }
  const ms = performance.now() - t0;
  report[split] = summarize(labels, preds);
  report[split].parityVsPytorch = { maxAbsLogitDiff: maxAbsDiff, argmaxAgreement: argmaxAgree / n, gateAgreement: gateAgree / n };
  report[split].msPerImage = ms / n;
  report[split].mirroredFraction = mirrored / n;
  console.log(split, JSON.stringify({ n, accuracy: report[split].accuracy, macroF1: report[split].macroF1,
    ...report[split].parityVsPytorch, msPerImage: report[split].msPerImage }));
}

metrics.onnxruntimeWeb = report;
writeFileSync(metricsPath, `${JSON.stringify(metrics, null, 2)}\n`);
console.log(`updated ${metricsPath}`);
