// Deterministic 112×112 RGB uint8 test images for the FaceExpressionNet parity check, shared by
// the fixture writer (training/faceapi/parity_tfjs.mjs, which runs face-api's own tfjs code) and
// the vitest check (tests/core/faceexpr7Parity.test.ts, which runs our ONNX in onnxruntime-web).
// Noise alone would not exercise the net's face-like regime, so smooth patterns are mixed in.
import { mulberry32 } from '../../src/batch/fusionFit';

export const PARITY_SIZE = 112;

/** The i-th parity image: HWC uint8 RGB. Even i: uniform noise; odd i: blobs on a gradient. */
export function parityImage(i: number): Uint8Array {
  const n = PARITY_SIZE;
  const r = mulberry32(1000 + i);
  const px = new Uint8Array(n * n * 3);
  if (i % 2 === 0) {
    for (let k = 0; k < px.length; k++) px[k] = Math.floor(r() * 256);
    return px;
  }
  const blobs = Array.from({ length: 6 }, () => ({ x: r() * n, y: r() * n, s: 6 + r() * 20, c: [r(), r(), r()].map((v) => v * 255) }));
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const base = (x + y) / (2 * n);
      for (let ch = 0; ch < 3; ch++) {
        let v = base * 255 * (0.5 + 0.5 * ch / 2);
        for (const b of blobs) v += (b.c[ch] - v) * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s));
        px[(y * n + x) * 3 + ch] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return px;
}

/** HWC uint8 RGB → the exported graph's input: NCHW float32, x/255 − mean_rgb/255. */
export function toOnnxInput(hwc: Uint8Array, mean = [122.782, 117.001, 104.298]): Float32Array {
  const n = PARITY_SIZE;
  const out = new Float32Array(3 * n * n);
  for (let k = 0; k < n * n; k++) for (let ch = 0; ch < 3; ch++) out[ch * n * n + k] = hwc[k * 3 + ch] / 255 - mean[ch] / 255;
  return out;
}
