/**
 * The per-frame flow, as in the paper's figure: face → (2D crop → CNN) and (3D parameters →
 * head) → late fusion → class probabilities and valence/arousal. Framework-free; runs inside the
 * inference worker. Built by openPipeline.ts; each step lives in its own module:
 *   landmarks: inference/landmarkerStage.ts     2D branch: branches/fer2dBranch.ts
 *   FLAME:     inference/flameBranch.ts          3D head:   branches/head3dBranch.ts
 *   fusion+VA: fusion/fusionPolicy.ts            EP:        inference/epPolicy.ts
 */
import type { Manifest } from './manifest/schema';
import type { FrameOptions, Head3dEvaluation, PipelineResult, ReadyInfo } from './pipelineTypes';
import type { BranchOutput, ExecutionProvider, FrameResult } from './types';
import { landmarksToPixels, readsWholeImage, wholeImageNote, type CropSource } from './crop';
import type { CanonicalMesh } from './mesh/canonicalMesh';
import { landmarksToCanonicalFrame } from './mesh/canonicalFrame';
import type { ImageLike, LandmarkDetection } from './inference/faceLandmarker';
import type { LandmarkerStage } from './inference/landmarkerStage';
import type { EpGuard, EpStatusListener } from './inference/epPolicy';
import type { FlameBranch } from './inference/flameBranch';
import { assembleFeatures3d, DEFAULT_FEATURE_GROUPS } from './inference/features3d';
import { FLAME_FEATURE_GROUPS } from './flame/regressorOutputs';
import type { ExpressionBranch, FaceInput, FrameScratch } from './branches/expressionBranch';
import type { Head3dBranch } from './branches/head3dBranch';
import { defaultFusion, fuseFrame, weights2d } from './fusion/fusionPolicy';
import { combine2d } from './fusion/combine2d';

export { MAX_LANDMARKER_SIDE } from './inference/landmarkerStage';

export interface PipelineParts {
  manifest: Manifest;
  landmarker: LandmarkerStage;
  mesh: CanonicalMesh;
  guard: EpGuard;
  /** Image branches first, then feature branches. */
  branches: ExpressionBranch[];
  head3d?: Head3dBranch;
  flame?: FlameBranch;
  info: ReadyInfo;
}

function imageSize(img: ImageLike): { width: number; height: number } {
  // A closed/detached ImageBitmap reports 0×0; reading it would throw deep inside MediaPipe.
  const width = img?.width ?? 0;
  const height = img?.height ?? 0;
  if (!(width > 0 && height > 0)) throw new Error(`empty or unreadable image (${width}×${height})`);
  return { width, height };
}

export class InferencePipeline {
  readonly info: ReadyInfo;
  private readonly vaWeight2d: number;

  constructor(private readonly parts: PipelineParts) {
    this.info = parts.info;
    this.vaWeight2d = defaultFusion(parts.manifest).vaWeight2d;
  }

  get executionProvider(): ExecutionProvider {
    return this.parts.guard.ep;
  }

  onStatus(cb: EpStatusListener): void {
    this.parts.guard.onStatus(cb);
  }

