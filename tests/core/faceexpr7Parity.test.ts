// Our ONNX export of face-api's FaceExpressionNet, in onnxruntime-web (WASM, as the app runs
// it), reproduces face-api's own tfjs logits: tests/fixtures/faceexpr7.parity.json is written by
// training/faceapi/parity_tfjs.mjs (face-api 1.7.15 + tfjs 4.22 CPU) on deterministic images.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { PARITY_SIZE, parityImage, toOnnxInput } from '../../training/faceapi/parityInputs';

const root = new URL('../../', import.meta.url);
const fixture = JSON.parse(readFileSync(new URL('tests/fixtures/faceexpr7.parity.json', root), 'utf8')) as { count: number; logits: number[][] };

describe('faceexpr7 ONNX parity with face-api (tfjs)', () => {
  it('matches within 1e-4 (max |Δlogit|) on every fixture image', async () => {
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(readFileSync(new URL('public/models/faceexpr7.onnx', root)));
    const n = PARITY_SIZE;
    let maxDiff = 0;
    for (let i = 0; i < fixture.count; i++) {
      const out = await session.run({ image: new ort.Tensor('float32', toOnnxInput(parityImage(i)), [1, 3, n, n]) });
      const logits = out.logits.data as Float32Array;
      fixture.logits[i].forEach((v, k) => (maxDiff = Math.max(maxDiff, Math.abs(v - logits[k]))));
    }
    expect(fixture.count).toBeGreaterThanOrEqual(8);
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
  }, 60_000);
});
