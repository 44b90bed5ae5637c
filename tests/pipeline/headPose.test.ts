import { describe, expect, it } from 'vitest';
import { headPoseFeatures, headPoseFromMatrix } from '../../src/core/inference/headPose';

type M3 = number[][];
const mul = (a: M3, b: M3): M3 => a.map((r) => b[0].map((_, j) => r.reduce((s, v, k) => s + v * b[k][j], 0)));
const Rx = (t: number): M3 => [[1, 0, 0], [0, Math.cos(t), -Math.sin(t)], [0, Math.sin(t), Math.cos(t)]];
const Ry = (t: number): M3 => [[Math.cos(t), 0, Math.sin(t)], [0, 1, 0], [-Math.sin(t), 0, Math.cos(t)]];
const Rz = (t: number): M3 => [[Math.cos(t), -Math.sin(t), 0], [Math.sin(t), Math.cos(t), 0], [0, 0, 1]];

/** Column-major 4x4 from R, t, optional uniform scale. */
function matrix(R: M3, t: [number, number, number], s = 1): number[] {
  const m = new Array(16).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) m[c * 4 + r] = R[r][c] * s;
  m[12] = t[0]; m[13] = t[1]; m[14] = t[2]; m[15] = 1;
  return m;
}

describe('headPoseFromMatrix', () => {
  it('recovers yaw, pitch, roll of R = Ry·Rx·Rz, also with scale', () => {
    for (const [yaw, pitch, roll] of [[0.3, -0.2, 0.1], [-0.7, 0.4, -0.5], [0, 0, 0]]) {
      for (const s of [1, 1.7]) {
        const p = headPoseFromMatrix(matrix(mul(mul(Ry(yaw), Rx(pitch)), Rz(roll)), [1, 2, -50], s));
        expect(p.yaw).toBeCloseTo(yaw, 6);
        expect(p.pitch).toBeCloseTo(pitch, 6);
        expect(p.roll).toBeCloseTo(roll, 6);
        expect(p.matrix).toHaveLength(16);
      }
    }
    expect(() => headPoseFromMatrix([1, 2, 3])).toThrow(/expected 16/);
  });
  it('features: angles, distance-normalised x/y, z in metres', () => {
    const f = headPoseFeatures(headPoseFromMatrix(matrix(Ry(0.2), [5, -10, -50])));
    expect(f).toHaveLength(6);
    expect(f[0]).toBeCloseTo(0.2, 6);
    expect(Array.from(f.slice(3))).toEqual([0.1, -0.2, -0.5].map((x) => Math.fround(x)));
  });
});
