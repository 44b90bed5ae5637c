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
export { heldDrawTimerMs } from '../pacing';
import { SOFTWARE_LIVE_MIN_INTERVAL_MS, softwareLivePacing, type LivePacing } from '../pacing';

/** On a software rasteriser: at most 10 head draws a second (≈ every other result at 15–20 FPS). */
export const SOFTWARE_LIVE_HEAD_MIN_INTERVAL_MS = SOFTWARE_LIVE_MIN_INTERVAL_MS;

export type LiveHeadPacing = LivePacing;

/** The live head's pacing (pacing.ts's rule for the live view's paced parts). */
export const liveHeadPacing = softwareLivePacing;

/** This page's live-head pacing: its rasteriser (probed once per page) and the bench-only override. */
export function liveHeadPacingHere(): LiveHeadPacing {
  return liveHeadPacing(softwareWebGl(), headPaceOverride());
}
