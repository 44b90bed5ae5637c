/**
 * A shaded, orbitable three.js view of one indexed triangle mesh whose vertices change every
 * frame. Subclasses only decide how their source data becomes view-space positions (centred,
 * about unit radius, y up, +z toward the viewer) and may add to `root` (the group holding the
 * mesh: rotate it to pose the head). Kept free of React.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

/** Camera, light and material choices; the defaults frame a unit-radius mesh. */
export interface MeshViewOptions {
  color?: number;
  roughness?: number;
  fov?: number;
  /** Camera distance and far plane before any framing. */
  distance?: number;
  far?: number;
  damping?: boolean;
  key?: { position: [number, number, number]; intensity: number };
}

export class MeshView {
  private readonly renderer: THREE.WebGLRenderer;
  protected readonly scene = new THREE.Scene();
  protected readonly camera: THREE.PerspectiveCamera;
  protected readonly controls: OrbitControls;
  protected readonly geometry = new THREE.BufferGeometry();
  protected readonly material: THREE.MeshStandardMaterial;
  /** Holds the mesh; subclasses pose or add to it. */
  protected readonly root = new THREE.Group();
  private positions = new Float32Array(0);
  private disposed = false;
  private resizeObserver?: ResizeObserver;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    colorOrOptions: number | MeshViewOptions = {},
  ) {
    const o: MeshViewOptions = typeof colorOrOptions === 'number' ? { color: colorOrOptions } : colorOrOptions;
    // preserveDrawingBuffer lets tests and "export figure" read the pixels back.
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true, alpha: false });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.scene.background = new THREE.Color(0x15181e);
    this.camera = new THREE.PerspectiveCamera(o.fov ?? 30, 1, 0.01, o.far ?? 100);
    this.camera.position.set(0, 0, o.distance ?? 4.6); // frames the unit-radius mesh with a margin
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.enableDamping = o.damping ?? true;
    this.controls.addEventListener('change', () => this.render());

    this.scene.add(new THREE.HemisphereLight(0xdde6ff, 0x302820, 1.1));
    const key = new THREE.DirectionalLight(0xffffff, o.key?.intensity ?? 1.6);
    key.position.set(...(o.key?.position ?? [1.5, 1.2, 2.5]));
    this.scene.add(key);

    this.material = new THREE.MeshStandardMaterial({ color: o.color ?? 0xd9b8a0, roughness: o.roughness ?? 0.65, metalness: 0.0, side: THREE.DoubleSide });
    this.root.add(new THREE.Mesh(this.geometry, this.material));
    this.scene.add(this.root);

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

  /** The position buffer changed: upload it and recompute normals and bounds (no render). */
  protected positionsChanged(): void {
    (this.geometry.getAttribute('position') as THREE.BufferAttribute).needsUpdate = true;
    this.geometry.computeVertexNormals();
    this.geometry.computeBoundingSphere();
  }

  protected commit(): void {
    this.positionsChanged();
    this.render();
  }

  clear(): void {
    this.geometry.setDrawRange(0, 0);
    this.render();
    this.geometry.setDrawRange(0, Infinity);
  }

  render(): void {
    if (this.disposed) return;
    // Damping needs an update per frame; without it, update() would dispatch 'change' → render → update…
    if (this.controls.enableDamping) this.controls.update();
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
    this.material.dispose();
    this.renderer.dispose();
  }
}
