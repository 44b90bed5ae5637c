/**
 * Worker side of the live frame path (frameSource.ts): camera frames become CPU pixels before
 * MediaPipe and the crop see them. A VideoFrame or ImageData is written into one reused
 * OffscreenCanvas whose 2D context has `willReadFrequently` (Chromium then keeps it in CPU
 * memory): MediaPipe's upload and the crop's getImageData read plain memory instead of waiting
 * on a GPU read-back. Decoded images (ImageBitmap: batch, photos) pass through unchanged.
 */
import type { ImageLike } from '../core/inference/faceLandmarker';
import type { FrameImage } from './protocol';

let canvas: OffscreenCanvas | undefined;

function cpuCanvas(width: number, height: number): { canvas: OffscreenCanvas; ctx: OffscreenCanvasRenderingContext2D } {
  if (!canvas || canvas.width !== width || canvas.height !== height) canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('2D canvas not available in the worker');
  return { canvas, ctx };
}

export function toPipelineImage(image: FrameImage): ImageLike {
  if (typeof ImageData !== 'undefined' && image instanceof ImageData) {
    const { canvas: c, ctx } = cpuCanvas(image.width, image.height);
    ctx.putImageData(image, 0, 0);
    return c;
  }
  if (typeof VideoFrame !== 'undefined' && image instanceof VideoFrame) {
    const { canvas: c, ctx } = cpuCanvas(image.displayWidth, image.displayHeight);
    ctx.drawImage(image, 0, 0, image.displayWidth, image.displayHeight);
    return c;
  }
  return image as ImageBitmap;
}
