import { describe, expect, it, vi } from 'vitest';
import { LentPixels } from '../../src/worker/lentPixels';
import { releaseShownFrame } from '../../src/stores/shownFrame';

const image = (w: number, h: number) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4) }) as unknown as ImageData;

describe('LentPixels (an analysed frame lent by the worker)', () => {
  it('gives its buffer back once and then reads as 0×0, like a closed ImageBitmap', () => {
    const giveBack = vi.fn();
    const img = image(4, 2);
    const lent = new LentPixels(img, giveBack);
    expect([lent.width, lent.height]).toEqual([4, 2]);
    expect(lent.pixels).toBe(img);
    lent.close();
    lent.close();
    expect(giveBack).toHaveBeenCalledTimes(1);
    expect(giveBack).toHaveBeenCalledWith(img.data.buffer);
    expect([lent.width, lent.height, lent.pixels]).toEqual([0, 0, undefined]);
  });

  it('goes back to the worker when a store lets go of it, not while it is still the newest', () => {
    const giveBack = vi.fn();
    const lent = new LentPixels(image(2, 2), giveBack);
    releaseShownFrame(lent, lent);
    expect(giveBack).not.toHaveBeenCalled();
    releaseShownFrame(lent, new LentPixels(image(2, 2), vi.fn()));
    expect(giveBack).toHaveBeenCalledTimes(1);
  });
});
