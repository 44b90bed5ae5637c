// Parity of our ONNX export of face-api's FaceExpressionNet with face-api's own tfjs code.
//
//   npm install --no-save @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0
//   npx tsx training/faceapi/parity_tfjs.mjs [--images raw.u8 --count N] [--write-fixture]
//
// Runs the same inputs through face-api (tfjs CPU backend, its `runNet` = pre-softmax logits)
// and through public/models/faceexpr7.onnx in onnxruntime-web (WASM, as the app runs it), and
// prints the max |Δlogit|. --write-fixture stores face-api's logits on the parityInputs images
// in tests/fixtures/faceexpr7.parity.json, which vitest checks without tfjs installed.
// --images takes N×112×112×3 uint8 RGB faces (e.g. from training/faceapi/dump_faces.py).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-web';
import { PARITY_SIZE, parityImage, toOnnxInput } from './parityInputs.ts';

const require = createRequire(import.meta.url);
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const tf = faceapi.tf;
const args = process.argv.slice(2);
const flag = (k) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : undefined; };

await tf.setBackend('cpu');
await tf.ready();
const modelDir = new URL('../../node_modules/@vladmandic/face-api/model', import.meta.url).pathname;
await faceapi.nets.faceExpressionNet.loadFromDisk(modelDir);
const net = faceapi.nets.faceExpressionNet;
ort.env.wasm.numThreads = 1;
const session = await ort.InferenceSession.create(readFileSync(new URL('../../public/models/faceexpr7.onnx', import.meta.url)));
const n = PARITY_SIZE;

async function both(hwc) {
  const x = tf.tensor4d(Float32Array.from(hwc), [1, n, n, 3]);
  const t = net.runNet(await faceapi.toNetInput(x));
  const ref = Array.from(t.dataSync());
  tf.dispose([x, t]);
  const out = await session.run({ image: new ort.Tensor('float32', toOnnxInput(hwc), [1, 3, n, n]) });
  return { ref, ours: Array.from(out.logits.data) };
}

let maxDiff = 0;
const fixture = { source: '@vladmandic/face-api 1.7.15 FaceExpressionNet.runNet, tfjs 4.22 CPU backend', count: 8, logits: [] };
for (let i = 0; i < fixture.count; i++) {
  const { ref, ours } = await both(parityImage(i));
  fixture.logits.push(ref);
  ref.forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - ours[k]))));
}
console.log(`parityInputs (${fixture.count} images): max |Δlogit| ${maxDiff.toExponential(2)}`);
if (args.includes('--write-fixture')) {
  writeFileSync(new URL('../../tests/fixtures/faceexpr7.parity.json', import.meta.url), JSON.stringify(fixture, null, 1) + '\n');
  console.log('wrote tests/fixtures/faceexpr7.parity.json');
}
const images = flag('--images');
if (images) {
  const raw = readFileSync(images);
  const count = Math.min(Number(flag('--count') ?? Infinity), raw.length / (n * n * 3));
  let worst = 0;
  let agree = 0;
  for (let i = 0; i < count; i++) {
    const { ref, ours } = await both(raw.subarray(i * n * n * 3, (i + 1) * n * n * 3));
    ref.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - ours[k]))));
    if (ref.indexOf(Math.max(...ref)) === ours.indexOf(Math.max(...ours))) agree++;
  }
  console.log(`${images} (${count} faces): max |Δlogit| ${worst.toExponential(2)}, arg-max agreement ${agree}/${count}`);
}
