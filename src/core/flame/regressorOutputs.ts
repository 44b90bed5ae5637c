/**
 * A FLAME regressor's ONNX outputs ↔ the manifest's named parameter groups, and its camera
 * mapped back to the frame. Pure functions: the worker (flameBranch.ts) runs the model.
 */
import { composeAffine, type Affine } from '../crop/affine';
import type { FeatureGroup, Regressor3dModel } from '../manifest/schema';

export type OutputTensors = Record<string, { data: Float32Array; dims: readonly number[] }>;

/** The ONNX output names the manifest declares (the session checks they exist). */
export function regressorOutputNames(model: Regressor3dModel): string[] {
  return [...new Set(Object.values(model.outputs).map((o) => o!.name))];
}

/**
 * Problems with a run's outputs against the manifest: a missing tensor, or a size that is not
 * `size` values for batch 1. Used on the dry run at load, so a wrong export fails with its group named.
 */
export function checkRegressorOutputs(model: Regressor3dModel, outputs: OutputTensors): string[] {
  const errors: string[] = [];
  for (const [group, spec] of Object.entries(model.outputs)) {
    if (!spec) continue;
    const t = outputs[spec.name];
    if (!t) {
      errors.push(`model ${model.id}: output '${spec.name}' (group ${group}) was not produced`);
      continue;
    }
    if (t.data.length !== spec.size) {
      errors.push(`model ${model.id}: output '${spec.name}' (group ${group}) has shape [${t.dims.join(', ')}] = ${t.data.length} values, manifest says ${spec.size}`);
    }
  }
  return errors;
}

/** Group name → its values (batch 1). Throws with every problem listed. */
export function groupsFromOutputs(model: Regressor3dModel, outputs: OutputTensors): Record<string, Float32Array> {
  const errors = checkRegressorOutputs(model, outputs);
  if (errors.length) throw new Error(errors.join('; '));
  const groups: Record<string, Float32Array> = {};
  for (const [group, spec] of Object.entries(model.outputs)) if (spec) groups[group] = outputs[spec.name].data;
  return groups;
}

/**
 * The FLAME groups that describe the face for the 3D head when the pack has no head3d
 * (Ig3D feeds expression, pose and identity; SMIRK splits jaw and eyelids out of pose).
 */
export const FLAME_FEATURE_GROUPS: Record<Regressor3dModel['family'], readonly { group: FeatureGroup; size: number }[]> = {
  'emoca-v2': [
    { group: 'exp', size: 50 },
    { group: 'pose', size: 6 },
    { group: 'shape', size: 100 },
  ],
  smirk: [
    { group: 'exp', size: 50 },
    { group: 'pose', size: 3 },
    { group: 'jaw', size: 3 },
    { group: 'eyelid', size: 2 },
    { group: 'shape', size: 300 },
  ],
};

/**
 * FLAME (x, y) → image pixels: the weak-perspective camera (projection.ts: u = (s(x + tx) + 1)·W/2,
 * v = (1 − s(y + ty))·H/2 in the crop) followed by the crop → image affine.
 */
export function flameToImageAffine(cam: ArrayLike<number>, cropSize: readonly [height: number, width: number], cropToImage: Affine): Affine {
  const [s, tx, ty] = [cam[0], cam[1], cam[2]];
  const [h, w] = cropSize;
  const toCrop: Affine = [(s * w) / 2, 0, 0, (-s * h) / 2, ((s * tx + 1) * w) / 2, ((1 - s * ty) * h) / 2];
  return composeAffine(cropToImage, toCrop);
}
