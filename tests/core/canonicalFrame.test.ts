import { describe, expect, it } from 'vitest';
import { applyInverseSimilarity, fitSimilarity, landmarksToCanonicalFrame } from '../../src/core/mesh/canonicalFrame';

function rotation(yaw: number, pitch: number, roll: number): number[] {
  const cy = Math.cos(yaw), sy = Math.sin(yaw), cp = Math.cos(pitch), sp = Math.sin(pitch), cr = Math.cos(roll), sr = Math.sin(roll);
  // R = Rz(roll) · Ry(yaw) · Rx(pitch), row-major
  const Rx = [1, 0, 0, 0, cp, -sp, 0, sp, cp];
  const Ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const Rz = [cr, -sr, 0, sr, cr, 0, 0, 0, 1];
  const mul = (A: number[], B: number[]) =>
    Array.from({ length: 9 }, (_, k) => {
      const r = Math.floor(k / 3), c = k % 3;
      return A[3 * r] * B[c] + A[3 * r + 1] * B[3 + c] + A[3 * r + 2] * B[6 + c];
    });
  return mul(Rz, mul(Ry, Rx));
}

function transform(points: number[], R: number[], s: number, t: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < points.length; i += 3) {
    for (let a = 0; a < 3; a++) out.push(s * (R[3 * a] * points[i] + R[3 * a + 1] * points[i + 1] + R[3 * a + 2] * points[i + 2]) + t[a]);
  }
  return out;
}

// A small irregular point cloud (not symmetric, so the rotation is unique).
const cloud = Array.from({ length: 40 * 3 }, (_, k) => Math.sin(k * 12.9898) * 43758.5453 % 5);

describe('canonical-frame Procrustes', () => {
  it('recovers an exact similarity transform', () => {
    const R = rotation(0.4, -0.25, 0.15);
    const target = transform(cloud, R, 3.5, [10, -4, 2]);
    const sim = fitSimilarity(cloud, target, [...Array(40).keys()]);
    expect(sim.scale).toBeCloseTo(3.5, 6);
    R.forEach((r, k) => expect(sim.rotation[k]).toBeCloseTo(r, 6));
    const back = applyInverseSimilarity(target, sim);
    back.forEach((v, k) => expect(v).toBeCloseTo(cloud[k], 4));
  });

  it('maps posed image landmarks back to the canonical shape', () => {
    // Pretend the canonical mesh is `cloud`; render it into a 640×480 image with a head pose.
    const R = rotation(-0.5, 0.2, -0.1);
    const posed = transform(cloud, R, 20, [320, -240, 0]); // y-up pixel frame
    const W = 640, H = 480;
    const image: number[] = [];
    for (let i = 0; i < posed.length; i += 3) image.push(posed[i] / W, -posed[i + 1] / H, -posed[i + 2] / W);
    const { canonical, similarity } = landmarksToCanonicalFrame(image, { width: W, height: H }, cloud);
    expect(similarity.scale).toBeCloseTo(20, 4);
    canonical.forEach((v, k) => expect(v).toBeCloseTo(cloud[k], 3));
  });
});
