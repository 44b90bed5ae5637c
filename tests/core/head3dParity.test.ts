// The exported 3D head in onnxruntime-web (WASM, as the app runs it) reproduces PyTorch's
// logits on saved features: training/train_head3d.py writes the fixture at export time.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const fixture = JSON.parse(readFileSync(new URL('tests/fixtures/head3d.parity.json', root), 'utf8')) as { features: number[][]; logits: number[][] };

describe('head3d ONNX parity', () => {
  it('matches PyTorch within 1e-4 (max abs diff)', async () => {
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(readFileSync(new URL('public/models/head3d.onnx', root)));
    const n = fixture.features.length;
    const d = fixture.features[0].length;
    const out = await session.run({ features: new ort.Tensor('float32', Float32Array.from(fixture.features.flat()), [n, d]) });
    const logits = out.logits.data as Float32Array;
    let maxDiff = 0;
    fixture.logits.flat().forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - logits[i]))));
    expect(n).toBeGreaterThanOrEqual(32);
    expect(maxDiff).toBeLessThanOrEqual(1e-4);
  }, 60_000);
});
