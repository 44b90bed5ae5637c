/**
 * MediaPipe FaceLandmarker wrapped for a (module) Web Worker.
 *
 * Module workers: tasks-vision loads its wasm loader with `importScripts`, which throws a
 * TypeError in module workers. Since 0.10.x the bundle catches that and falls back to
 * `import(url)`; the classic loader (`vision_wasm_internal.js`) only declares a `var`, which
 * is module-scoped under import(), so "ModuleFactory not set". The `_module` build
 * (`vision_wasm_module_internal.js`) assigns `globalThis.ModuleFactory` — so we ask
 * FilesetResolver for it with `useModule = true` — only in module workers, because the
 * window (script tag) and classic workers (importScripts) need the classic loader.
 * (mediapipe issues #5257, #5479, #5527.)
 *
 * Delegate: CPU (XNNPACK) by default. The GPU delegate needs WebGL in the worker, and
 * headless/software WebGL was seen to lose its context about once per 2000 calls; on 2 CPU
 * cores XNNPACK is also not slower. The input image still goes through one WebGL texture
 * upload in tasks-vision either way, so detection errors trigger a recreate (see recover()).
 *
 * Recreating in a module worker: tasks-vision reads `self.ModuleFactory` after loading the loader
 * and then sets it to undefined. A second `import()` of the same URL does not evaluate the module
 * again, so a second create failed with "ModuleFactory not set." (the recover() below never worked
 * in the app's module worker). The `_module` loader also default-exports its factory, so we import
 * it again (import() hands back the evaluated module) before each re-create and put the factory
 * back where tasks-vision looks for it (provideModuleFactory). The factory can be called again: each call makes a fresh wasm instance.
 */
import { FaceLandmarker, FilesetResolver, type FaceLandmarkerResult } from '@mediapipe/tasks-vision';
import type { DetectionMethod, FaceGeometry } from '../types';
import { headPoseFromMatrix } from './headPose';

export type LandmarkerDelegate = 'CPU' | 'GPU';
export type ImageLike = ImageBitmap | OffscreenCanvas;

export interface FaceLandmarkerRunnerOptions {
  /** face_landmarker.task bytes. */
  modelBytes: Uint8Array;
  /** URL of the folder holding vision_wasm_module_internal.{js,wasm} (our own copy, never a CDN). */
  wasmDir: string;
  numFaces: number;
  delegate?: LandmarkerDelegate;
  /**
   * The mode most calls will use: its landmarker is built and warmed up at once; the other mode's
   * is built on its first frame (see FaceLandmarkerRunner). A batch worker opened for video and
   * then given still images paid ≈ 0.85 s on its first image, after a warm-up that had been for
   * nothing. Default 'video' (the live view).
   */
  initialMode?: 'video' | 'image';
}

export interface LandmarkDetection {
  detection: DetectionMethod;
  faceCount: number;
  face?: FaceGeometry;
  /** False when MediaPipe gave no transformation matrix (headPose is then identity, not measured). */
  hasPose?: boolean;
  notes: string[];
}

/**
 * Faces tracked in VIDEO mode (live camera). MediaPipe runs its face detector on a video frame
 * only while it tracks fewer faces than numFaces; with the pack's 4 and one person in view it
 * ran on every frame. Live mode shows one face, so it tracks one and detects only when it loses
 * it. IMAGE mode (batch, photos) keeps the pack's numFaces: it reports face counts and picks the
 * largest face.
 */
export const VIDEO_NUM_FACES = 1;

export const NUM_LANDMARKS = 478;
export const NUM_BLENDSHAPES = 52;
/** Padded fallback geometry: the image's longer side becomes 192 px on a 384 px mid-grey square. */
export const PAD_FACE_SIZE = 192;
export const PAD_CANVAS_SIZE = 384;

/** Module workers have importScripts, but it throws a TypeError; a no-arg call is a no-op elsewhere. */
export function isModuleWorker(): boolean {
  const g = globalThis as { importScripts?: (...urls: string[]) => void };
  if (typeof g.importScripts !== 'function') return false;
  try {
    g.importScripts();
    return false;
  } catch {
    return true;
  }
}

