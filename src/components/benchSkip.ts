/**
 * Bench-only switches (`?debug&skipDraw=3d,overlay`): leave a live view undrawn so
 * `npm run bench -- live-cost` can measure what drawing it costs the inference worker (on a
 * software GPU every WebGL call of the page and of MediaPipe in the worker runs in one GPU
 * process). Needs `debug` too, so no ordinary URL turns a view off. Not a user feature.
 */
export type SkippableView = '3d' | 'overlay';

function skipped(): Set<string> {
  if (typeof location === 'undefined') return new Set();
  const q = new URLSearchParams(location.search);
  if (!q.has('debug')) return new Set();
  return new Set((q.get('skipDraw') ?? '').split(',').filter(Boolean));
}

const SKIPPED = skipped();

export function drawSkipped(view: SkippableView): boolean {
  return SKIPPED.has(view);
}
