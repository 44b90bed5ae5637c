/**
 * The analysed frame a live result was computed on, kept beside it for the preview on a software
 * GPU (components/previewMode.ts): a bitmap from the worker or the page loop's canvas. Both live
 * stores (live view, teaching view) hold the newest one and let go of the one it replaces.
 */
export type ShownFrame = ImageBitmap | OffscreenCanvas;

/** A worker's bitmap holds its pixels until closed; the page loop's canvases are reused instead. */
export function releaseShownFrame(frame: ShownFrame | undefined, next?: ShownFrame): void {
  if (frame && frame !== next && typeof ImageBitmap !== 'undefined' && frame instanceof ImageBitmap) frame.close();
}