/**
 * Make sure `self.ModuleFactory` is set before tasks-vision creates a task (see the header: it
 * clears it after every create, and a module is evaluated only once). Called before a re-create,
 * when the loader has been imported (and evaluated) already: no download, no evaluation.
 */
async function provideModuleFactory(loaderUrl: string): Promise<void> {
  const g = globalThis as { ModuleFactory?: unknown };
  if (g.ModuleFactory) return;
  const loader = (await import(/* @vite-ignore */ loaderUrl)) as { default?: unknown };
  if (typeof loader.default !== 'function') throw new Error(`MediaPipe's loader ${loaderUrl} exports no module factory`);
  g.ModuleFactory = loader.default;
}

type RunningMode = 'VIDEO' | 'IMAGE';

function runningMode(mode: 'video' | 'image'): RunningMode {
  return mode === 'image' ? 'IMAGE' : 'VIDEO';
}

/** MediaPipe's options for a running mode: VIDEO tracks one face, IMAGE looks for the pack's count. */
function modeOptions(mode: RunningMode, packFaces: number): { runningMode: RunningMode; numFaces: number } {
  return { runningMode: mode, numFaces: mode === 'VIDEO' ? VIDEO_NUM_FACES : packFaces };
}

/**
 * One MediaPipe landmarker per running mode. Switching one landmarker's mode (`setOptions`)
 * rebuilds its whole graph, and the Teach tab's Freeze did that twice per freeze on the live
 * worker: VIDEO→IMAGE for the still, IMAGE→VIDEO when the camera resumed. Here the initial mode's
 * landmarker is built at once and the other on its first frame, then both stay: a worker that
 * only ever sees one kind of frame (the live view, a batch worker) still builds one.
 */
export class FaceLandmarkerRunner {
  private readonly landmarkers: Partial<Record<RunningMode, FaceLandmarker>> = {};
  private readonly building: Partial<Record<RunningMode, Promise<FaceLandmarker>>> = {};
  private lastVideoTs = -1;
  private padCanvas?: OffscreenCanvas;
  /** Debug only: see breakForTest. */
  private failNextRecovery = false;
  /** MediaPipe's blendshape names in output order (from the first result). */
  blendshapeNames: string[] = [];

  private constructor(
    initial: FaceLandmarker,
    private readonly options: Required<FaceLandmarkerRunnerOptions>,
  ) {
    this.landmarkers[runningMode(options.initialMode)] = initial;
  }

  static async create(options: FaceLandmarkerRunnerOptions): Promise<FaceLandmarkerRunner> {
    const full = { delegate: 'CPU' as LandmarkerDelegate, initialMode: 'video' as const, ...options };
    return new FaceLandmarkerRunner(await FaceLandmarkerRunner.build(full, runningMode(full.initialMode), false), full);
  }

  /** `again`: not the page's first MediaPipe task, so the module factory must be put back (see the header). */
  private static async build(o: Required<FaceLandmarkerRunnerOptions>, mode: RunningMode, again: boolean): Promise<FaceLandmarker> {
    const moduleWorker = isModuleWorker();
    const fileset = await FilesetResolver.forVisionTasks(o.wasmDir.replace(/\/$/, ''), moduleWorker);
    // Only a later build needs it: the first create evaluates the loader itself, and start-up stays as it was.
    if (moduleWorker && again) await provideModuleFactory(fileset.wasmLoaderPath);
    return FaceLandmarker.createFromOptions(fileset, {
      // A copy: MediaPipe may keep/transfer the buffer, and we may need it again to recover.
      baseOptions: { modelAssetBuffer: o.modelBytes.slice(), delegate: o.delegate },
      ...modeOptions(mode, o.numFaces),
      outputFaceBlendshapes: true,
      outputFacialTransformationMatrixes: true,
    });
  }

  get delegate(): LandmarkerDelegate {
    return this.options.delegate;
  }

  /**
   * One detection on a blank camera-sized frame before the first real one, in `mode` (default the
   * initial mode; the other mode's landmarker is built first if need be).
   * MediaPipe's first call sets up its image path (a WebGL context and textures, even with the CPU
   * delegate) and the detector: measured ≈ 0.6–1.2 s on the first live frame here, ≈ 80 ms on
   * later ones. A blank frame finds no face, so it leaves no tracking state; the next VIDEO
   * timestamp just has to be later than this one's (0), which run() ensures.
   */
  async warmUp(mode: 'video' | 'image' = this.options.initialMode): Promise<void> {
    const blank = new OffscreenCanvas(640, 480);
    const ctx = blank.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = 'rgb(128,128,128)';
    ctx.fillRect(0, 0, 640, 480);
    await this.run(blank, mode, 0);
  }

