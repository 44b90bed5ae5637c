/**
 * three.js view of the ICT-FaceKit head (26,719 vertices: face, head and neck, mouth socket, gums and
 * tongue, teeth, eyeballs, eyelashes), shaded per geometry region, orbitable. Vertex positions come
 * from the core's IctDeformer (identity + expression, ICT frame, cm); head rotation is applied to the
 * mesh's transform, not to the vertices, so a pose change costs nothing on the CPU. Kept free of React.
 */
import * as THREE from 'three';
import type { IctHead } from '../core/ict/ictAsset';
import { SceneView, type SceneViewOptions } from './sceneView';
import { softwareWebGl } from './softwareGl';
import { ictEyeColours } from '../core/ict/ictEyeColours';

/** Colour per geometry region (see the asset's groups). Regions not listed use skin. */
const REGION_COLOURS: Record<string, number> = {
  mouthSocket: 0x5a2228,
  eyeSocketLeft: 0x7a5548,
  eyeSocketRight: 0x7a5548,
  gumsTongue: 0xb04a55,
  teeth: 0xf0ece0,
  eyelashesLeft: 0x1d1712,
  eyelashesRight: 0x1d1712,
};
const MATERIAL_COLOURS: Record<string, number> = {
  M_IrisLeft: 0xffffff,
  M_IrisRight: 0xffffff,
};
/** The clear outer shell of each eyeball (cornea and wet film): hidden, the eyeball is painted instead (core/ict/ictEyeColours.ts). */
const CLEAR_MATERIALS = new Set(['M_ScleraLeft', 'M_ScleraRight']);
const SKIN = 0xd9b8a0;

export class IctHeadRenderer extends SceneView {
  private readonly geometry = new THREE.BufferGeometry();
  private readonly materials: THREE.Material[] = [];
  /** Mirror (selfie) outside, head rotation inside. */
  private readonly mirror = new THREE.Group();
  private readonly posed = new THREE.Group();
  private positions?: THREE.BufferAttribute;
  /** Milliseconds of the last commit's normal recomputation (reported by the views / bench). */
  lastNormalsMs = 0;

  /**
   * Lambert instead of physically based shading, on a software rasteriser only: asked for by the live
   * head (redrawn up to 10 times a second), whose draw there cost ≈ 22 ms of SwiftShader CPU; Lambert
   * took ≈ 6 ms off each draw (A/B in one run, 2 rounds, issue #16). Stills and the teaching view
   * keep the glossier material.
   */
  private readonly lambert: boolean;

  constructor(canvas: HTMLCanvasElement, view: Pick<SceneViewOptions, 'softwarePixelRatio' | 'softwareSkipShaderChecks'> & { softwareLambert?: boolean } = {}) {
    // The head is ≈ 34 cm tall with the neck (ICT units: cm).
    super(canvas, { near: 1, far: 500, cameraPosition: [0, -1.5, 78], target: [0, -1.5, 0], key: { position: [30, 25, 60], intensity: 1.6 }, ...view });
    this.lambert = !!view.softwareLambert && softwareWebGl() !== undefined;
    this.root.add(this.mirror);
    this.mirror.add(this.posed);
  }

  /**
   * Topology, material groups and the neutral positions from the asset; call once. Draws nothing:
   * the first draw (commit or render) follows, after `compile` where the caller can wait, so that
   * building the geometry, linking the programs and the first draw are separate tasks on the page.
   * `eyeColours` may come prepared (core/ict/preparedIctHead.ts, computed off the main thread).
   */
  setHead(head: IctHead, eyeColours: Float32Array = ictEyeColours(head)): void {
    this.triangles = head.triangles;
    this.geometry.setIndex(new THREE.BufferAttribute(head.triangles, 1));
    this.positions = new THREE.BufferAttribute(head.neutral.slice(), 3);
    this.positions.setUsage(THREE.DynamicDrawUsage);
    this.geometry.setAttribute('position', this.positions);
    this.geometry.setAttribute('color', new THREE.BufferAttribute(eyeColours, 3));
    head.groups.forEach((g, i) => {
      const colour = MATERIAL_COLOURS[g.material] ?? REGION_COLOURS[g.region] ?? SKIN;
      const eye = g.material.startsWith('M_Iris');
      const glossy = g.region === 'teeth' || eye;
      const m = this.material(colour, glossy);
      m.visible = !g.hidden && !CLEAR_MATERIALS.has(g.material);
      this.materials.push(m);
      this.geometry.addGroup(3 * g.start, 3 * g.count, i);
    });
    const mesh = new THREE.Mesh(this.geometry, this.materials);
    mesh.frustumCulled = false;
    this.posed.add(mesh);
    this.upload(head.neutral);
  }

