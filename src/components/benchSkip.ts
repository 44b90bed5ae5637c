/**
 * Bench-only switches (`?debug&skipDraw=3d,overlay,video`): leave a live view undrawn so
 * `npm run bench -- live-cost` can measure what drawing it costs the inference worker (on a
 * software GPU every WebGL call of the page and of MediaPipe in the worker runs in one GPU
 * process). Needs `debug` too, so no ordinary URL turns a view off. Not a user feature.
 */
/** '3dgl': the ICT head's CPU work (fit, deformation) runs, its WebGL upload and draw do not. */
export type SkippableView = '3d' | '3dgl' | 'overlay' | 'video';

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

/** Bench-only `?debug&preview=video|analysed`: force the live preview's mode (for A/B runs). */
export function previewOverride(): 'video' | 'analysed' | undefined {
  if (typeof location === 'undefined') return undefined;
  const q = new URLSearchParams(location.search);
  const v = q.get('preview');
  return q.has('debug') && (v === 'video' || v === 'analysed') ? v : undefined;
}

/**
 * Bench-only `?debug&headPaceMs=N`: the live ICT head's minimum redraw interval on a software
 * rasteriser (0 = every result, as before the pacing), for A/B runs in one build.
 */
export function headPaceOverride(): number | undefined {
  if (typeof location === 'undefined') return undefined;
  const q = new URLSearchParams(location.search);
  const v = Number(q.get('headPaceMs'));
  return q.has('debug') && q.has('headPaceMs') && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/**
 * Bench-only `?debug&gaugePaceMs=N`: the live preview's, bars' and VA disc's minimum update interval on a
 * software rasteriser (0 = every result, as before), for A/B runs in one build (gaugePacing.ts).
 */
export function gaugePaceOverride(): number | undefined {
  if (typeof location === 'undefined') return undefined;
  const q = new URLSearchParams(location.search);
  const v = Number(q.get('gaugePaceMs'));
  return q.has('debug') && q.has('gaugePaceMs') && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/**
 * Bench/debug-only `?debug&ictMesh=full|lod`: which ICT head mesh every head view draws (the live
 * view on a software rasteriser otherwise draws the lower-detail one, ictHead/meshDetail.ts), for
 * A/B runs in one build and for looking at the LOD in the teaching explorer's sliders.
 */
export function ictMeshOverride(): 'full' | 'lod' | undefined {
  if (typeof location === 'undefined') return undefined;
  const q = new URLSearchParams(location.search);
  const v = q.get('ictMesh');
  return q.has('debug') && (v === 'full' || v === 'lod') ? v : undefined;
}
