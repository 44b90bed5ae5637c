/**
 * Worker side of the live frame path (frameSource.ts): camera frames become CPU pixels before
 * MediaPipe and the crop see them. A VideoFrame or ImageData is written into one reused
 * OffscreenCanvas whose 2D context has `willReadFrequently` (Chromium then keeps it in CPU
 * memory): MediaPipe's upload and the crop's getImageData read plain memory instead of waiting
 * on a GPU read-back. Decoded images (ImageBitmap: batch, photos) pass through unchanged.
 *
 * A VideoFrame is converted to RGBA by `VideoFrame.copyTo` into one reused buffer, then put on the
 * canvas. Why not `drawImage(frame)`: Chromium converts the frame into a new frame-sized bitmap
 * first, 1.2 MB at 640×480 that its allocator maps and unmaps every frame, and on some hosts a page
 * fault costs ≈ 8 µs in the kernel (`npm run bench` machine row): 300 fresh pages per frame, measured
 * 917 → 617 faults and 53 → 49 ms of worker CPU per frame (issue #16). drawImage stays the fallback
 * where copyTo cannot convert (browsers without RGBA conversion, non-square pixels).
 *
 * The analysed-frame preview (software GPU) then gets those same pixels: the buffer is *lent* to the
 * page (`lendShownPixels`, transferred), which gives it back once the frame is no longer shown
 * (`takeBackPixels`), so two or three buffers circulate instead of a new bitmap per frame (the
 * canvas's `transferToImageBitmap` left it without a backing, 300 fresh pages on its next frame).
 */
import type { ImageLike } from '../core/inference/faceLandmarker';
import type { FrameImage } from './protocol';

let canvas: OffscreenCanvas | undefined;
let rgba: ImageData | undefined;
/** Whether the canvas now holds exactly `rgba`'s pixels (the last VideoFrame went through copyTo). */
let rgbaIsShown = false;
/** Buffers the page gave back, for the next frames (bounded: the page holds at most a few). */
const givenBack: ArrayBuffer[] = [];
const MAX_GIVEN_BACK = 4;
/** Set once copyTo has refused an RGBA conversion in this browser: every later frame uses drawImage. */
let copyToRefused = false;

function cpuCanvas(width: number, height: number): { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D } {
  if (!canvas || canvas.width !== width || canvas.height !== height) canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('2D canvas not available in the worker');
  return { canvas, ctx };
}

/** The frame's pixels as RGBA in the reused buffer, or undefined where copyTo cannot give them. */
async function copiedRgba(frame: VideoFrame): Promise<ImageData | undefined> {
  const rect = frame.visibleRect;
  if (copyToRefused || !rect || rect.width !== frame.displayWidth || rect.height !== frame.displayHeight) return undefined;
  if (!rgba || rgba.width !== rect.width || rgba.height !== rect.height) rgba = reusedOrNew(rect.width, rect.height);
  try {
    await frame.copyTo(rgba.data, { format: 'RGBA', colorSpace: 'srgb' });
    return rgba;
  } catch {
    copyToRefused = true;
    return undefined;
  }
}

function reusedOrNew(width: number, height: number): ImageData {
  const i = givenBack.findIndex((b) => b.byteLength === width * height * 4);
  return i >= 0 ? new ImageData(new Uint8ClampedArray(givenBack.splice(i, 1)[0]), width, height) : new ImageData(width, height);
}

/**
 * The pixels of the frame just analysed, to transfer to the page with its result, or undefined when
 * that frame did not go through copyTo (then the caller hands over the canvas itself). The next frame
 * converts into a buffer given back earlier, or a new one.
 */
export function lendShownPixels(): ImageData | undefined {
  if (!rgbaIsShown || !rgba) return undefined;
  const lent = rgba;
  rgba = undefined;
  rgbaIsShown = false;
  return lent;
}

/** A lent buffer the page no longer shows. */
export function takeBackPixels(buffer: ArrayBuffer): void {
  if (buffer.byteLength > 0 && givenBack.length < MAX_GIVEN_BACK) givenBack.push(buffer);
}

export async function toPipelineImage(image: FrameImage): Promise<ImageLike> {
  rgbaIsShown = false;
  if (typeof ImageData !== 'undefined' && image instanceof ImageData) {
    const { canvas: c, ctx } = cpuCanvas(image.width, image.height);
    ctx.putImageData(image, 0, 0);
    return c;
  }
  if (typeof VideoFrame !== 'undefined' && image instanceof VideoFrame) {
    const pixels = await copiedRgba(image);
    const { canvas: c, ctx } = cpuCanvas(image.displayWidth, image.displayHeight);
    if (pixels) ctx.putImageData(pixels, 0, 0);
    else ctx.drawImage(image, 0, 0, image.displayWidth, image.displayHeight);
    rgbaIsShown = !!pixels;
    return c;
  }
  return image as ImageBitmap;
}
