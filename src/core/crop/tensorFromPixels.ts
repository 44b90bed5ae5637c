/**
 * RGBA crop pixels → model input tensor, as the manifest's image input spec says:
 * channels/colour order (gray = 0.299R + 0.587G + 0.114B), layout, value range, mean/std.
 */
import type { ImageInputSpec } from '../manifest/schema';

export function pixelsToTensor(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  spec: Pick<ImageInputSpec, 'channels' | 'colorOrder' | 'layout' | 'range' | 'normalize'>,
): Float32Array {
  const n = width * height;
  if (rgba.length < n * 4) throw new Error(`crop has ${rgba.length} bytes, expected ${n * 4}`);
  const c = spec.channels;
  const out = new Float32Array(n * c);
  const rangeScale = spec.range === '0-1' ? 1 / 255 : 1;
  const mean = spec.normalize?.mean ?? [];
  const std = spec.normalize?.std ?? [];
  // Per-channel affine: v = (x·rangeScale − mean) / std, folded into one multiply-add.
  const mul = new Float32Array(c);
  const add = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    const m = mean[k] ?? mean[0] ?? 0;
    const s = std[k] ?? std[0] ?? 1;
    mul[k] = rangeScale / s;
    add[k] = -m / s;
  }
  const src = spec.colorOrder === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  const nchw = spec.layout !== 'NHWC';
  for (let p = 0; p < n; p++) {
    const o = p * 4;
    if (c === 1) {
      const g = 0.299 * rgba[o] + 0.587 * rgba[o + 1] + 0.114 * rgba[o + 2];
      out[p] = g * mul[0] + add[0];
    } else {
      for (let k = 0; k < 3; k++) {
        const v = rgba[o + src[k]] * mul[k] + add[k];
        out[nchw ? k * n + p : p * 3 + k] = v;
      }
    }
  }
  return out;
}