  /** Rebuild after a failed call (e.g. lost WebGL context); tracking state is reset. */
  async recover(): Promise<void> {
    if (this.failNextRecovery) {
      this.failNextRecovery = false;
      throw new Error('rebuild refused for the test (?debug)');
    }
    this.closeAll();
    const mode = runningMode(this.options.initialMode);
    this.landmarkers[mode] = await FaceLandmarkerRunner.build(this.options, mode, true);
    this.lastVideoTs = -1;
  }

  /**
   * Debug only (`?debug`, the page's `simulateLandmarkerFailure`): close the MediaPipe landmarkers
   * under the runner (not forgotten), so the next detection fails inside MediaPipe as a lost context
   * would, and the recovery path (LandmarkerStage → recover()) runs for real. `failRecovery`: the
   * next rebuild fails too (once), to show what a visitor sees when the landmarker cannot be restarted.
   */
  breakForTest(failRecovery = false): void {
    for (const lm of Object.values(this.landmarkers)) lm.close();
    this.failNextRecovery = failRecovery;
  }

  /**
   * Close the landmarker for `mode` when it is not the initial mode's (that one stays: every frame
   * of this worker's main kind needs it). The Teach tab releases the live worker's still-image
   * landmarker when it closes (≈ 40–50 MiB); the next still builds it again.
   */
  release(mode: 'video' | 'image'): void {
    const m = runningMode(mode);
    if (m !== runningMode(this.options.initialMode)) this.closeOne(m);
  }

  /** Close every landmarker and forget them. */
  private closeAll(): void {
    for (const mode of Object.keys(this.landmarkers) as RunningMode[]) this.closeOne(mode);
  }

  /** Close one mode's landmarker (even if already broken) and forget it. */
  private closeOne(mode: RunningMode): void {
    try {
      this.landmarkers[mode]?.close();
    } catch {
      // Already broken; nothing to release.
    }
    delete this.landmarkers[mode];
  }

  /** The landmarker for `mode`, built on first use (one build even if frames arrive meanwhile). */
  private async landmarkerFor(mode: RunningMode): Promise<FaceLandmarker> {
    const ready = this.landmarkers[mode];
    if (ready) return ready;
    const building = (this.building[mode] ??= FaceLandmarkerRunner.build(this.options, mode, true).finally(() => delete this.building[mode]));
    const built = await building;
    // Kept unless a recover() replaced it meanwhile (then that one is used and this one closed).
    if (this.landmarkers[mode] && this.landmarkers[mode] !== built) {
      built.close();
      return this.landmarkers[mode];
    }
    return (this.landmarkers[mode] = built);
  }

  private async run(image: ImageLike, mode: 'video' | 'image', timestampMs: number): Promise<FaceLandmarkerResult> {
    if (mode === 'video') {
      const landmarker = await this.landmarkerFor('VIDEO');
      // VIDEO mode requires strictly increasing timestamps; a repeated/old one would throw.
      const ts = Math.max(Math.round(timestampMs), this.lastVideoTs + 1);
      this.lastVideoTs = ts;
      return landmarker.detectForVideo(image, ts);
    }
    return (await this.landmarkerFor('IMAGE')).detect(image);
  }

  /**
   * Detect faces. 'image' mode retries on a padded, upscaled copy when nothing is found
   * (FER-style tight crops have no margin around the face, which the detector needs).
   */
  async detect(image: ImageLike, mode: 'video' | 'image', timestampMs: number): Promise<LandmarkDetection> {
    const { width, height } = image;
    const direct = await this.run(image, mode, timestampMs);
    if (direct.faceLandmarks.length > 0 || mode === 'video') return this.toDetection(direct, width, height, 'as-is', undefined);
    const { canvas, scale, ox, oy } = this.padded(image);
    const retry = await this.run(canvas, 'image', timestampMs);
    if (retry.faceLandmarks.length === 0) return { detection: 'none', faceCount: 0, notes: [] };
    // Padded-canvas normalised coords → original normalised coords.
    const unpad = (x: number, y: number, z: number): [number, number, number] => [
      (x * PAD_CANVAS_SIZE - ox) / scale / width,
      (y * PAD_CANVAS_SIZE - oy) / scale / height,
      (z * PAD_CANVAS_SIZE) / scale / width,
    ];
    return this.toDetection(retry, width, height, 'padded', unpad);
  }

