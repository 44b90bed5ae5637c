/**
 * Which ICT head mesh a view draws. The live view on a software rasteriser draws the lower-detail
 * mesh (core/ict/ictLod.ts: ≈ 12 k instead of 52 k triangles, a subset of the same vertices): there
 * each draw's vertex and triangle work runs on the CPU cores the inference worker needs (issue #16).
 * Stills, the teaching view and every view on a hardware GPU keep the full head.
 */
import { softwareWebGl } from '../../render3d/softwareGl';
import { ictMeshOverride } from '../benchSkip';
import type { IctMeshDetail } from '../../core/ict/preparedIctHead';

/**
 * `software` is the software rasteriser's name (render3d/softwareGl.ts), undefined on a hardware GPU;
 * `override` the bench/debug-only choice (benchSkip.ts), which applies to every view.
 */
export function ictMeshDetail(perFrame: boolean, software: string | undefined, override?: IctMeshDetail): IctMeshDetail {
  if (override) return override;
  return perFrame && software !== undefined ? 'lod' : 'full';
}

/** This page's choice for a view (the rasteriser is probed once per page). */
export function ictMeshDetailHere(perFrame: boolean): IctMeshDetail {
  return ictMeshDetail(perFrame, perFrame ? softwareWebGl() : undefined, ictMeshOverride());
}
