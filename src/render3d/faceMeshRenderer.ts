/**
 * three.js view of the reconstructed face: the 478 MediaPipe landmarks as vertices of
 * MediaPipe's canonical mesh triangles. The landmarks are already in camera orientation,
 * so the head pose shows in the mesh itself; we only centre and scale it.
 * Kept free of React so it can be reused by the batch detail view and tests.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

export class FaceMeshRenderer {
  private readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly camera: THREE.PerspectiveCamera;
  private readonly controls: OrbitControls;
  private readonly geometry = new THREE.BufferGeometry();
  private readonly mesh: THREE.Mesh;
  private positions = new Float32Array(0);
  private disposed = false;
  private resizeObserver?: ResizeObserver;

  constructor(private readonly canvas: HTMLCanvasElement) {
    // preserveDrawingBuffer lets tests and "export figure" read the pixels back.
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true, alpha: false });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.scene.background = new THREE.Color(0x15181e);
    this.camera = new THREE.PerspectiveCamera(30, 1, 0.01, 100);
    this.camera.position.set(0, 0, 4.6); // frames the unit-radius face with a margin
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.enableDamping = true;
    this.controls.addEventListener('change', () => this.render());

    this.scene.add(new THREE.HemisphereLight(0xdde6ff, 0x302820, 1.1));
    const key = new THREE.DirectionalLight(0xffffff, 1.6);
    key.position.set(1.5, 1.2, 2.5);
    this.scene.add(key);

    const material = new THREE.MeshStandardMaterial({ color: 0xd9b8a0, roughness: 0.65, metalness: 0.0, side: THREE.DoubleSide });
    this.mesh = new THREE.Mesh(this.geometry, material);
    this.scene.add(this.mesh);

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(canvas);
    this.resize();
  }

  setTriangles(triangles: Uint32Array): void {
    this.geometry.setIndex(new THREE.BufferAttribute(triangles, 1));
  }

  /**
   * @param landmarks flat x,y,z (x,y in 0..1 of the image; z in the same scale as x)
   * @param aspect image width / height, so the face keeps its proportions
   * @param mirror mirror horizontally to match a selfie preview
   */
  update(landmarks: Float32Array, aspect: number, mirror = true): void {
    const n = landmarks.length / 3;
    if (this.positions.length !== n * 3) {
      this.positions = new Float32Array(n * 3);
      this.geometry.setAttribute('position', new THREE.BufferAttribute(this.positions, 3));
    }
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
      this.positions[3 * i] = mx * (landmarks[3 * i] * aspect - cx) * s;
      this.positions[3 * i + 1] = -(landmarks[3 * i + 1] - cy) * s;
      // MediaPipe z grows away from the camera; three.js z grows toward it.
      this.positions[3 * i + 2] = -(landmarks[3 * i + 2] * aspect - cz) * s;
    }
    const pos = this.geometry.getAttribute('position') as THREE.BufferAttribute;
    pos.needsUpdate = true;
    this.geometry.computeVertexNormals();
    this.geometry.computeBoundingSphere();
    this.render();
  }

  clear(): void {
    this.geometry.setDrawRange(0, 0);
    this.render();
    this.geometry.setDrawRange(0, Infinity);
  }

  render(): void {
    if (this.disposed) return;
    this.controls.update();
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
    (this.mesh.material as THREE.Material).dispose();
    this.renderer.dispose();
  }
}
