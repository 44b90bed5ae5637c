/**
 * A shaded, orbitable three.js view of one indexed triangle mesh whose vertices change every
 * frame. Subclasses only decide how their source data becomes view-space positions (centred,
 * about unit radius, y up, +z toward the viewer) and may add to `root` (the group holding the
 * mesh: rotate it to pose the head). Kept free of React.
 */
import * as THREE from 'three';
import { SceneView, type SceneViewOptions } from './sceneView';

/** Camera, light and material choices; the defaults frame a unit-radius mesh. */
export interface MeshViewOptions {
  color?: number;
  roughness?: number;
  fov?: number;
  /** Camera distance and far plane before any framing. */
  distance?: number;
  far?: number;
  damping?: boolean;
  key?: SceneViewOptions['key'];
}

export class MeshView extends SceneView {
  protected readonly geometry = new THREE.BufferGeometry();
  protected readonly material: THREE.MeshStandardMaterial;
  private positions = new Float32Array(0);

  constructor(canvas: HTMLCanvasElement, colorOrOptions: number | MeshViewOptions = {}) {
    const o: MeshViewOptions = typeof colorOrOptions === 'number' ? { color: colorOrOptions } : colorOrOptions;
    super(canvas, { fov: o.fov, far: o.far, cameraPosition: [0, 0, o.distance ?? 4.6], damping: o.damping, key: o.key });
    this.material = new THREE.MeshStandardMaterial({ color: o.color ?? 0xd9b8a0, roughness: o.roughness ?? 0.65, metalness: 0.0, side: THREE.DoubleSide });
    this.root.add(new THREE.Mesh(this.geometry, this.material));
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

  protected override disposeContent(): void {
    this.geometry.dispose();
    this.material.dispose();
  }
}
