// The shipped blendshape geometry (public/models/blendshape_geometry.bin) reproduces what
// training/fit_blendshape_geometry.py fitted: the mean face and one basis vector, checked at a few
// landmarks against the fixture the script saved from the same fit.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateBlendshapeGeometry, parseBlendshapeGeometry } from '../../src/core/blendshapeModel/blendshapeGeometry';
import { BLENDSHAPE_NAMES } from '../../src/core/blendshapeModel/blendshapeNames';
import { createMediapipeAdapter, headFeatureVector, parsePresetsFile } from '../../src/core/blendshapeModel/faceParams';
import { EXPRESSIONS } from '../../src/core/classes/expressionClasses';
import type { FrameResult } from '../../src/core/types';

const ROOT = path.resolve(__dirname, '..', '..');
const bin = readFileSync(path.join(ROOT, 'public/models/blendshape_geometry.bin'));
const fixture = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/blendshape_geometry.fixture.json'), 'utf8')) as {
  sha256: string;
  vertices: number[];
  mean: number[][];
  basis: string;
  basisIndex: number;
  basisValues: number[][];
  identity0Std: number;
};

describe('blendshape geometry asset', () => {
  const g = parseBlendshapeGeometry(new Uint8Array(bin));

  it('is the file the fixture was saved from, and small', () => {
    expect(createHash('sha256').update(bin).digest('hex')).toBe(fixture.sha256);
    expect(bin.length).toBeLessThan(1024 * 1024);
    expect(g.vertexCount).toBe(478);
    expect([...g.blendshapeNames]).toEqual([...BLENDSHAPE_NAMES]);
    expect(g.header.units).toBe('cm');
  });

  it('reproduces the fitted mean at all-zero scores', () => {
    const y = evaluateBlendshapeGeometry(g, new Float32Array(52));
    fixture.vertices.forEach((v, i) => {
      for (let d = 0; d < 3; d++) expect(y[3 * v + d]).toBeCloseTo(fixture.mean[i][d], 5);
    });
  });

  it(`reproduces the fitted ${fixture.basis} basis vector (score 1 minus score 0)`, () => {
    expect(BLENDSHAPE_NAMES[fixture.basisIndex]).toBe(fixture.basis);
    const s = new Float32Array(52);
    const y0 = evaluateBlendshapeGeometry(g, s);
    s[fixture.basisIndex] = 1;
    const y1 = evaluateBlendshapeGeometry(g, s);
    fixture.vertices.forEach((v, i) => {
      for (let d = 0; d < 3; d++) expect(y1[3 * v + d] - y0[3 * v + d]).toBeCloseTo(fixture.basisValues[i][d], 4);
    });
  });

  it('is linear in the scores and the identity coefficients', () => {
    const s = new Float32Array(52);
    s[25] = 0.5;
    s[44] = 0.3;
    const z = new Float32Array(g.identityCount);
    z[0] = 1;
    const y = evaluateBlendshapeGeometry(g, s, z);
    const D = g.vertexCount * 3;
    for (const k of [3, 100, 700, 1400]) {
      const expected = g.mean[k] + 0.5 * g.basis[25 * D + k] + 0.3 * g.basis[44 * D + k] + g.identity[k];
      expect(y[k]).toBeCloseTo(expected, 5);
    }
    // The identity component carries its std: its length is that std (unit vector × σ).
    const u = g.identity.subarray(0, D);
    expect(Math.hypot(...u)).toBeCloseTo(fixture.identity0Std, 3);
  });

  it('rejects files that are not this format', () => {
    expect(() => parseBlendshapeGeometry(new Uint8Array(16))).toThrow(/magic/);
  });
});

describe('MediaPipe face parameter adapter', () => {
  const g = parseBlendshapeGeometry(new Uint8Array(bin));
  const presets = parsePresetsFile(JSON.parse(readFileSync(path.join(ROOT, 'public/models/blendshape_geometry.presets.json'), 'utf8')));
  const adapter = createMediapipeAdapter({ geometry: g, triangles: new Uint32Array([0, 1, 2]), presets });

  it('has 52 blendshapes, 6 pose values and the identity components as parameters', () => {
    expect(adapter.params.slice(0, 52).map((p) => p.key)).toEqual([...BLENDSHAPE_NAMES]);
    expect(adapter.params).toHaveLength(58 + g.identityCount);
    expect(adapter.params.find((p) => p.key === 'jawOpen')?.group).toBe('jaw');
    expect(adapter.params.find((p) => p.key === 'browInnerUp')?.group).toBe('brows');
    expect(adapter.params.find((p) => p.key === 'mouthSmileLeft')?.group).toBe('mouth');
  });

  it('builds the head input in the manifest order and only from head parameters', () => {
    const v = adapter.initialValues();
    v[25] = 0.7; // jawOpen
    v[52] = 0.2; // yaw
    v[58] = 2; // identity 1: not a head input
    const f = headFeatureVector([{ group: 'blendshapes', size: 52 }, { group: 'headPose', size: 6 }], adapter.features(v));
    expect(f.ok).toBe(true);
    if (!f.ok) return;
    expect(f.values).toHaveLength(58);
    expect(f.values[25]).toBeCloseTo(0.7);
    expect(f.values[52]).toBeCloseTo(0.2);
    const bad = headFeatureVector([{ group: 'exp', size: 50 }], adapter.features(v));
    expect(bad.ok).toBe(false);
  });

  it('copies a frame: blendshapes, head pose features and a fitted identity', () => {
    const bs = new Float32Array(52);
    bs[44] = 0.8;
    const z = new Float32Array(g.identityCount);
    z[1] = 1.5;
    const canonical = evaluateBlendshapeGeometry(g, bs, z);
    const r = {
      face: {
        blendshapes: bs,
        canonicalLandmarks: canonical,
        headPose: { yaw: 0.1, pitch: 0, roll: 0, matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, -50, 1] },
      },
    } as unknown as FrameResult;
    const v = adapter.fromFrame(r);
    expect(typeof v).not.toBe('string');
    const vals = v as Float32Array;
    expect(vals[44]).toBeCloseTo(0.8);
    expect(vals[52]).toBeCloseTo(0.1);
    expect(vals[57]).toBeCloseTo(-0.5); // tz in metres
    expect(vals[58 + 1]).toBeCloseTo(1.5, 3);
    expect(vals[58]).toBeCloseTo(0, 3);
    expect(adapter.fromFrame({ notes: [] } as unknown as FrameResult)).toMatch(/no face/);
  });

  it('has data-made presets for the classes in the presets file', () => {
    expect(adapter.presets.length).toBeGreaterThan(0);
    for (const p of adapter.presets) {
      expect(EXPRESSIONS).toContain(p.cls);
      expect(p.values).toHaveLength(adapter.params.length);
      expect(p.count).toBeGreaterThan(0);
    }
  });
});
