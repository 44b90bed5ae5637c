/**
 * three.js view of the reconstructed face: the 478 MediaPipe landmarks as vertices of
 * MediaPipe's canonical mesh triangles. The landmarks are already in camera orientation,
 * so the head pose shows in the mesh itself; we only centre and scale it.
 * Kept free of React so it can be reused by the batch detail view and tests.
 */
import { MeshView } from './meshView';

export class FaceMeshRenderer extends MeshView {
  /**
   * @param landmarks flat x,y,z (x,y in 0..1 of the image; z in the same scale as x)
   * @param aspect image width / height, so the face keeps its proportions
   * @param mirror mirror horizontally to match a selfie preview
   */
  update(landmarks: Float32Array, aspect: number, mirror = true): void {
    const n = landmarks.length / 3;
    const positions = this.positionBuffer(n);
    let cx = 0, cy = 0, cz = 0;
    for (let i = 0; i < n; i++) {
      cx += landmarks[3 * i] * aspect;
      cy += landmarks[3 * i + 1];
      cz += landmarks[3 * i + 2] * aspect;
    }
    cx /= n; cy /= n; cz /= n;
    let radius = 1e-6;
    for (let i = 0; i < n; i++) {
      const x = landmarks[3 * i] * aspect - cx;
      const y = landmarks[3 * i + 1] - cy;
      radius = Math.max(radius, Math.hypot(x, y));
    }
    const s = 1 / radius;
    const mx = mirror ? -1 : 1;
    for (let i = 0; i < n; i++) {
      positions[3 * i] = mx * (landmarks[3 * i] * aspect - cx) * s;
      positions[3 * i + 1] = -(landmarks[3 * i + 1] - cy) * s;
      // MediaPipe z grows away from the camera; three.js z grows toward it.
      positions[3 * i + 2] = -(landmarks[3 * i + 2] * aspect - cz) * s;
    }
    this.commit();
  }
}
