/**
 * A shaded, orbitable three.js view of one indexed triangle mesh whose vertices change every
 * frame. Subclasses only decide how their source data becomes view-space positions (centred,
 * about unit radius, y up, +z toward the viewer). Kept free of React.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

export class MeshView {
  private readonly renderer: THREE.WebGLRenderer;
  private readonly scene = new THREE.Scene();
  private readonly camera: THREE.PerspectiveCamera;
  private readonly controls: OrbitControls;
  protected readonly geometry = new THREE.BufferGeometry();
  private readonly mesh: THREE.Mesh;
  private positions = new Float32Array(0);
  private disposed = false;
  private resizeObserver?: ResizeObserver;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    color = 0xd9b8a0,
  ) {
    // preserveDrawingBuffer lets tests and "export figure" read the pixels back.
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true, alpha: false });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.scene.background = new THREE.Color(0x15181e);
    this.camera = new THREE.PerspectiveCamera(30, 1, 0.01, 100);
    this.camera.position.set(0, 0, 4.6); // frames the unit-radius mesh with a margin
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.enableDamping = true;
    this.controls.addEventListener('change', () => this.render());

    this.scene.add(new THREE.HemisphereLight(0xdde6ff, 0x302820, 1.1));
    const key = new THREE.DirectionalLight(0xffffff, 1.6);
    key.position.set(1.5, 1.2, 2.5);
    this.scene.add(key);

    const material = new THREE.MeshStandardMaterial({ color, roughness: 0.65, metalness: 0.0, side: THREE.DoubleSide });
    this.mesh = new THREE.Mesh(this.geometry, material);
    this.scene.add(this.mesh);

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(canvas);
    this.resize();
  }

  setTriangles(triangles: Uint32Array): void {
    this.geometry.setIndex(new THREE.BufferAttribute(triangles, 1));
  }

  /** Buffer for n vertices, reused while n stays the same; fill it, then call commit(). */
  protected positionBuffer(n: number): Float32Array {
    if (this.positions.length !== n * 3) {
      this.positions = new Float32Array(n * 3);
      this.geometry.setAttribute('position', new THREE.BufferAttribute(this.positions, 3));
    }
    return this.positions;
  }

  protected commit(): void {
    (this.geometry.getAttribute('position') as THREE.BufferAttribute).needsUpdate = true;
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
