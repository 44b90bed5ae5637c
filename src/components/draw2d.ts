/**
 * 2D canvas drawing shared by every view that shows what the pipeline saw: the landmark mesh /
 * points and the face box over a frame, and a crop's RGBA bytes onto a canvas. Framework-free
 * (plain canvas API); the live preview, the Teach tab's pipeline view, its PNG figure and the
 * batch detail view all draw through here, so they show the same thing the same way.
 */
import type { CropImage } from '../core/pipelineTypes';

/** A page canvas's or an OffscreenCanvas's 2D context (the live overlay draws on the latter, see cpuOverlay.ts). */
export type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** Where the image lies on the canvas: landmarks (0..1 image coordinates) map into this rectangle. */
export interface Placement {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Stroke {
  color: string;
  width: number;
}

/** The canonical face mesh's triangle edges over the image. */
export function drawLandmarkMesh(ctx: Context2D, lm: Float32Array, triangles: Uint32Array, at: Placement, stroke: Stroke): void {
  const px = (i: number) => at.x + lm[3 * i] * at.w;
  const py = (i: number) => at.y + lm[3 * i + 1] * at.h;
  ctx.strokeStyle = stroke.color;
  ctx.lineWidth = stroke.width;
  ctx.beginPath();
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t], b = triangles[t + 1], c = triangles[t + 2];
    ctx.moveTo(px(a), py(a));
    ctx.lineTo(px(b), py(b));
    ctx.lineTo(px(c), py(c));
    ctx.closePath();
  }
  ctx.stroke();
}

/** One square dot per landmark (when there are no triangles, or for a light overlay). */
export function drawLandmarkPoints(ctx: Context2D, lm: Float32Array, at: Placement, color: string, size: number): void {
  ctx.fillStyle = color;
  for (let i = 0; i < lm.length; i += 3) ctx.fillRect(at.x + lm[i] * at.w - size / 2, at.y + lm[i + 1] * at.h - size / 2, size, size);
}

/** The face box (image pixels) scaled by `scale` onto the canvas. */
export function drawFaceBox(ctx: Context2D, box: { x: number; y: number; width: number; height: number }, scale: number, stroke: Stroke): void {
  ctx.strokeStyle = stroke.color;
  ctx.lineWidth = stroke.width;
  ctx.strokeRect(box.x * scale, box.y * scale, box.width * scale, box.height * scale);
}

/** A crop's RGBA bytes onto `canvas`, sized to the crop. Copies: the crop may be drawn again. */
export function drawCrop(canvas: HTMLCanvasElement, crop: CropImage): HTMLCanvasElement {
  canvas.width = crop.width;
  canvas.height = crop.height;
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(crop.rgba), crop.width, crop.height), 0, 0);
  return canvas;
}
