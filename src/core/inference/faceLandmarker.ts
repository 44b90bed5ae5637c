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
   * The mode most calls will use: the landmarker is built and warmed up in it. Switching MediaPipe's
   * running mode rebuilds its whole graph (`setOptions`), so a batch worker opened for video and then
   * given a still image paid ≈ 0.85 s on its first image, after a warm-up that had been for nothing.
   * Default 'video' (the live view).
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

function runningMode(mode: 'video' | 'image'): 'VIDEO' | 'IMAGE' {
  return mode === 'image' ? 'IMAGE' : 'VIDEO';
}

/** MediaPipe's options for a running mode: VIDEO tracks one face, IMAGE looks for the pack's count. */
function modeOptions(mode: 'VIDEO' | 'IMAGE', packFaces: number): { runningMode: 'VIDEO' | 'IMAGE'; numFaces: number } {
  return { runningMode: mode, numFaces: mode === 'VIDEO' ? VIDEO_NUM_FACES : packFaces };
}

export class FaceLandmarkerRunner {
  private mode: 'VIDEO' | 'IMAGE';
  private lastVideoTs = -1;
  private padCanvas?: OffscreenCanvas;
  /** Debug only: see breakForTest. */
  private failNextRecovery = false;
  /** MediaPipe's blendshape names in output order (from the first result). */
  blendshapeNames: string[] = [];

  private constructor(
    private landmarker: FaceLandmarker,
    private readonly options: Required<FaceLandmarkerRunnerOptions>,
  ) {
    this.mode = runningMode(options.initialMode);
  }

  static async create(options: FaceLandmarkerRunnerOptions): Promise<FaceLandmarkerRunner> {
    const full = { delegate: 'CPU' as LandmarkerDelegate, initialMode: 'video' as const, ...options };
    return new FaceLandmarkerRunner(await FaceLandmarkerRunner.build(full, false), full);
  }

  private static async build(o: Required<FaceLandmarkerRunnerOptions>, rebuild: boolean): Promise<FaceLandmarker> {
    const moduleWorker = isModuleWorker();
    const fileset = await FilesetResolver.forVisionTasks(o.wasmDir.replace(/\/$/, ''), moduleWorker);
    // Only a rebuild needs it: the first create evaluates the loader itself, and start-up stays as it was.
    if (moduleWorker && rebuild) await provideModuleFactory(fileset.wasmLoaderPath);
    return FaceLandmarker.createFromOptions(fileset, {
      // A copy: MediaPipe may keep/transfer the buffer, and we may need it again to recover.
      baseOptions: { modelAssetBuffer: o.modelBytes.slice(), delegate: o.delegate },
      ...modeOptions(runningMode(o.initialMode), o.numFaces),
      outputFaceBlendshapes: true,
      outputFacialTransformationMatrixes: true,
    });
  }

  get delegate(): LandmarkerDelegate {
    return this.options.delegate;
  }

  /**
   * One detection on a blank camera-sized frame before the first real one, in the initial mode.
   * MediaPipe's first call sets up its image path (a WebGL context and textures, even with the CPU
   * delegate) and the detector: measured ≈ 0.6–1.2 s on the first live frame here, ≈ 80 ms on
   * later ones. A blank frame finds no face, so it leaves no tracking state; the next VIDEO
   * timestamp just has to be later than this one's (0), which run() ensures.
   */
  async warmUp(): Promise<void> {
    const blank = new OffscreenCanvas(640, 480);
    const ctx = blank.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = 'rgb(128,128,128)';
    ctx.fillRect(0, 0, 640, 480);
    await this.run(blank, this.options.initialMode, 0);
  }

  /** Rebuild after a failed call (e.g. lost WebGL context); tracking state is reset. */
  async recover(): Promise<void> {
    if (this.failNextRecovery) {
      this.failNextRecovery = false;
      throw new Error('rebuild refused for the test (?debug)');
    }
    try {
      this.landmarker.close();
    } catch {
      // Already broken; nothing to release.
    }
    this.landmarker = await FaceLandmarkerRunner.build(this.options, true);
    this.mode = runningMode(this.options.initialMode);
    this.lastVideoTs = -1;
  }

  /**
   * Debug only (`?debug`, the page's `simulateLandmarkerFailure`): close the MediaPipe landmarker
   * under the runner, so the next detection fails inside MediaPipe as a lost context would, and the
   * recovery path (LandmarkerStage → recover()) runs for real. `failRecovery`: the next rebuild
   * fails too (once), to show what a visitor sees when the landmarker cannot be restarted.
   */
  breakForTest(failRecovery = false): void {
    this.landmarker.close();
    this.failNextRecovery = failRecovery;
  }

  private async setMode(mode: 'VIDEO' | 'IMAGE'): Promise<void> {
    if (this.mode === mode) return;
    await this.landmarker.setOptions(modeOptions(mode, this.options.numFaces));
    this.mode = mode;
  }

  private async run(image: ImageLike, mode: 'video' | 'image', timestampMs: number): Promise<FaceLandmarkerResult> {
    if (mode === 'video') {
      await this.setMode('VIDEO');
      // VIDEO mode requires strictly increasing timestamps; a repeated/old one would throw.
      const ts = Math.max(Math.round(timestampMs), this.lastVideoTs + 1);
      this.lastVideoTs = ts;
      return this.landmarker.detectForVideo(image, ts);
    }
    await this.setMode('IMAGE');
    return this.landmarker.detect(image);
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
    this.landmarker.close();
  }
}
