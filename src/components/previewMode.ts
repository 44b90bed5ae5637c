/**
 * What the live preview shows. On a hardware GPU: the camera's <video>, 30 frames a second, with
 * the landmarks of the latest result over it. On a software rasteriser (SwiftShader, llvmpipe,
 * WARP: VMs, remote desktops, CI) each of those composited frames is drawn on the CPU by the GPU
 * process, which also runs MediaPipe's WebGL in the inference worker; MediaPipe's per-frame
 * read-back then waits behind them (issue #16: hiding the video alone gave +25 % live
 * throughput). There the preview shows each analysed frame with its own landmarks instead: one
 * screen update per result, and the mesh sits exactly on the face it was found on.
 */
import { softwareWebGl } from '../render3d/softwareGl';
import { previewOverride } from './benchSkip';

export interface PreviewMode {
  analysed: boolean;
  /** Why, for the performance panel. */
  reason: string;
}

export function previewMode(): PreviewMode {
  const forced = previewOverride();
  if (forced) return { analysed: forced === 'analysed', reason: 'forced by the URL (bench)' };
  const software = softwareWebGl();
  return software ? { analysed: true, reason: `software GPU (${software}): analysed frames only` } : { analysed: false, reason: 'live video' };
}
