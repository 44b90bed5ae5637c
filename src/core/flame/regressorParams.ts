/**
 * From a FLAME regressor's named outputs (manifest `regressor3d` entry) to decoder parameters.
 *
 * EMOCA v2 (ExpDECA, exp + jaw from the expression encoder, the rest from DECA's coarse encoder):
 *   shape 100, tex 50, exp 50, pose 6 = [global 3, jaw 3], cam 3 = [scale, tx, ty], light 27 (9×3 SH), detail 128 (optional)
 * SMIRK: pose 3 (global), cam 3, shape 300, exp 50, eyelid 2 (clamped 0..1), jaw 3
 * Neck and eyes are zero for both (their FLAME layers keep them fixed).
 */
import type { FlameParams } from './types';

export type RegressorFamily = 'emoca-v2' | 'smirk';

/** Output group sizes each family's export declares (training/export/*.py write the same). */
export const REGRESSOR_OUTPUTS: Record<RegressorFamily, Readonly<Record<string, number>>> = {
  'emoca-v2': { shape: 100, tex: 50, exp: 50, pose: 6, cam: 3, light: 27 },
  smirk: { pose: 3, cam: 3, shape: 300, exp: 50, eyelid: 2, jaw: 3 },
};

export type RegressorGroups = Partial<Record<string, Float32Array | ArrayLike<number>>>;

function need(groups: RegressorGroups, name: string, size: number, family: string): ArrayLike<number> {
  const v = groups[name];
  if (!v) throw new Error(`${family} regressor: output group "${name}" is missing`);
  if (v.length !== size) throw new Error(`${family} regressor: "${name}" has ${v.length} values, expected ${size}`);
  return v;
}

function slice(v: ArrayLike<number>, start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(v[i]);
  return out;
}

/** Build FlameParams for one face from its output groups (batch index already taken). */
export function flameParamsFromRegressor(family: RegressorFamily, groups: RegressorGroups): FlameParams {
  if (family === 'emoca-v2') {
    const pose = need(groups, 'pose', 6, family);
    return {
      shape: need(groups, 'shape', 100, family),
      exp: need(groups, 'exp', 50, family),
      globalPose: slice(pose, 0, 3),
      jaw: slice(pose, 3, 6),
    };
  }
  const sizes = REGRESSOR_OUTPUTS.smirk;
  return {
    shape: need(groups, 'shape', sizes.shape, family),
    exp: need(groups, 'exp', sizes.exp, family),
    globalPose: need(groups, 'pose', 3, family),
    jaw: need(groups, 'jaw', 3, family),
    eyelid: need(groups, 'eyelid', 2, family),
  };
}
