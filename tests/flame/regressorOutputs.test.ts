import { describe, expect, it } from 'vitest';
import { applyAffine, type Affine } from '../../src/core/crop/affine';
import { projectToCrop } from '../../src/core/flame/projection';
import { REGRESSOR_OUTPUTS } from '../../src/core/flame/regressorParams';
import { checkRegressorOutputs, FLAME_FEATURE_GROUPS, flameToImageAffine, groupsFromOutputs, regressorOutputNames } from '../../src/core/flame/regressorOutputs';
import type { Regressor3dModel } from '../../src/core/manifest/schema';

const smirk: Regressor3dModel = {
  id: 'smirk',
  role: 'regressor3d',
  family: 'smirk',
  file: 'regressor.onnx',
  synthetic: true,
  input: { name: 'image', size: [224, 224], channels: 3, colorOrder: 'rgb', layout: 'NCHW', range: '0-1', crop: { kind: 'landmark-box', landmarks: 'all', scale: 1.4 } },
  outputs: Object.fromEntries(Object.entries(REGRESSOR_OUTPUTS.smirk).map(([g, size]) => [g, { name: `out_${g}`, size }])),
};

const tensors = (sizes: Record<string, number>) =>
  Object.fromEntries(Object.entries(sizes).map(([g, n]) => [`out_${g}`, { data: Float32Array.from({ length: n }, (_, i) => i + 1), dims: [1, n] }]));

describe('regressor outputs ↔ manifest groups', () => {
  it('lists the declared ONNX output names', () => {
    expect(regressorOutputNames(smirk).sort()).toEqual(['out_cam', 'out_exp', 'out_eyelid', 'out_jaw', 'out_pose', 'out_shape']);
  });
  it('maps tensors to groups by the manifest names', () => {
    const g = groupsFromOutputs(smirk, tensors(REGRESSOR_OUTPUTS.smirk));
    expect(Object.keys(g).sort()).toEqual(['cam', 'exp', 'eyelid', 'jaw', 'pose', 'shape']);
    expect(g.shape).toHaveLength(300);
    expect(g.cam[2]).toBe(3);
  });
  it('names the group whose tensor has the wrong size or is missing', () => {
    const outs = tensors({ ...REGRESSOR_OUTPUTS.smirk, exp: 100 });
    delete outs.out_jaw;
    expect(checkRegressorOutputs(smirk, outs)).toEqual([
      "model smirk: output 'out_exp' (group exp) has shape [1, 100] = 100 values, manifest says 50",
      "model smirk: output 'out_jaw' (group jaw) was not produced",
    ]);
    expect(() => groupsFromOutputs(smirk, outs)).toThrow(/group exp.*manifest says 50/);
  });
  it('default FLAME feature groups use the sizes each family emits', () => {
    for (const family of ['emoca-v2', 'smirk'] as const) {
      for (const { group, size } of FLAME_FEATURE_GROUPS[family]) expect(REGRESSOR_OUTPUTS[family][group]).toBe(size);
    }
  });
});

describe('flameToImageAffine', () => {
  it('equals projecting into the crop, then mapping the crop back to the image', () => {
    const cam = [7.5, 0.01, -0.02];
    const cropToImage: Affine = [1.5, 0.2, -0.2, 1.5, 100, 40]; // scaled, rotated crop
    const verts = Float32Array.from([0.05, 0.03, 0.1, -0.04, -0.06, 0.0, 0, 0, 0]);
    const inCrop = projectToCrop(verts, cam, 224, 200);
    const m = flameToImageAffine(cam, [200, 224], cropToImage);
    for (let i = 0; i < 3; i++) {
      const want = applyAffine(cropToImage, [inCrop[2 * i], inCrop[2 * i + 1]]);
      const got = applyAffine(m, [verts[3 * i], verts[3 * i + 1]]);
      expect(got[0]).toBeCloseTo(want[0], 4);
      expect(got[1]).toBeCloseTo(want[1], 4);
    }
  });
  it('puts the FLAME origin with zero translation at the crop centre, y up', () => {
    const m = flameToImageAffine([4, 0, 0], [224, 224], [2, 0, 0, 2, 10, 20]);
    expect(applyAffine(m, [0, 0])).toEqual([10 + 224, 20 + 224]);
    expect(applyAffine(m, [0, 0.1])[1]).toBeLessThan(20 + 224);
  });
});
