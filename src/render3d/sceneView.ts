/**
 * The shared base of the three.js views: renderer, scene, camera, orbit controls, lights, a root
 * group for the content, resizing with the canvas, rendering on demand, disposal. MeshView (one
 * indexed mesh) and IctHeadRenderer (the multi-material ICT head) build on it. Kept free of React.
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { softwareWebGl } from './softwareGl';

/** Camera and light choices; the defaults frame a unit-radius object at the origin. */
export interface SceneViewOptions {
  fov?: number;
  near?: number;
  far?: number;
  /** Camera position; default (0, 0, 4.6) frames a unit-radius object with a margin. */
  cameraPosition?: [number, number, number];
  /** Orbit target; default the origin. */
  target?: [number, number, number];
  damping?: boolean;
  key?: { position: [number, number, number]; intensity: number };
  /**
   * Pixels per CSS pixel on a software rasteriser (default 1). A view redrawn for every analysed
   * camera frame (the live head) asks for less: its draws share the CPU with the landmarker's
   * read-back, and at 0.5 the live view measured 14.6 vs 12.5 FPS (README, session 6). Stills,
   * the teaching view and figure exports keep full resolution.
   */
  softwarePixelRatio?: number;
  /**
   * Skip three.js's shader error checks on a software rasteriser (default false). Each check is a
   * synchronous call that waits behind the CPU-rastered frames in the GPU process (tens of ms each
   * under load, issue #16); for three.js's own materials, which link, it reports nothing. A program
   * that failed to link would draw nothing, which the e2e specs' pixel checks see.
   */
  softwareSkipShaderChecks?: boolean;
}

/** A new task: the page paints and handles input in between. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class SceneView {
  private readonly renderer: THREE.WebGLRenderer;
  protected readonly scene = new THREE.Scene();
  protected readonly camera: THREE.PerspectiveCamera;
  protected readonly controls: OrbitControls;
  /** Holds the content; subclasses pose or add to it. */
  protected readonly root = new THREE.Group();
  private disposed = false;
  private rendering = false;
  private resizeObserver?: ResizeObserver;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    o: SceneViewOptions = {},
  ) {
    // preserveDrawingBuffer lets tests and "export figure" read the pixels back. On a software
    // rasteriser: no MSAA and at most one pixel per CSS pixel (softwareGl.ts says why).
    const software = softwareWebGl() !== undefined;
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: !software, preserveDrawingBuffer: true, alpha: false });
    this.renderer.setPixelRatio(software ? (o.softwarePixelRatio ?? 1) : Math.min(window.devicePixelRatio, 2));
    if (software && o.softwareSkipShaderChecks) this.renderer.debug.checkShaderErrors = false;
    this.scene.background = new THREE.Color(0x15181e);
    this.camera = new THREE.PerspectiveCamera(o.fov ?? 30, 1, o.near ?? 0.01, o.far ?? 100);
    this.camera.position.set(...(o.cameraPosition ?? [0, 0, 4.6]));
    this.controls = new OrbitControls(this.camera, canvas);
    if (o.target) this.controls.target.set(...o.target);
    this.controls.enableDamping = o.damping ?? true;
    this.controls.addEventListener('change', () => this.render());

    this.scene.add(new THREE.HemisphereLight(0xdde6ff, 0x302820, 1.1));
    const key = new THREE.DirectionalLight(0xffffff, o.key?.intensity ?? 1.6);
    key.position.set(...(o.key?.position ?? [1.5, 1.2, 2.5]));
    this.scene.add(key);
    this.scene.add(this.root);

    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(canvas);
    // Subclasses add content after super(); the first resize renders an empty scene, which is fine.
    this.resize();
  }

  render(): void {
    // controls.update() may emit 'change', whose listener renders: draw once, not recursively.
    // Without damping there is nothing to update (and update() would re-enter through 'change').
    if (this.disposed || this.rendering) return;
    this.rendering = true;
    try {
      if (this.controls.enableDamping) this.controls.update();
      this.renderer.render(this.scene, this.camera);
    } finally {
      this.rendering = false;
    }
  }

  /**
   * Compiles the scene's shader programs and resolves once they are linked and their tables read,
   * without one long task on the page (issue #16: the ICT head's first draw was one). Any synchronous
   * query on a program (three.js's compileAsync asks for its completion status at once, the first
   * draw for its uniform and attribute tables) waits until the GPU process has run every earlier
   * command: on a software rasteriser that includes the link itself, and measured 250 ms of the
   * page's main thread under load with 2 ms of CPU. So: issue the compile and link, wait for a fence
   * polled between tasks (no blocking call), then read each program's tables in a task of its own.
   */
  protected async compileScene(): Promise<void> {
    if (this.disposed) return;
    const before = this.renderer.info.programs?.length ?? 0;
    this.renderer.compile(this.scene, this.camera);
    // Only a new program has a link to wait for (one made earlier, e.g. by IctHeadRenderer.prepareProgram, is reused).
    if ((this.renderer.info.programs?.length ?? 0) > before) await this.gpuCaughtUp();
    const programs = new Set<{ getUniforms(): unknown }>();
    this.scene.traverse((o) => {
      const m = (o as THREE.Mesh).material;
      for (const material of Array.isArray(m) ? m : m ? [m] : []) {
        const { currentProgram: program } = this.renderer.properties.get(material) as { currentProgram?: { getUniforms(): unknown } };
        if (program) programs.add(program);
      }
    });
    for (const program of programs) {
      await nextTask();
      if (this.disposed || this.renderer.getContext().isContextLost()) return;
      program.getUniforms();
    }
  }

  /**
   * Resolves once the GPU process has run every command issued so far, without waiting on it: a
   * WebGL 2 fence whose status the browser caches and updates only between tasks (no round trip),
   * polled every frame's worth of time. Gives up after `maxMs` (a lost context, a stuck driver):
   * the caller's next synchronous call then waits as it would have anyway.
   */
  private async gpuCaughtUp(maxMs = 10_000): Promise<void> {
    const gl = this.renderer.getContext();
    if (!(typeof WebGL2RenderingContext !== 'undefined' && gl instanceof WebGL2RenderingContext)) return;
    const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
    if (!sync) return;
    gl.flush();
    const t0 = performance.now();
    try {
      while (!this.disposed && !gl.isContextLost() && performance.now() - t0 < maxMs && gl.getSyncParameter(sync, gl.SYNC_STATUS) !== gl.SIGNALED) {
        await new Promise((resolve) => setTimeout(resolve, 16));
      }
    } finally {
      if (!gl.isContextLost()) gl.deleteSync(sync);
    }
  }

  private resize(): void {
    const { clientWidth: w, clientHeight: h } = this.canvas;
    if (w === 0 || h === 0) return;
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    this.render();
  }

  /** Subclasses release their geometry and materials here. */
  protected disposeContent(): void {}

  dispose(): void {
    this.disposed = true;
    this.resizeObserver?.disconnect();
    this.controls.dispose();
    this.disposeContent();
    this.renderer.dispose();
  }
}
