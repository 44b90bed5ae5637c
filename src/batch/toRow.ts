/** FrameResult → compact BatchRow. */
import type { FrameResult } from '../core/types';
import type { BatchItem, BatchRow } from './batchTypes';

export function rowFromResult(item: BatchItem, r: FrameResult, ms: number): BatchRow {
  const found = r.detection !== 'none' && !!r.face;
  return {
    id: item.id,
    path: item.path,
    status: found ? 'ok' : 'no-face',
    reason: found ? undefined : 'no face found (tried the image as-is and upscaled with padding)',
    detection: r.detection,
    faceCount: r.faceCount,
    width: r.imageSize.width,
    height: r.imageSize.height,
    video: item.video,
    p2d: r.branch2d?.probs,
    p3d: r.branch3d?.probs,
    fused: r.fused?.probs,
    fusionMode: r.fused?.mode,
    fusionFallback: r.fused?.fallback,
    views2d: r.branch2d?.views,
    calibration: r.calibration,
    valence: r.va?.valence,
    arousal: r.va?.arousal,
    vaSource: r.va?.source,
    logits2d: r.branch2d?.logits,
    logits3d: r.branch3d?.logits,
    features3d: r.features3d?.values,
    featureGroups: r.features3d?.groups,
    headPose: r.face ? { yaw: r.face.headPose.yaw, pitch: r.face.headPose.pitch, roll: r.face.headPose.roll } : undefined,
    canonicalLandmarks: r.face?.canonicalLandmarks,
    blendshapes: r.face?.canonicalLandmarks ? r.face.blendshapes : undefined,
    notes: r.notes,
    label: item.label,
    ms,
    timings: r.timings,
  };
}

export function errorRow(item: BatchItem, reason: string): BatchRow {
  return { id: item.id, path: item.path, status: 'error', reason, detection: 'none', faceCount: 0, video: item.video, notes: [], label: item.label };
}
