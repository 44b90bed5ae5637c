import { describe, expect, it } from 'vitest';
import { assembleFeatures3d, DEFAULT_FEATURE_GROUPS, standardizeFeatures } from '../../src/core/inference/features3d';
import type { FaceGeometry } from '../../src/core/types';

const face: FaceGeometry = {
  landmarks: new Float32Array(478 * 3),
  blendshapes: Float32Array.from({ length: 52 }, (_, i) => i / 100),
  headPose: { yaw: 0.1, pitch: 0.2, roll: 0.3, matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, -40, 1] },
  box: { x: 0, y: 0, width: 1, height: 1 },
};

describe('assembleFeatures3d', () => {
  it('concatenates groups in the given order, raw', () => {
    const r = assembleFeatures3d([{ group: 'headPose', size: 6 }, { group: 'blendshapes', size: 52 }], face);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.values).toHaveLength(58);
    expect(r.values[0]).toBeCloseTo(0.1);
    expect(r.values[5]).toBeCloseTo(-0.4);
    expect(r.values[6 + 10]).toBeCloseTo(0.1);
    expect(r.groups).toEqual([{ group: 'headPose', size: 6 }, { group: 'blendshapes', size: 52 }]);
  });
  it('default groups are blendshapes then headPose (58 values)', () => {
    const r = assembleFeatures3d(DEFAULT_FEATURE_GROUPS, face);
    expect(r.ok && r.values.length).toBe(58);
  });
  it('reports missing or mis-sized groups instead of guessing', () => {
    const r = assembleFeatures3d([{ group: 'blendshapes', size: 50 }, { group: 'exp', size: 50 }], face);
    expect(r).toEqual({ ok: false, missing: ['blendshapes (have 52 values, manifest says 50)', 'exp'] });
    expect(assembleFeatures3d([{ group: 'headPose', size: 6 }], face, { hasPose: false }).ok).toBe(false);
  });
  it('standardises a copy', () => {
    const v = Float32Array.from([1, 2]);
    expect(Array.from(standardizeFeatures(v, { mean: [1, 0], std: [2, 4] }))).toEqual([0, 0.5]);
    expect(Array.from(v)).toEqual([1, 2]);
    expect(() => standardizeFeatures(v, { mean: [1], std: [1] })).toThrow(/for 2 features/);
  });
});