  /** Process one frame. Throws (with a readable message) only for this frame's problem. */
  async process(image: ImageLike, timestamp: number, options: FrameOptions, frameId = 0): Promise<PipelineResult> {
    const t0 = performance.now();
    const frame: FrameScratch = { timings: {}, notes: [], wantCrops: !!options.wantCrops, calibrate: options.calibrate };
    const { timings, notes } = frame;
    const size = imageSize(image);
    const result: PipelineResult = { frameId, timestamp, imageSize: size, detection: 'none', faceCount: 0, notes, timings };

    // 1. Face and landmarks.
    let t = performance.now();
    const det = await this.parts.landmarker.detect(image, options.mode, timestamp, notes);
    timings.landmarks = performance.now() - t;
    Object.assign(result, { detection: det.detection, faceCount: det.faceCount });
    notes.push(...det.notes);
    const input: FaceInput = { image: image as CropSource, imageSize: size };
    let branches = this.parts.branches;
    if (det.face) {
      input.face = result.face = det.face;
      input.landmarksPx = landmarksToPixels(det.face.landmarks, size.width, size.height);
      // 2. 3D parameters (always, raw: batch extraction trains heads on them).
      await this.parameters3d(input, det, options, result);
    } else if (options.mode === 'image' && readsWholeImage(options.wholeImageFallback, size)) {
      // Tight-crop datasets: the image branches run on the whole image; the row stays 'no face'.
      branches = branches.filter((b) => !b.needsFace);
      if (!branches.some((b) => b.side === '2d')) return this.finish(result, t0);
    } else {
      return this.finish(result, t0);
    }

    // 3. Every branch on this face, then 4. late fusion and VA.
    const outputs = new Map<ExpressionBranch, BranchOutput>();
    for (const b of branches) {
      const out = await b.run(input, frame);
      if (out) outputs.set(b, out);
    }
    const side = (s: '2d' | '3d') => branches.filter((b) => b.side === s && outputs.has(b));
    const images = side('2d');
    // Several 2D models: their weighted mean of log-probabilities is the 2D side (combine2d.ts).
    result.branch2d = combine2d(images.map((b) => ({ weight: weights2d(this.parts.manifest, b.id), out: outputs.get(b)! })));
    if (images.length > 1) result.models2d = Object.fromEntries(images.map((b) => [b.id, outputs.get(b)!]));
    result.branch3d = side('3d').map((b) => outputs.get(b)).find((o) => o);
    if (this.info.calibrations.length) {
      const applied = [...outputs].filter(([, o]) => o.calibration).map(([b, o]) => `${b.id}: ${o.calibration}`);
      result.calibration = applied.length ? applied.join('; ') : 'off';
    }
    if (frame.crops) result.crops = frame.crops;
    t = performance.now();
    const fusion = det.face ? { fusionMode: options.fusionMode, weight2d: options.weight2d } : { fusionMode: '2d' as const, weight2d: 1 };
    Object.assign(result, fuseFrame(result.branch2d, result.branch3d, { ...fusion, vaWeight2d: this.vaWeight2d }, notes));
    if (!det.face) notes.push(wholeImageNote(options.wholeImageFallback));
    else timings.fusion = performance.now() - t;
    return this.finish(result, t0);
  }

  private finish(result: PipelineResult, t0: number): PipelineResult {
    result.timings.total = performance.now() - t0;
    return result;
  }

  /** FLAME regressor (FLAME packs), canonical landmarks when needed, and the 3D feature vector. */
  private async parameters3d(input: FaceInput, det: LandmarkDetection, options: FrameOptions, result: FrameResult): Promise<void> {
    const { flame, head3d, mesh } = this.parts;
    const face = input.face!;
    if (flame) {
      try {
        const run = await this.parts.guard.run(flame.session, () => flame.run(input.image, input.landmarksPx!));
        Object.assign(result.timings, { regressor3d: run.regressorMs, flame: run.decodeMs });
        result.flame = run.flame;
      } catch (e) {
        result.notes.push(`FLAME regressor failed on this frame: ${(e as Error).message}`);
      }
    }
    const groups = head3d ? head3d.model.input.features : flame ? [...DEFAULT_FEATURE_GROUPS, ...FLAME_FEATURE_GROUPS[flame.model.family]] : DEFAULT_FEATURE_GROUPS;
    if (options.wantCanonicalLandmarks || groups.some((g) => g.group === 'canonicalLandmarks')) {
      face.canonicalLandmarks = landmarksToCanonicalFrame(face.landmarks, input.imageSize, mesh.positions, mesh.procrustes).canonical;
    }
    const feats = assembleFeatures3d(groups, face, { hasPose: det.hasPose ?? true, groups: { canonicalLandmarks: face.canonicalLandmarks, ...result.flame?.params } });
    if (feats.ok) result.features3d = { values: feats.values, groups: feats.groups };
    input.features3d = feats;
  }

  /** Teaching mode: the 3D head alone on a raw feature vector (see Head3dBranch.evaluate). */
  evaluateHead3d(features: Float32Array): Promise<Head3dEvaluation> {
    if (!this.parts.head3d) return Promise.reject(new Error('this pack has no 3D head (role "head3d")'));
    return this.parts.head3d.evaluate(features);
  }

  /** Build and warm the still-image path before the first still (see InferenceClient.prepareStills). */
  prepareStills(): Promise<void> {
    return this.parts.landmarker.warmUp('image');
  }

  /** Release what prepareStills built, unless stills are this pipeline's main kind of frame. */
  releaseStills(): void {
    this.parts.landmarker.release('image');
  }

  /** Debug only (`?debug`): break the landmarker so the next frame exercises its recovery. */
  breakLandmarkerForTest(failRecovery = false): void {
    this.parts.landmarker.breakForTest(failRecovery);
  }

  async close(): Promise<void> {
    this.parts.landmarker.close();
    await Promise.all([...this.parts.branches.map((b) => b.release()), this.parts.flame?.release()]);
  }
}
