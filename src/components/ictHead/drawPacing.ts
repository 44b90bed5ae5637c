/**
 * Pacing of the live ICT head on a software rasteriser (issue #16). There its fit, deformation and
 * WebGL draw run on the same 2 CPU cores as the inference worker (and its draw in the one GPU
 * process that MediaPipe's read-back waits on), so drawing it for every result cost the analysis
 * frames. The head then redraws at most every `minIntervalMs`: with the first result that comes
 * after the interval, or, when none comes, the newest held one a further interval later
 * (heldDrawTimerMs; nothing is drawn late twice, and the last result is always drawn).
 */
import { softwareWebGl } from '../../render3d/softwareGl';
import { headPaceOverride } from '../benchSkip';
import { softwareLivePacing, type LivePacing } from '../pacing';

/**
 * This page's live-head pacing (pacing.ts's rule for the live view's paced parts): its rasteriser
 * (probed once per page) and the bench-only override.
 */
export function liveHeadPacingHere(): LivePacing {
  return softwareLivePacing(softwareWebGl(), headPaceOverride());
}
