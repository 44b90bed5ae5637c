/**
 * three.js view of a parametric face (teaching mode): vertex positions in the model's own frame
 * (y up, z toward the viewer; MediaPipe canonical frame in cm, or FLAME in metres), drawn with the
 * adapter's triangles, with an optional head rotation. Framed automatically from the first mesh,
 * then kept fixed so that slider changes show as shape changes, not as re-framing.
 * Framework-free, like FaceMeshRenderer.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

export interface ParametricFaceStyle {
  background: number;
  color: number;
  wireframe: boolean;
}

export class ParametricFaceRenderer {
  private readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly camera: THREE.PerspectiveCamera;
  private readonly controls: OrbitControls;
  private readonly geometry = new THREE.BufferGeometry();
  private readonly material: THREE.MeshStandardMaterial;
  private readonly wire: THREE.LineSegments;
  private readonly head = new THREE.Group();
  private positions = new Float32Array(0);
  private framedFor = 0;
  private disposed = false;
  private resizeObserver?: ResizeObserver;

  constructor(private readonly canvas: HTMLCanvasElement) {
    // preserveDrawingBuffer: "export figure" and the tests read the pixels back.
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true, alpha: false });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.scene.background = new THREE.Color(0x15181e);
    this.camera = new THREE.PerspectiveCamera(28, 1, 0.01, 1000);
    this.camera.position.set(0, 0, 40);
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.enableDamping = false;
    this.controls.addEventListener('change', () => this.render());

    this.scene.add(new THREE.HemisphereLight(0xdde6ff, 0x302820, 1.1));
    const key = new THREE.DirectionalLight(0xffffff, 1.7);
    key.position.set(1.2, 1.5, 2.5);
    this.scene.add(key);
    const rim = new THREE.DirectionalLight(0x8fb4ff, 0.5);
    rim.position.set(-2, 0.5, -1);
    this.scene.add(rim);

    this.material = new THREE.MeshStandardMaterial({ color: 0xd9b8a0, roughness: 0.6, metalness: 0, side: THREE.DoubleSide, flatShading: false });
    this.head.add(new THREE.Mesh(this.geometry, this.material));
    this.wire = new THREE.LineSegments(new THREE.BufferGeometry(), new THREE.LineBasicMaterial({ color: 0x1d2230, transparent: true, opacity: 0.35 }));
    this.wire.visible = false;
    this.head.add(this.wire);
    this.scene.add(this.head);

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(canvas);
    this.resize();
  }

  setTriangles(triangles: Uint32Array): void {
    this.geometry.setIndex(new THREE.BufferAttribute(triangles, 1));
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
    if (this.positions.length !== positions.length) {
      this.positions = new Float32Array(positions.length);
      this.geometry.setAttribute('position', new THREE.BufferAttribute(this.positions, 3));
      this.framedFor = 0;
    }
    this.positions.set(positions);
    (this.geometry.getAttribute('position') as THREE.BufferAttribute).needsUpdate = true;
    this.geometry.computeVertexNormals();
    this.geometry.computeBoundingSphere();
    if (this.wire.visible && this.geometry.index) {
      this.wire.geometry.dispose();
      this.wire.geometry = new THREE.WireframeGeometry(this.geometry);
    }
    // A selfie-style view: MediaPipe's yaw/roll are seen mirrored by the viewer.
    this.head.rotation.set(rotation?.pitch ?? 0, -(rotation?.yaw ?? 0), -(rotation?.roll ?? 0), 'YXZ');
    if (this.framedFor !== positions.length) this.frame();
    this.render();
  }

  /** Fit the camera to the current mesh (once per mesh size; the user may orbit afterwards). */
  private frame(): void {
    const s = this.geometry.boundingSphere;
    if (!s || !Number.isFinite(s.radius) || s.radius <= 0) return;
    this.head.position.set(-s.center.x, -s.center.y, -s.center.z);
    const dist = (s.radius * 1.15) / Math.tan(THREE.MathUtils.degToRad(this.camera.fov / 2));
    this.camera.position.set(0, 0, dist);
    this.camera.near = dist / 100;
    this.camera.far = dist * 10;
    this.camera.updateProjectionMatrix();
    this.controls.target.set(0, 0, 0);
    this.controls.update();
    this.framedFor = this.positions.length;
  }

  resetView(): void {
    this.framedFor = 0;
    this.frame();
    this.render();
  }

  render(): void {
    if (this.disposed) return;
    this.renderer.render(this.scene, this.camera);
  }

  private resize(): void {
    const { clientWidth: w, clientHeight: h } = this.canvas;
    if (w === 0 || h === 0) return;
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.render();
  }

  dispose(): void {
    this.disposed = true;
    this.resizeObserver?.disconnect();
    this.controls.dispose();
    this.geometry.dispose();
    this.wire.geometry.dispose();
    (this.wire.material as THREE.Material).dispose();
    this.material.dispose();
    this.renderer.dispose();
  }
}