  /**
   * Vertex colours on every group (white outside the irises, so the same look): all groups share one
   * shader program (colours and roughness are uniforms), linked and first used once.
   */
  private material(colour: number, glossy: boolean): THREE.Material {
    return this.lambert
      ? new THREE.MeshLambertMaterial({ color: colour, side: THREE.DoubleSide, vertexColors: true })
      : new THREE.MeshStandardMaterial({ color: colour, roughness: glossy ? 0.3 : 0.65, metalness: 0, side: THREE.DoubleSide, vertexColors: true });
  }

  /** Holds the program prepared before the head (prepareProgram) until the head's materials use it. */
  private programHolder?: THREE.Mesh;
  private programPrepared?: Promise<void>;

  /**
   * Links the head's shader program before the head itself has arrived: it depends on the material
   * kind and the attributes, not on the mesh, so an invisible three-vertex stand-in with the same
   * ones compiles it while the head is fetched and prepared (the head's loader worker); the head's
   * `compile` then finds it linked. Call when the head starts loading.
   */
  prepareProgram(): Promise<void> {
    if (!this.programPrepared) {
      const g = new THREE.BufferGeometry();
      for (const name of ['position', 'normal', 'color']) g.setAttribute(name, new THREE.BufferAttribute(new Float32Array(9), 3));
      this.programHolder = new THREE.Mesh(g, this.material(SKIN, false));
      this.programHolder.visible = false;
      this.root.add(this.programHolder);
      this.programPrepared = this.compileScene();
    }
    return this.programPrepared;
  }

  /**
   * Links the head's shader program (after setHead) without the page waiting on the link
   * (SceneView.compileScene); at once when prepareProgram already did.
   */
  async compile(): Promise<void> {
    // A link still under way would make this compile's first use of the program wait for it.
    await this.programPrepared;
    await this.compileScene();
    // The head's materials now hold the program: the stand-in can go without releasing it.
    const holder = this.programHolder;
    if (holder) {
      this.programHolder = undefined;
      this.root.remove(holder);
      holder.geometry.dispose();
      (holder.material as THREE.Material).dispose();
    }
  }

  /**
   * Head rotation from MediaPipe's facial transformation matrix (4×4 column-major, canonical face →
   * camera; its axes match ICT's). Translation is dropped: the view keeps the head centred.
   * `mirror` flips left/right like the selfie preview.
   */
  setPose(matrix: ArrayLike<number> | undefined, mirror = true): void {
    if (matrix && matrix.length === 16) {
      const m = new THREE.Matrix4().fromArray(Array.from(matrix));
      this.posed.quaternion.setFromRotationMatrix(new THREE.Matrix4().extractRotation(m));
    } else this.posed.quaternion.identity();
    this.mirror.scale.x = mirror ? -1 : 1;
  }

  /** New vertex positions (cm, ICT frame), then draw. */
  commit(positions: Float32Array): void {
    if (!this.positions) return;
    this.upload(positions);
    this.render();
  }

  private upload(positions: Float32Array): void {
    if (!this.positions) return;
    (this.positions.array as Float32Array).set(positions);
    this.positions.needsUpdate = true;
    const t0 = performance.now();
    this.updateNormals(positions);
    this.lastNormalsMs = performance.now() - t0;
  }

  private normals?: THREE.BufferAttribute;
  private triangles?: Uint16Array;

  /**
   * Area-weighted vertex normals straight on the typed arrays: the same result as three.js's
   * computeVertexNormals, which goes through per-element accessors and cost ≈ 10× more here.
   */
  private updateNormals(p: Float32Array): void {
    const tri = this.triangles!;
    if (!this.normals) {
      this.normals = new THREE.BufferAttribute(new Float32Array(p.length), 3);
      this.normals.setUsage(THREE.DynamicDrawUsage);
      this.geometry.setAttribute('normal', this.normals);
    }
    const n = this.normals.array as Float32Array;
    n.fill(0);
    for (let t = 0; t < tri.length; t += 3) {
      const a = 3 * tri[t], b = 3 * tri[t + 1], c = 3 * tri[t + 2];
      const e1x = p[b] - p[a], e1y = p[b + 1] - p[a + 1], e1z = p[b + 2] - p[a + 2];
      const e2x = p[c] - p[a], e2y = p[c + 1] - p[a + 1], e2z = p[c + 2] - p[a + 2];
      const nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
      n[a] += nx; n[a + 1] += ny; n[a + 2] += nz;
      n[b] += nx; n[b + 1] += ny; n[b + 2] += nz;
      n[c] += nx; n[c + 1] += ny; n[c + 2] += nz;
    }
    for (let i = 0; i < n.length; i += 3) {
      const l = Math.hypot(n[i], n[i + 1], n[i + 2]) || 1;
      n[i] /= l; n[i + 1] /= l; n[i + 2] /= l;
    }
    this.normals.needsUpdate = true;
  }

  protected override disposeContent(): void {
    this.programHolder?.geometry.dispose();
    (this.programHolder?.material as THREE.Material | undefined)?.dispose();
    this.geometry.dispose();
    this.materials.forEach((m) => m.dispose());
  }
}
