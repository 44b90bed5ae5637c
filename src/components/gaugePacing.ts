/**
 * Pacing of the live view's 2D displays (the preview with its landmarks, the three bar panels and
 * the valence/arousal disc) on a software rasteriser (issue #16). There every composited frame is
 * drawn on the CPU the inference worker needs, at a cost that hardly depends on what changed
 * (cpuOverlay.ts: ≈ 8–27 ms per update), and since the worker reads the camera itself results come
 * every 50–60 ms. They change at most as often as the live ICT head redraws (pacing.ts's rule) and,
 * like it, with a result rather than on a timer of their own, so they land in the same composited
 * frame; the newest result is always shown (usePacedWithChanges in usePaced.ts). On a hardware GPU
 * they follow every result. The Teach tab's pipeline view follows the same pacing with its camera on
 * (teach/TeachPipeline.tsx).
 */
import { softwareWebGl } from '../render3d/softwareGl';
import { gaugePaceOverride } from './benchSkip';
import { softwareLivePacing, type LivePacing } from './pacing';

export function liveGaugePacingHere(): LivePacing {
  return softwareLivePacing(softwareWebGl(), gaugePaceOverride());
}
