import { describe, expect, it } from 'vitest';
import { pixelsToTensor } from '../../src/core/crop';

// 2x1 image: red pixel, then (10, 20, 30)
const rgba = new Uint8ClampedArray([255, 0, 0, 255, 10, 20, 30, 255]);

describe('pixelsToTensor', () => {
  it('gray with FER+ normalisation ((x/255 − 0.5)/0.5)', () => {
    const t = pixelsToTensor(rgba, 2, 1, { channels: 1, colorOrder: 'gray', layout: 'NCHW', range: '0-1', normalize: { mean: [0.5], std: [0.5] } });
    expect(t.length).toBe(2);
    expect(t[0]).toBeCloseTo((0.299 * 255) / 255 / 0.5 - 1, 5);
    expect(t[1]).toBeCloseTo((0.299 * 10 + 0.587 * 20 + 0.114 * 30) / 255 / 0.5 - 1, 5);
  });
  it('rgb NCHW, 0-255, no normalisation', () => {
    const t = pixelsToTensor(rgba, 2, 1, { channels: 3, colorOrder: 'rgb', layout: 'NCHW', range: '0-255' });
    expect(Array.from(t)).toEqual([255, 10, 0, 20, 0, 30]);
  });
  it('bgr NHWC with per-channel mean/std', () => {
    const t = pixelsToTensor(rgba, 2, 1, {
      channels: 3, colorOrder: 'bgr', layout: 'NHWC', range: '0-255', normalize: { mean: [1, 2, 3], std: [1, 2, 4] },
    });
    // pixel 0 as BGR = (0, 0, 255) → ((0−1)/1, (0−2)/2, (255−3)/4)
    expect(Array.from(t.slice(0, 3))).toEqual([-1, -1, 63]);
    expect(Array.from(t.slice(3))).toEqual([29, 9, 2.5 - 0.75]);
  });
  it('rejects short buffers', () => {
    expect(() => pixelsToTensor(new Uint8ClampedArray(4), 2, 1, { channels: 1, colorOrder: 'gray', layout: 'NCHW', range: '0-1' })).toThrow(/expected 8/);
  });
});
