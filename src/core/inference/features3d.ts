/**
 * The 3D parameter vector: feature groups concatenated in order. `features3d` in a
 * FrameResult is always this *raw* vector (what `npm run extract` writes for training);
 * the head3d model gets a standardised copy. A group we cannot produce makes the whole
 * vector unavailable (the 3D branch is then skipped and fusion falls back to 2D).
 */
import type { FeatureGroup, Head3dModel } from '../manifest/schema';
import type { FaceGeometry } from '../types';
import { headPoseFeatures } from './headPose';

export type FeatureSlice = { group: FeatureGroup; size: number };

/** Groups extracted when the pack has no head3d model: everything MediaPipe gives for free. */
export const DEFAULT_FEATURE_GROUPS: readonly FeatureSlice[] = [
  { group: 'blendshapes', size: 52 },
  { group: 'headPose', size: 6 },
];

export type FeatureResult =
  | { ok: true; values: Float32Array; groups: { group: string; size: number }[] }
  | { ok: false; missing: string[] };

export function assembleFeatures3d(
  features: readonly FeatureSlice[],
  face: FaceGeometry,
  extra: { hasPose: boolean; groups?: Partial<Record<string, Float32Array>> } = { hasPose: true },
): FeatureResult {
  const parts: Float32Array[] = [];
  const missing: string[] = [];
  for (const { group, size } of features) {
    let v: Float32Array | undefined;
    if (group === 'blendshapes') v = face.blendshapes;
    else if (group === 'headPose') v = extra.hasPose ? headPoseFeatures(face.headPose) : undefined;
    else v = extra.groups?.[group];
    if (!v) {
      missing.push(group);
      continue;
    }
    if (v.length !== size) {
      missing.push(`${group} (have ${v.length} values, manifest says ${size})`);
      continue;
    }
    parts.push(v);
  }
  if (missing.length) return { ok: false, missing };
  const values = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    values.set(p, o);
    o += p.length;
  }
  return { ok: true, values, groups: features.map((f) => ({ group: f.group, size: f.size })) };
}

/** (x − mean) / std per element, as declared by the head3d model; a copy. */
export function standardizeFeatures(values: Float32Array, standardize: Head3dModel['input']['standardize']): Float32Array {
  const out = values.slice();
  if (!standardize) return out;
  const { mean, std } = standardize;
  if (mean.length !== out.length || std.length !== out.length) {
    throw new Error(`standardize has ${mean.length}/${std.length} values for ${out.length} features`);
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] - mean[i]) / (std[i] || 1);
  return out;
}
