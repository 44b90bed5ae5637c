/** FrameResult → compact BatchRow. */
import type { FrameResult } from '../core/types';
import type { CropImage, PipelineResult } from '../core/pipelineTypes';
import type { BatchItem, BatchRow } from './batchTypes';

export function rowFromResult(item: BatchItem, r: FrameResult | PipelineResult, ms: number): BatchRow {
  const found = r.detection !== 'none' && !!r.face;
  const crop = 'crops' in r && r.crops ? Object.values(r.crops)[0] : undefined;
  return {
    ...(crop ? { crop2d: greyBytes(crop), crop2dSize: [crop.height, crop.width] as [number, number] } : {}),
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

/** RGBA → grey bytes with the 2D models' own weights (crop/tensorFromPixels.ts), so an offline
 * check of a crop sees what a grey model saw. */
export function greyBytes(crop: CropImage): Uint8Array {
  const n = crop.width * crop.height;
  const out = new Uint8Array(n);
  const p = crop.rgba;
  for (let i = 0; i < n; i++) out[i] = Math.round(0.299 * p[4 * i] + 0.587 * p[4 * i + 1] + 0.114 * p[4 * i + 2]);
  return out;
}