  private padded(image: ImageLike): { canvas: OffscreenCanvas; scale: number; ox: number; oy: number } {
    this.padCanvas ??= new OffscreenCanvas(PAD_CANVAS_SIZE, PAD_CANVAS_SIZE);
    const ctx = this.padCanvas.getContext('2d');
    if (!ctx) throw new Error('2D canvas not available for the padded fallback');
    const scale = PAD_FACE_SIZE / Math.max(image.width, image.height);
    const w = image.width * scale;
    const h = image.height * scale;
    const ox = (PAD_CANVAS_SIZE - w) / 2;
    const oy = (PAD_CANVAS_SIZE - h) / 2;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = 'rgb(128,128,128)';
    ctx.fillRect(0, 0, PAD_CANVAS_SIZE, PAD_CANVAS_SIZE);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(image, ox, oy, w, h);
    return { canvas: this.padCanvas, scale, ox, oy };
  }

  private toDetection(
    r: FaceLandmarkerResult,
    width: number,
    height: number,
    detection: DetectionMethod,
    map: ((x: number, y: number, z: number) => [number, number, number]) | undefined,
  ): LandmarkDetection {
    const faceCount = r.faceLandmarks.length;
    if (faceCount === 0) return { detection: 'none', faceCount: 0, notes: [] };
    const notes: string[] = [];
    if (detection === 'padded') {
      notes.push('face found only after padding and upscaling the image (tight crop); head translation is relative to the padded copy');
    }
    // Largest face by landmark box area.
    let best = 0;
    let bestArea = -1;
    const boxes = r.faceLandmarks.map((lms) => {
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const p of lms) {
        const [x, y] = map ? map(p.x, p.y, 0) : [p.x, p.y];
        x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
      }
      return { x: x0 * width, y: y0 * height, width: (x1 - x0) * width, height: (y1 - y0) * height };
    });
    boxes.forEach((b, i) => {
      if (b.width * b.height > bestArea) { bestArea = b.width * b.height; best = i; }
    });
    if (faceCount > 1) notes.push(`${faceCount} faces found: using the largest`);

    const lms = r.faceLandmarks[best];
    const landmarks = new Float32Array(lms.length * 3);
    lms.forEach((p, i) => {
      const [x, y, z] = map ? map(p.x, p.y, p.z) : [p.x, p.y, p.z];
      landmarks[i * 3] = x; landmarks[i * 3 + 1] = y; landmarks[i * 3 + 2] = z;
    });

    const blendshapes = new Float32Array(NUM_BLENDSHAPES);
    const cats = r.faceBlendshapes[best]?.categories ?? [];
    if (cats.length > 0) {
      // `index` is the model's output slot; categories are not guaranteed to be in that order.
      for (const c of cats) if (c.index >= 0 && c.index < NUM_BLENDSHAPES) blendshapes[c.index] = c.score;
      if (this.blendshapeNames.length === 0) {
        const names = new Array<string>(NUM_BLENDSHAPES).fill('');
        for (const c of cats) if (c.index >= 0 && c.index < NUM_BLENDSHAPES) names[c.index] = c.categoryName;
        this.blendshapeNames = names;
      }
    } else {
      notes.push('no blendshapes for this face');
    }

    const m = r.facialTransformationMatrixes[best]?.data;
    // Identity when missing, so the shape of the result stays the same; noted for the user.
    const headPose = headPoseFromMatrix(m && m.length === 16 ? m : [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    if (!m || m.length !== 16) notes.push('no facial transformation matrix: head pose unknown');

    return { detection, faceCount, face: { landmarks, blendshapes, headPose, box: boxes[best] }, hasPose: !!m && m.length === 16, notes };
  }

  close(): void {
    this.closeAll();
  }
}
