/**
 * A 4×4 column-major rotation for yaw, pitch, roll (radians) with R = Ry(yaw)·Rx(pitch)·Rz(roll): the
 * inverse of headPoseFromMatrix (core/inference/headPose.ts), so slider angles pose the ICT head the
 * way MediaPipe's facial transformation matrix would.
 */
export function poseMatrixFromEuler(yaw: number, pitch: number, roll: number): number[] {
  const cy = Math.cos(yaw), sy = Math.sin(yaw), cp = Math.cos(pitch), sp = Math.sin(pitch), cr = Math.cos(roll), sr = Math.sin(roll);
  // Row-major R = Ry·Rx·Rz.
  const r = [
    cy * cr + sy * sp * sr, -cy * sr + sy * sp * cr, sy * cp,
    cp * sr, cp * cr, -sp,
    -sy * cr + cy * sp * sr, sy * sr + cy * sp * cr, cy * cp,
  ];
  return [r[0], r[3], r[6], 0, r[1], r[4], r[7], 0, r[2], r[5], r[8], 0, 0, 0, 0, 1];
}
