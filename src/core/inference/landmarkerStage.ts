/**
 * The landmarker as the pipeline runs it: MediaPipe Face Landmarker (faceLandmarker.ts) plus
 * what a frame needs around it — huge images downscaled first, and one rebuild-and-retry when
 * MediaPipe fails (e.g. a lost WebGL context inside it).
 */
import { FaceLandmarkerRunner, type FaceLandmarkerRunnerOptions, type ImageLike, type LandmarkDetection } from './faceLandmarker';

/** Images larger than this (either side) are downscaled before the landmarker. */
export const MAX_LANDMARKER_SIDE = 4096;

export class LandmarkerStage {
  private downscaleCanvas?: OffscreenCanvas;

  private constructor(private readonly runner: FaceLandmarkerRunner) {}

  static async create(options: FaceLandmarkerRunnerOptions): Promise<LandmarkerStage> {
    return new LandmarkerStage(await FaceLandmarkerRunner.create(options));
  }

  /** See FaceLandmarkerRunner.warmUp. */
  warmUp(mode?: 'video' | 'image'): Promise<void> {
    return this.runner.warmUp(mode);
  }

  /** See FaceLandmarkerRunner.release. */
  release(mode: 'video' | 'image'): void {
    this.runner.release(mode);
  }

  /** Faces in `image`; notes say what had to be done to find them. */
  async detect(image: ImageLike, mode: 'video' | 'image', timestamp: number, notes: string[]): Promise<LandmarkDetection> {
    const input = this.downscaled(image, notes);
    try {
      return await this.runner.detect(input, mode, timestamp);
    } catch (e) {
      const why = (e as Error).message;
      try {
        await this.runner.recover();
      } catch (r) {
        // Said in words: the raw error ("ModuleFactory not set.") tells a visitor nothing. The next
        // frame tries again, so a passing fault still heals.
        throw new Error(`the face landmarker stopped working (${why}) and could not be restarted (${(r as Error).message}); reload the page`, { cause: r });
      }
      notes.push(`face landmarker failed (${why}); restarted it`);
      return this.runner.detect(input, mode, timestamp);
    }
  }

  /** Debug only: see FaceLandmarkerRunner.breakForTest. */
  breakForTest(failRecovery = false): void {
    this.runner.breakForTest(failRecovery);
  }

  private downscaled(image: ImageLike, notes: string[]): ImageLike {
    const { width, height } = image;
    const side = Math.max(width, height);
    if (side <= MAX_LANDMARKER_SIDE) return image;
    const s = MAX_LANDMARKER_SIDE / side;
    const w = Math.max(1, Math.round(width * s));
    const h = Math.max(1, Math.round(height * s));
    if (!this.downscaleCanvas || this.downscaleCanvas.width !== w || this.downscaleCanvas.height !== h) {
      this.downscaleCanvas = new OffscreenCanvas(w, h);
    }
    const ctx = this.downscaleCanvas.getContext('2d');
    if (!ctx) throw new Error('2D canvas not available for downscaling');
    ctx.drawImage(image, 0, 0, w, h);
    notes.push(`image is ${width}×${height}: downscaled to ${w}×${h} for face detection`);
    return this.downscaleCanvas;
  }

  close(): void {
    this.runner.close();
  }
}
