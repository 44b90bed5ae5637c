import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// Node has no VideoFrame, ImageData or OffscreenCanvas: minimal stand-ins that record what the
// frame path does with them (which call made the pixels, and into which buffer).
class FakeImageData {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  // Both of ImageData's forms: (width, height) and (data, width, height).
  constructor(a: number | Uint8ClampedArray, b: number, c?: number) {
    [this.data, this.width, this.height] = typeof a === 'number' ? [new Uint8ClampedArray(a * b * 4), a, b] : [a, b, c!];
  }
}

const calls: { op: 'put' | 'draw'; buffer?: Uint8ClampedArray }[] = [];

class FakeCanvas {
  constructor(readonly width: number, readonly height: number) {}
  getContext() {
    return {
      putImageData: (d: FakeImageData) => calls.push({ op: 'put', buffer: d.data }),
      drawImage: () => calls.push({ op: 'draw' }),
    };
  }
}

class FakeVideoFrame {
  copies = 0;
  constructor(
    readonly displayWidth: number,
    readonly displayHeight: number,
    readonly visibleRect: { width: number; height: number },
    private readonly convert: (dest: Uint8ClampedArray) => Promise<void>,
  ) {}
  async copyTo(dest: Uint8ClampedArray, options: { format?: string }) {
    this.copies++;
    expect(options.format).toBe('RGBA');
    await this.convert(dest);
    return [];
  }
}

const fill = (v: number) => async (dest: Uint8ClampedArray) => void dest.fill(v);
const frame = (w: number, h: number, convert = fill(7), visible = { width: w, height: h }) => new FakeVideoFrame(w, h, visible, convert);

async function freshModule() {
  vi.resetModules(); // the module remembers a refused conversion: each test starts without it
  return import('../../src/worker/frameImage');
}

beforeEach(() => {
  calls.length = 0;
  vi.stubGlobal('ImageData', FakeImageData);
  vi.stubGlobal('OffscreenCanvas', FakeCanvas);
  vi.stubGlobal('VideoFrame', FakeVideoFrame);
});
afterEach(() => vi.unstubAllGlobals());

describe('toPipelineImage (live frames to CPU pixels)', () => {
  it('converts a VideoFrame with copyTo into one buffer reused frame after frame', async () => {
    const { toPipelineImage } = await freshModule();
    const a = frame(640, 480, fill(7));
    const b = frame(640, 480, fill(9));
    const canvas1 = await toPipelineImage(a as unknown as VideoFrame);
    const canvas2 = await toPipelineImage(b as unknown as VideoFrame);
    expect(calls.map((c) => c.op)).toEqual(['put', 'put']);
    expect(calls[0].buffer).toBe(calls[1].buffer); // no new frame-sized buffer per frame
    expect(calls[1].buffer![0]).toBe(9);
    expect(canvas2).toBe(canvas1);
    expect((canvas1 as unknown as FakeCanvas).width).toBe(640);
  });

  it('makes a new buffer only when the frame size changes', async () => {
    const { toPipelineImage } = await freshModule();
    await toPipelineImage(frame(640, 480) as unknown as VideoFrame);
    await toPipelineImage(frame(320, 240) as unknown as VideoFrame);
    expect(calls[0].buffer).not.toBe(calls[1].buffer);
    expect(calls[1].buffer!.length).toBe(320 * 240 * 4);
  });

  it('falls back to drawImage, for good, where copyTo refuses the RGBA conversion', async () => {
    const { toPipelineImage } = await freshModule();
    const refused = frame(640, 480, async () => {
      throw new DOMException('RGBA conversion is not supported', 'NotSupportedError');
    });
    await toPipelineImage(refused as unknown as VideoFrame);
    const next = frame(640, 480);
    await toPipelineImage(next as unknown as VideoFrame);
    expect(calls.map((c) => c.op)).toEqual(['draw', 'draw']);
    expect(next.copies).toBe(0); // not asked again
  });

  it('draws frames whose pixels are not square (visible size differs from display size)', async () => {
    const { toPipelineImage } = await freshModule();
    const anamorphic = frame(640, 480, fill(1), { width: 720, height: 480 });
    await toPipelineImage(anamorphic as unknown as VideoFrame);
    expect(calls.map((c) => c.op)).toEqual(['draw']);
    expect(anamorphic.copies).toBe(0);
    // A later square frame still takes the copyTo path.
    await toPipelineImage(frame(640, 480) as unknown as VideoFrame);
    expect(calls.map((c) => c.op)).toEqual(['draw', 'put']);
  });

  it('lends the analysed pixels once, and converts the next frame into a buffer given back', async () => {
    const { lendShownPixels, takeBackPixels, toPipelineImage } = await freshModule();
    await toPipelineImage(frame(640, 480, fill(3)) as unknown as VideoFrame);
    const lent = lendShownPixels()!;
    expect(lent.data[0]).toBe(3);
    expect(lent.data).toBe(calls[0].buffer); // the pixels the pipeline read, no copy
    expect(lendShownPixels()).toBeUndefined(); // lent once
    await toPipelineImage(frame(640, 480, fill(4)) as unknown as VideoFrame);
    expect(calls[1].buffer).not.toBe(lent.data); // the lent buffer is the page's now
    takeBackPixels(lent.data.buffer as ArrayBuffer);
    lendShownPixels();
    await toPipelineImage(frame(640, 480, fill(5)) as unknown as VideoFrame);
    expect(calls[2].buffer!.buffer).toBe(lent.data.buffer); // reused, not a new frame-sized buffer
  });

  it('lends nothing for a frame drawn without copyTo (the caller hands over its canvas instead)', async () => {
    const { lendShownPixels, toPipelineImage } = await freshModule();
    await toPipelineImage(frame(640, 480) as unknown as VideoFrame);
    await toPipelineImage(frame(640, 480, fill(1), { width: 720, height: 480 }) as unknown as VideoFrame);
    expect(calls.map((c) => c.op)).toEqual(['put', 'draw']);
    expect(lendShownPixels()).toBeUndefined();
  });

  it('passes decoded images through untouched', async () => {
    const { toPipelineImage } = await freshModule();
    const bitmap = { width: 48, height: 48 };
    expect(await toPipelineImage(bitmap as unknown as ImageBitmap)).toBe(bitmap);
    expect(calls).toEqual([]);
  });
});
