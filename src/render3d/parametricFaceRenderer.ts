/**
 * three.js view of a parametric face (teaching mode): vertex positions in the model's own frame
 * (y up, z toward the viewer; MediaPipe canonical frame in cm, or FLAME in metres), drawn with the
 * adapter's triangles, with an optional head rotation. Framed automatically from the first mesh,
 * then kept fixed so that slider changes show as shape changes, not as re-framing.
 * Builds on MeshView (renderer, orbit, lights, resize); adds a rim light, a wireframe and framing.
 */
import * as THREE from 'three';
import { MeshView } from './meshView';

export interface ParametricFaceStyle {
  background: number;
  color: number;
  wireframe: boolean;
}

export class ParametricFaceRenderer extends MeshView {
  private readonly wire: THREE.LineSegments;
  private framedFor = 0;

  constructor(canvas: HTMLCanvasElement) {
    super(canvas, { fov: 28, distance: 40, far: 1000, damping: false, roughness: 0.6, key: { position: [1.2, 1.5, 2.5], intensity: 1.7 } });
    const rim = new THREE.DirectionalLight(0x8fb4ff, 0.5);
    rim.position.set(-2, 0.5, -1);
    this.scene.add(rim);
    this.wire = new THREE.LineSegments(new THREE.BufferGeometry(), new THREE.LineBasicMaterial({ color: 0x1d2230, transparent: true, opacity: 0.35 }));
    this.wire.visible = false;
    this.root.add(this.wire);
  }

  override setTriangles(triangles: Uint32Array): void {
    super.setTriangles(triangles);
    this.framedFor = 0;
  }

  setStyle(style: Partial<ParametricFaceStyle>): void {
    if (style.background !== undefined) this.scene.background = new THREE.Color(style.background);
    if (style.color !== undefined) this.material.color.setHex(style.color);
    if (style.wireframe !== undefined) this.wire.visible = style.wireframe;
    this.render();
  }

  /** Positions: flat xyz (y up, z toward the viewer). Rotation in radians (yaw about y, pitch about x, roll about z). */
  update(positions: Float32Array, rotation?: { yaw: number; pitch: number; roll: number }): void {
    if (this.framedFor !== positions.length) this.framedFor = 0;
    this.positionBuffer(positions.length / 3).set(positions);
    this.positionsChanged();
    if (this.wire.visible && this.geometry.index) {
      this.wire.geometry.dispose();
      this.wire.geometry = new THREE.WireframeGeometry(this.geometry);
    }
    // A selfie-style view: MediaPipe's yaw/roll are seen mirrored by the viewer.
    this.root.rotation.set(rotation?.pitch ?? 0, -(rotation?.yaw ?? 0), -(rotation?.roll ?? 0), 'YXZ');
    if (this.framedFor !== positions.length) this.frame(positions.length);
    this.render();
  }

  /** Fit the camera to the current mesh (once per mesh size; the user may orbit afterwards). */
  private frame(length: number): void {
    const s = this.geometry.boundingSphere;
    if (!s || !Number.isFinite(s.radius) || s.radius <= 0) return;
    this.root.position.set(-s.center.x, -s.center.y, -s.center.z);
    const dist = (s.radius * 1.15) / Math.tan(THREE.MathUtils.degToRad(this.camera.fov / 2));
    this.camera.position.set(0, 0, dist);
    this.camera.near = dist / 100;
    this.camera.far = dist * 10;
    this.camera.updateProjectionMatrix();
    this.controls.target.set(0, 0, 0);
    this.controls.update();
    this.framedFor = length;
  }

  resetView(): void {
    this.framedFor = 0;
    this.frame(this.geometry.getAttribute('position')?.array.length ?? 0);
    this.render();
  }

  override dispose(): void {
    this.wire.geometry.dispose();
    (this.wire.material as THREE.Material).dispose();
    super.dispose();
  }
}
