/**
 * The head3d input vector: the manifest's feature groups, concatenated in order,
 * then standardised. A group we cannot produce makes the whole vector unavailable
 * (the 3D branch is then skipped and fusion falls back to 2D).
 */
import type { Head3dModel } from '../manifest/schema';
import type { FaceGeometry } from '../types';
import { headPoseFeatures } from './headPose';

export type FeatureResult =
  | { ok: true; values: Float32Array; groups: { group: string; size: number }[] }
  | { ok: false; missing: string[] };

export function assembleFeatures3d(
  input: Head3dModel['input'],
  face: FaceGeometry,
  extra: { hasPose: boolean; groups?: Partial<Record<string, Float32Array>> } = { hasPose: true },
): FeatureResult {
  const parts: Float32Array[] = [];
  const missing: string[] = [];
  for (const { group, size } of input.features) {
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
  const n = parts.reduce((s, p) => s + p.length, 0);
  const values = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    values.set(p, o);
    o += p.length;
  }
  if (input.standardize) {
    const { mean, std } = input.standardize;
    for (let i = 0; i < n; i++) values[i] = (values[i] - mean[i]) / (std[i] || 1);
  }
  return { ok: true, values, groups: input.features.map((f) => ({ group: f.group, size: f.size })) };
}
