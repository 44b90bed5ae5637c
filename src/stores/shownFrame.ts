/**
 * The analysed frame a live result was computed on, kept beside it for the preview on a software
 * GPU (components/previewMode.ts): a bitmap or lent pixels from the worker, or the page loop's
 * canvas. Both live stores (live view, teaching view) hold the newest one and let go of the one it
 * replaces.
 */
import { LentPixels } from '../worker/lentPixels';
import type { ShownFrame } from '../worker/liveLoop';

export type { ShownFrame };

/**
 * A worker's bitmap holds its pixels until closed, and lent pixels go back to the worker for its next
 * frames; the page loop's canvases are reused instead.
 */
export function releaseShownFrame(frame: ShownFrame | undefined, next?: ShownFrame): void {
  if (!frame || frame === next) return;
  if (frame instanceof LentPixels || (typeof ImageBitmap !== 'undefined' && frame instanceof ImageBitmap)) frame.close();
}
