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

/**
 * Each undirected edge of a triangle list once, as index pairs. Neighbouring triangles share
 * edges, so stroking triangles draws most lines twice; on a software rasteriser that doubled
 * path is a measurable part of the live page's main-thread time (issue #16). One stroke() paints
 * the union of its segments either way, so the picture is the same.
 */
export function uniqueEdges(triangles: Uint32Array): Uint32Array {
  const seen = new Set<number>();
  const out: number[] = [];
  const add = (a: number, b: number) => {
    const lo = Math.min(a, b), hi = Math.max(a, b);
    // Indices are < 2^21 (a few thousand landmarks): lo * 2^21 + hi is exact in a double.
    const key = lo * 2097152 + hi;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(lo, hi);
  };
  for (let t = 0; t + 2 < triangles.length; t += 3) {
    add(triangles[t], triangles[t + 1]);
    add(triangles[t + 1], triangles[t + 2]);
    add(triangles[t + 2], triangles[t]);
  }
  return Uint32Array.from(out);
}

/** Triangle lists are fixed per pack: their edges are computed once per list. */
const edgeCache = new WeakMap<Uint32Array, Uint32Array>();

function edgesOf(triangles: Uint32Array): Uint32Array {
  let e = edgeCache.get(triangles);
  if (!e) edgeCache.set(triangles, (e = uniqueEdges(triangles)));
  return e;
}

/** The canonical face mesh's triangle edges over the image, each edge stroked once. */
export function drawLandmarkMesh(ctx: Context2D, lm: Float32Array, triangles: Uint32Array, at: Placement, stroke: Stroke): void {
  const edges = edgesOf(triangles);
  ctx.strokeStyle = stroke.color;
  ctx.lineWidth = stroke.width;
  ctx.beginPath();
  for (let k = 0; k < edges.length; k += 2) {
    const a = 3 * edges[k], b = 3 * edges[k + 1];
    ctx.moveTo(at.x + lm[a] * at.w, at.y + lm[a + 1] * at.h);
    ctx.lineTo(at.x + lm[b] * at.w, at.y + lm[b + 1] * at.h);
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
