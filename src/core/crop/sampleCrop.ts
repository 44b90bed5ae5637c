/**
 * Cut a crop out of an image with a crop→image affine, using a 2D canvas (bilinear,
 * hardware/Skia-accelerated, works in workers via OffscreenCanvas).
 */
import { type Affine, invertAffine } from './affine';

export type CropSource = ImageBitmap | OffscreenCanvas | ImageData;

/** One scratch canvas per crop size: the 2D model and a FLAME regressor crop at different sizes every frame. */
const scratch = new Map<string, OffscreenCanvas>();

function sourceCanvas(src: CropSource): CanvasImageSource {
  if (typeof ImageData !== 'undefined' && src instanceof ImageData) {
    const c = new OffscreenCanvas(src.width, src.height);
    c.getContext('2d')!.putImageData(src, 0, 0);
    return c;
  }
  return src as CanvasImageSource;
}

/**
 * RGBA pixels of a width×height crop; crop pixel centres (x+0.5, y+0.5) map through `cropToImage`.
 * Outside the image is black (transparent → alpha 0, RGB 0), like OpenCV's constant border.
 */
export function sampleCrop(src: CropSource, cropToImage: Affine, width: number, height: number): ImageData {
  const key = `${width}x${height}`;
  let canvas = scratch.get(key);
  if (!canvas) {
    if (scratch.size >= 4) scratch.clear(); // bounded: sizes come from the pack's few models
    canvas = new OffscreenCanvas(width, height);
    scratch.set(key, canvas);
  }
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D | null;
  if (!ctx) throw new Error('2D canvas not available in this context');
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  // drawImage maps image → canvas, so the canvas transform is the inverse (image → crop).
  const m = invertAffine(cropToImage);
  ctx.setTransform(m[0], m[1], m[2], m[3], m[4], m[5]);
  ctx.drawImage(sourceCanvas(src), 0, 0);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  return ctx.getImageData(0, 0, width, height);
}
