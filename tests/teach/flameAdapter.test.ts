// The explorer's FLAME adapter, on the small committed FLAME fixture (tests/flame/fixtures/reduced):
// the same parameter-model interface as the MediaPipe adapter, driving the FLAME decoder.
import { describe, expect, it } from 'vitest';
import { createFlameAdapter } from '../../src/core/blendshapeModel/flameAdapter';
import { headFeatureVector } from '../../src/core/blendshapeModel/faceParams';
import { createFlameDecoder, parseFlameAsset } from '../../src/core/flame';
import type { FrameResult } from '../../src/core/types';
import { REDUCED_DIR, loadFixture } from '../flame/fixture';

const fixture = loadFixture(REDUCED_DIR);
const asset = parseFlameAsset(fixture.bin);

describe('FLAME face parameter adapter', () => {
  for (const family of ['emoca-v2', 'smirk'] as const) {
    it(`${family}: sliders decode to the FLAME decoder's mesh`, () => {
      const a = createFlameAdapter({ asset, family });
      expect(a.vertexCount).toBe(fixture.counts.vertices);
      expect(a.triangles.length).toBe(fixture.counts.faces * 3);
      const v = a.initialValues();
      const ref = createFlameDecoder(asset, { backend: 'js' });
      const m0 = a.mesh(v).positions.slice();
      const zero = ref.decode({});
      for (let i = 0; i < m0.length; i++) expect(m0[i]).toBeCloseTo(zero.vertices[i], 5);
      // Open the jaw: the mesh changes, as the decoder says.
      const jaw = a.params.findIndex((p) => p.key === 'jaw.x');
      v[jaw] = 0.3;
      const m1 = a.mesh(v).positions;
      const want = ref.decode({ jaw: [0.3, 0, 0] }).vertices;
      let moved = 0;
      for (let i = 0; i < m1.length; i++) {
        expect(m1[i]).toBeCloseTo(want[i], 5);
        moved = Math.max(moved, Math.abs(m1[i] - m0[i]));
      }
      expect(moved).toBeGreaterThan(1e-4);
      expect(a.presets).toEqual([]);
    });
  }

  it('builds each family’s head3d groups and copies a frame’s regressor parameters', () => {
    const emoca = createFlameAdapter({ asset, family: 'emoca-v2' });
    const smirk = createFlameAdapter({ asset, family: 'smirk' });
    const nExp = Math.min(50, fixture.counts.expression);
    const v = emoca.initialValues();
    v[emoca.params.findIndex((p) => p.key === 'jaw.x')] = 0.2;
    v[emoca.params.findIndex((p) => p.key === 'pose.y')] = 0.1;
    const f = emoca.features(v);
    expect(Array.from(f.pose!, (x) => Math.round(x * 100) / 100)).toEqual([0, 0.1, 0, 0.2, 0, 0]);
    expect(f.exp).toHaveLength(nExp);
    expect(headFeatureVector([{ group: 'exp', size: nExp }, { group: 'pose', size: 6 }], f).ok).toBe(true);
    const fs = smirk.features(smirk.initialValues());
    expect(new Set(Object.keys(fs))).toEqual(new Set(['eyelid', 'exp', 'jaw', 'pose', 'shape']));
    expect(fs.pose).toHaveLength(3);

    const r = {
      face: {},
      flame: { params: { exp: Float32Array.from({ length: 50 }, (_, i) => i / 100), pose: Float32Array.from([0.1, 0.2, 0.3]), jaw: Float32Array.from([0.25, 0, 0]), eyelid: Float32Array.from([0.5, 0.7]), shape: new Float32Array(300).fill(0.5) } },
    } as unknown as FrameResult;
    const c = smirk.fromFrame(r) as Float32Array;
    expect(typeof c).not.toBe('string');
    expect(c[smirk.params.findIndex((p) => p.key === 'exp.3')]).toBeCloseTo(0.03);
    expect(c[smirk.params.findIndex((p) => p.key === 'jaw.x')]).toBeCloseTo(0.25);
    expect(c[smirk.params.findIndex((p) => p.key === 'eyelid.r')]).toBeCloseTo(0.7);
    expect(c[smirk.params.findIndex((p) => p.key === 'pose.z')]).toBeCloseTo(0.3);
    // Identity components beyond the first 10 have no slider but keep the frame's value.
    const hidden = smirk.params.findIndex((p) => p.hidden);
    if (hidden >= 0) expect(c[hidden]).toBeCloseTo(0.5);
    expect(smirk.fromFrame({ face: {} } as unknown as FrameResult)).toMatch(/no FLAME parameters/);
  });
});
