/**
 * Head pose from MediaPipe's facial transformation matrix (4x4, column-major, canonical face
 * → camera, translation in cm; camera looks down −z, y up).
 */
import type { HeadPose } from '../types';

/** Element (row r, column c) of a column-major 4x4 matrix. */
const at = (m: ArrayLike<number>, r: number, c: number) => m[c * 4 + r];

/**
 * Euler angles for R = Ry(yaw) · Rx(pitch) · Rz(roll), radians. Columns are normalised first
 * in case the matrix carries a scale.
 */
export function headPoseFromMatrix(matrix: ArrayLike<number>): HeadPose {
  if (matrix.length !== 16) throw new Error(`facial transformation matrix has ${matrix.length} values, expected 16`);
  const colNorm = [0, 1, 2].map((c) => Math.hypot(at(matrix, 0, c), at(matrix, 1, c), at(matrix, 2, c)) || 1);
  const R = (r: number, c: number) => at(matrix, r, c) / colNorm[c];
  const pitch = Math.asin(Math.max(-1, Math.min(1, -R(1, 2))));
  const yaw = Math.atan2(R(0, 2), R(2, 2));
  const roll = Math.atan2(R(1, 0), R(1, 1));
  return { yaw, pitch, roll, matrix: Array.from(matrix) };
}

/**
 * The 6-value `headPose` feature group: yaw, pitch, roll (rad), then translation made
 * independent of camera distance for x/y: tx/|tz|, ty/|tz|, and tz in metres.
 * (Training code that builds head3d features must use the same formula.)
 */
export function headPoseFeatures(pose: HeadPose): Float32Array {
  const tx = at(pose.matrix, 0, 3);
  const ty = at(pose.matrix, 1, 3);
  const tz = at(pose.matrix, 2, 3);
  const d = Math.abs(tz) > 1e-6 ? Math.abs(tz) : 1;
  return Float32Array.from([pose.yaw, pose.pitch, pose.roll, tx / d, ty / d, tz / 100]);
}
