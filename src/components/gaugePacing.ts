/**
 * Pacing of the live view's 2D displays (the preview with its landmarks, the three bar panels and
 * the valence/arousal disc) on a software rasteriser (issue #16). There every composited frame is
 * drawn on the CPU the inference worker needs, at a cost that hardly depends on what changed
 * (cpuOverlay.ts: ≈ 8–27 ms per update), and since the worker reads the camera itself results
 * come every 50–60 ms. They now change at most as often as the live ICT head redraws (10 times a second,
 * ictHead/drawPacing.ts) and, like it, with a result rather than on a timer of their own, so they
 * land in the same composited frame as the preview; the newest result is always shown (usePaced.ts). On a hardware GPU they follow every result.
 */
import { softwareWebGl } from '../render3d/softwareGl';
import { gaugePaceOverride } from './benchSkip';
import { SOFTWARE_LIVE_HEAD_MIN_INTERVAL_MS } from './ictHead/drawPacing';

export interface GaugePacing {
  minIntervalMs: number;
  /** For the performance panel. */
  label: string;
}

/** `software`: the software rasteriser's name (undefined on a hardware GPU); `override`: bench-only interval. */
export function liveGaugePacing(software: string | undefined, override?: number): GaugePacing {
  if (software === undefined) return { minIntervalMs: 0, label: 'every result' };
  const ms = override ?? SOFTWARE_LIVE_HEAD_MIN_INTERVAL_MS;
  if (ms <= 0) return { minIntervalMs: 0, label: `every result (forced by the URL, software GPU ${software})` };
  return { minIntervalMs: ms, label: `at most ${(1000 / ms).toFixed(0)}/s (software GPU: ${software})` };
}

export function liveGaugePacingHere(): GaugePacing {
  return liveGaugePacing(softwareWebGl(), gaugePaceOverride());
}
