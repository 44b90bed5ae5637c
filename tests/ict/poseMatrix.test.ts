import { describe, expect, it } from 'vitest';
import { headPoseFromMatrix } from '../../src/core/inference/headPose';
import { poseMatrixFromEuler } from '../../src/core/ict/poseMatrix';

describe('pose matrix from yaw/pitch/roll', () => {
  it('is the inverse of headPoseFromMatrix', () => {
    for (const [yaw, pitch, roll] of [[0.3, -0.2, 0.1], [-0.7, 0.5, -0.4], [0, 0, 0]]) {
      const p = headPoseFromMatrix(poseMatrixFromEuler(yaw, pitch, roll));
      expect(p.yaw).toBeCloseTo(yaw, 6);
      expect(p.pitch).toBeCloseTo(pitch, 6);
      expect(p.roll).toBeCloseTo(roll, 6);
    }
  });
});
