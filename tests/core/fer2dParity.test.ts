// The shipped 2D model in onnxruntime-web (WASM, as the app runs it) gives PyTorch's answer on
// FER+ Valid faces: training/fer2d_parity.py writes the PyTorch side at export time. The weights
// are stored as float16 (half the download), so the logits may differ by rounding, never by
// class: the bound is loose on values and strict on the arg-max.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { argmax } from '../../src/core/metrics/classification';

const REPO = resolve(__dirname, '../..');
const VALID = resolve(REPO, '../shared/data/ferplus/Valid');
const ONNX = resolve(REPO, 'public/models/fer2d.onnx');

interface Fixture {
  onnxSha256: string;
  files: string[];
  pixelSums: number[];
  logits: number[][];
  mirroredLogits: number[][];
}
const fixture = JSON.parse(readFileSync(resolve(REPO, 'tests/fixtures/fer2d.parity.json'), 'utf8')) as Fixture;

/** Largest |logit difference| this model's float16 weight storage has shown (8.7e-3 on FER+ Test), with headroom. */
const MAX_ABS_DIFF = 2e-2;
const SIZE = 48;

/** A FER+ face as the model's input: grey 48×48, (p/255 − 0.5)/0.5, optionally mirrored left–right. */
function faceInput(file: string, mirrored: boolean): { input: Float32Array; pixelSum: number } {
  const png = PNG.sync.read(readFileSync(resolve(VALID, file)));
  expect([png.width, png.height]).toEqual([SIZE, SIZE]);
  const input = new Float32Array(SIZE * SIZE);
  let pixelSum = 0;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const i = 4 * (y * SIZE + x);
      // FER+ faces are grey PNGs, decoded to RGBA with R = G = B.
      expect(png.data[i + 1]).toBe(png.data[i]);
      const p = png.data[i];
      pixelSum += p;
      input[y * SIZE + (mirrored ? SIZE - 1 - x : x)] = (p / 255 - 0.5) / 0.5;
    }
  }
  return { input, pixelSum };
}

/** One session for both cases (the model is 5.4 MB). */
let session: Promise<ort.InferenceSession> | undefined;
function fer2dSession(): Promise<ort.InferenceSession> {
  ort.env.wasm.numThreads = 1;
  return (session ??= ort.InferenceSession.create(readFileSync(ONNX)));
}

describe('fer2d ONNX parity', () => {
  afterAll(async () => void (await (await session)?.release()));

  it('the fixture belongs to the shipped fer2d.onnx (re-run training/fer2d_parity.py after an export)', () => {
    expect(createHash('sha256').update(readFileSync(ONNX)).digest('hex')).toBe(fixture.onnxSha256);
  });

  it.each([
    ['plain', false],
    ['mirrored', true],
  ] as const)('%s faces: same class as PyTorch for every face, logits within 2e-2', async (_, mirrored) => {
    const n = fixture.files.length;
    const batch = new Float32Array(n * SIZE * SIZE);
    fixture.files.forEach((file, k) => {
      const { input, pixelSum } = faceInput(file, mirrored);
      // The same pixels PyTorch saw: a decoder that differs fails here, not in the bound below.
      expect(pixelSum, file).toBe(fixture.pixelSums[k]);
      batch.set(input, k * SIZE * SIZE);
    });
    const out = await (await fer2dSession()).run({ image: new ort.Tensor('float32', batch, [n, 1, SIZE, SIZE]) });
    const logits = out.logits.data as Float32Array;
    const expected = mirrored ? fixture.mirroredLogits : fixture.logits;
    let maxDiff = 0;
    expected.forEach((row, k) => {
      const web = logits.subarray(8 * k, 8 * k + 8);
      row.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - web[j]))));
      expect(argmax(web), fixture.files[k]).toBe(argmax(row));
    });
    expect(n).toBe(32);
    expect(maxDiff).toBeLessThanOrEqual(MAX_ABS_DIFF);
  }, 60_000);
});
