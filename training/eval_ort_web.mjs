// Score public/models/fer2d.onnx with onnxruntime-web (WASM backend) in Node, on the
// preprocessed FER+ Valid/Test tensors written by export_fer2d.py, and record the numbers
// (plus logit parity against PyTorch) under `onnxruntimeWeb` in fer2d.metrics.json.
//
//   node training/eval_ort_web.mjs [--model public/models/fer2d.onnx]
//        [--bin-prefix /tmp/fer2d] [--metrics public/models/fer2d.metrics.json]
//
// This runs the same runtime the browser uses, so the card's numbers are what users get.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';

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

const report = { version: ortVersion, backend: 'wasm', numThreads: 1 };
for (const split of ['valid', 'test']) {
  const pre = `${binPrefix}_${split}`;
  const input = readF32(`${pre}.input.f32`);
  const labels = Array.from(readFileSync(`${pre}.label.u8`));
  const torchLogits = readF32(`${pre}.torch_logits.f32`);
  const n = labels.length;
  if (input.length !== n * PIX) throw new Error(`${split}: input size mismatch`);
  const preds = [];
  let maxAbsDiff = 0, argmaxAgree = 0;
  const t0 = performance.now();
  const B = 256;
  for (let s = 0; s < n; s += B) {
    const m = Math.min(B, n - s);
    const x = new ort.Tensor('float32', input.subarray(s * PIX, (s + m) * PIX), [m, 1, 48, 48]);
    const { logits } = await session.run({ image: x });
    const y = logits.data;
    for (let i = 0; i < m; i++) {
      let best = 0, tBest = 0;
      for (let k = 0; k < C; k++) {
        const v = y[i * C + k], tv = torchLogits[(s + i) * C + k];
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - tv));
        if (v > y[i * C + best]) best = k;
        if (tv > torchLogits[(s + i) * C + tBest]) tBest = k;
      }
      preds.push(best);
      if (best === tBest) argmaxAgree++;
    }
  }
  const ms = performance.now() - t0;
  report[split] = summarize(labels, preds);
  report[split].parityVsPytorch = { maxAbsLogitDiff: maxAbsDiff, argmaxAgreement: argmaxAgree / n };
  report[split].msPerImage = ms / n;
  console.log(split, JSON.stringify({ n, accuracy: report[split].accuracy, macroF1: report[split].macroF1,
    ...report[split].parityVsPytorch, msPerImage: report[split].msPerImage }));
}

const metrics = JSON.parse(readFileSync(metricsPath, 'utf8'));
metrics.onnxruntimeWeb = report;
writeFileSync(metricsPath, `${JSON.stringify(metrics, null, 2)}\n`);
console.log(`updated ${metricsPath}`);
