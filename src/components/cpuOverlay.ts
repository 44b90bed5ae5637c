/**
 * The 2D context a per-result overlay draws on: CPU-rastered, and shown through an OffscreenCanvas
 * that the page canvas hands its content to (`transferControlToOffscreen`), where the browser has it.
 *
 * Why (issue #16): on a software GPU (SwiftShader: VMs, remote desktops, CI) each update of an
 * ordinary page canvas cost ≈ 20–27 ms of the GPU process's CPU, whatever its size (a 64×48 canvas
 * cost as much as 640×480: measured per update, 15 updates/s, in one run); the same CPU-rastered
 * drawing committed through a transferred OffscreenCanvas cost ≈ 8 ms. `willReadFrequently` keeps
 * the raster on the CPU (a GPU canvas stroking the 2,700-triangle mesh costs more than inference
 * there). Where transferControlToOffscreen is missing, or the canvas already has a context, the
 * page canvas itself is drawn on, as before.
 */
import type { Context2D } from './draw2d';

const transferred = new WeakMap<HTMLCanvasElement, OffscreenCanvas>();

/** The surface behind `canvas`: transferred once (a canvas can be transferred only once), then reused. */
function surfaceOf(canvas: HTMLCanvasElement): HTMLCanvasElement | OffscreenCanvas {
  const known = transferred.get(canvas);
  if (known) return known;
  if (typeof canvas.transferControlToOffscreen !== 'function') return canvas;
  try {
    const off = canvas.transferControlToOffscreen();
    transferred.set(canvas, off);
    return off;
  } catch {
    // InvalidStateError: the canvas already has a rendering context. Draw on it directly.
    return canvas;
  }
}

/** The overlay's CPU-rastered 2D context, its surface sized `width`×`height` (cleared when resized). */
export function cpuOverlayContext(canvas: HTMLCanvasElement, width: number, height: number): Context2D | null {
  const surface = surfaceOf(canvas);
  if (surface.width !== width || surface.height !== height) {
    surface.width = width;
    surface.height = height;
  }
  return surface.getContext('2d', { willReadFrequently: true }) as Context2D | null;
}
