/**
 * The inference core: face → crop → models → fusion → outputs, for one frame at a time.
 * Framework-free; runs inside the inference worker (needs OffscreenCanvas, fetch, WebAssembly).
 */
import { modelByRole } from './manifest/parseManifest';
import type { Fei2dModel, Head3dModel, Manifest } from './manifest/schema';
import type { CropImage, InitOptions, ReadyInfo, FrameOptions, Head3dEvaluation } from '../worker/protocol';
import type { BranchOutput, ExecutionProvider, FrameResult, StageTimings, ValenceArousal } from './types';
import { permutationToInternal, toInternalOrder } from './classes/expressionClasses';
import { lateFusion, softmax } from './fusion/lateFusion';
import { derivedVA, fuseVA } from './va/derivedVA';
import { centreSquareCropTransform, cropTransformForRecipe, landmarksToPixels, pixelsToTensor, sampleCrop, type Affine, type CropSource } from './crop';
import { canonicalMeshFromTask, type CanonicalMesh } from './mesh/canonicalMesh';
import { landmarksToCanonicalFrame } from './mesh/canonicalFrame';
import { FaceLandmarkerRunner, type ImageLike, type LandmarkDetection, type LandmarkerDelegate } from './inference/faceLandmarker';
import { configureOrtEnv, ModelSession, resolveEp, webgpuDeviceLost } from './inference/ortSession';
import { loadPackFile } from './inference/packFiles';
import { assembleFeatures3d, DEFAULT_FEATURE_GROUPS, standardizeFeatures } from './inference/features3d';
import { FlameBranch } from './inference/flameBranch';
import { meanOfViews, mirrorRgba, needsMirror } from './inference/testTimeFlip';
import { FLAME_FEATURE_GROUPS } from './flame/regressorOutputs';

/** Init options plus worker-side knobs not (yet) in the protocol. */
export interface PipelineOptions extends InitOptions {
  /** MediaPipe delegate; CPU is the robust default (see faceLandmarker.ts). */
  landmarkerDelegate?: LandmarkerDelegate;
  /** ORT WASM threads; default: cores − 1 (max 4) when cross-origin isolated, else 1. */
  numThreads?: number;
}

export type PipelineResult = FrameResult & { crops?: Record<string, CropImage> };
export type StatusListener = (s: { ep: ExecutionProvider; message: string }) => void;

/** Images larger than this (either side) are downscaled before the landmarker. */
export const MAX_LANDMARKER_SIDE = 4096;

interface ScalarOut {
  name: string;
  index: number;
  range: [number, number];
}

interface Branch {
  id: string;
  session: ModelSession;
  logits: string;
  perm: number[];
  valence?: ScalarOut;
  arousal?: ScalarOut;
}

function branchOf(model: Fei2dModel | Head3dModel, session: ModelSession): Branch {
  const o = model.outputs;
  return {
    id: model.id,
    session,
    logits: o.logits.name,
    perm: permutationToInternal(o.logits.classOrder),
    valence: o.valence as ScalarOut | undefined,
    arousal: o.arousal as ScalarOut | undefined,
  };
}

function outputNames(model: Fei2dModel | Head3dModel): string[] {
  const names = [model.outputs.logits.name, model.outputs.valence?.name, model.outputs.arousal?.name];
  return [...new Set(names.filter((n): n is string => !!n))];
}

/** Model scalar in its declared range → −1..1. */
function scalar(outputs: Record<string, { data: Float32Array }>, s: ScalarOut, id: string): number {
  const t = outputs[s.name];
  if (!t || s.index >= t.data.length) throw new Error(`model ${id}: output '${s.name}' has no value at index ${s.index}`);
  const [lo, hi] = s.range;
  return ((t.data[s.index] - lo) / (hi - lo)) * 2 - 1;
}

async function runBranch(b: Branch, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<BranchOutput> {
  const out = await b.session.run(feeds);
  const raw = out[b.logits].data;
  if (raw.length < 8) throw new Error(`model ${b.id}: output '${b.logits}' has ${raw.length} values, expected 8`);
  const logits = toInternalOrder(raw, b.perm);
  const result: BranchOutput = { logits, probs: softmax(logits) };
  if (b.valence && b.arousal) {
    result.va = { valence: scalar(out, b.valence, b.id), arousal: scalar(out, b.arousal, b.id) };
  }
  return result;
}

function now(): number {
  return performance.now();
}

function imageSize(img: ImageLike): { width: number; height: number } {
  // A closed/detached ImageBitmap reports 0×0; reading it would throw deep inside MediaPipe.
  const width = img?.width ?? 0;
  const height = img?.height ?? 0;
  if (!(width > 0 && height > 0)) throw new Error(`empty or unreadable image (${width}×${height})`);
  return { width, height };
}

export class InferencePipeline {
  private branch2d?: Branch & { model: Fei2dModel };
  private branch3d?: Branch & { model: Head3dModel };
  private flame?: FlameBranch;
  private ep: ExecutionProvider = 'wasm';
  private gpuLost = false;
  private listeners: StatusListener[] = [];
  private downscaleCanvas?: OffscreenCanvas;

  private constructor(
    private readonly manifest: Manifest,
    private readonly landmarker: FaceLandmarkerRunner,
    readonly info: ReadyInfo,
    private readonly mesh: CanonicalMesh,
  ) {}

  static async createFromOptions(options: PipelineOptions, onStatus?: StatusListener): Promise<InferencePipeline> {
    const { manifest } = options;
    const lmModel = modelByRole(manifest, 'landmarker');
    if (!lmModel) throw new Error('the pack has no landmarker model');
    const fei2d = modelByRole(manifest, 'fei2d');
    const head3d = modelByRole(manifest, 'head3d');
    const regressor = modelByRole(manifest, 'regressor3d');
    const morphable = modelByRole(manifest, 'morphable');
    if (regressor && !morphable) throw new Error(`the pack has a FLAME regressor (${regressor.id}) but no model with role "morphable" (flame.bin)`);

    // Fetch everything in parallel: the network, not CPU, dominates start-up.
    const [taskBytes, bytes2d, bytes3d, bytesReg, bytesFlame, epChoice] = await Promise.all([
      loadPackFile(options, lmModel.file, lmModel.sha256),
      fei2d ? loadPackFile(options, fei2d.file, fei2d.sha256) : undefined,
      head3d ? loadPackFile(options, head3d.file, head3d.sha256) : undefined,
      regressor ? loadPackFile(options, regressor.file, regressor.sha256) : undefined,
      regressor && morphable ? loadPackFile(options, morphable.file, morphable.sha256) : undefined,
      resolveEp(options.ep),
    ]);
    // A malformed flame.bin fails here, before any model is opened.
    const flameDecoder = regressor && bytesFlame ? FlameBranch.prepareDecoder(regressor, bytesFlame) : undefined;
    const mesh = canonicalMeshFromTask(taskBytes);
    const landmarker = await FaceLandmarkerRunner.create({
      modelBytes: taskBytes,
      wasmDir: options.assets.mediapipeWasmDir,
      numFaces: lmModel.numFaces,
      delegate: options.landmarkerDelegate ?? 'CPU',
    });

    configureOrtEnv(options.assets, options.numThreads);
    let ep = epChoice.ep;
    let epNote = epChoice.note;
    const open = async (e: ExecutionProvider) => ({
      s2d: fei2d && bytes2d ? await ModelSession.create({ id: fei2d.id, bytes: bytes2d, inputs: [fei2d.input.name], outputs: outputNames(fei2d) }, e) : undefined,
      s3d: head3d && bytes3d ? await ModelSession.create({ id: head3d.id, bytes: bytes3d, inputs: [head3d.input.name], outputs: outputNames(head3d) }, e) : undefined,
      flame: regressor && bytesReg && flameDecoder ? await FlameBranch.create(regressor, bytesReg, flameDecoder, e) : undefined,
    });
    let sessions: Awaited<ReturnType<typeof open>>;
    try {
      try {
        sessions = await open(ep);
      } catch (e) {
        // A name mismatch is the pack's fault and would fail on WASM too: report it as is.
        if (ep !== 'webgpu' || /not found; the model has|manifest says|was not produced/.test((e as Error).message)) throw e;
        epNote = `WebGPU failed (${(e as Error).message}): using WASM`;
        ep = 'wasm';
        sessions = await open(ep);
      }
    } catch (e) {
      landmarker.close();
      throw e;
    }

    const roles = ['landmarker', ...(fei2d ? ['fei2d'] : []), ...(head3d ? ['head3d'] : []), ...(sessions.flame ? ['regressor3d', 'morphable'] : [])];
    const flameMesh = sessions.flame && regressor ? { ...sessions.flame.mesh, family: regressor.family } : undefined;
    const p = new InferencePipeline(manifest, landmarker, { ep, epNote, triangles: mesh.triangles, roles, ...(flameMesh ? { flameMesh } : {}) }, mesh);
    p.ep = ep;
    if (onStatus) p.listeners.push(onStatus);
    if (fei2d && sessions.s2d) p.branch2d = { ...branchOf(fei2d, sessions.s2d), model: fei2d };
    if (head3d && sessions.s3d) p.branch3d = { ...branchOf(head3d, sessions.s3d), model: head3d };
    p.flame = sessions.flame;
    if (ep === 'webgpu') {
      void webgpuDeviceLost().then((reason) => {
        p.gpuLost = true;
        p.emit(`WebGPU device lost (${reason}); switching to WASM`);
      });
    }
    return p;
  }

  get executionProvider(): ExecutionProvider {
    return this.ep;
  }

  onStatus(cb: StatusListener): void {
    this.listeners.push(cb);
  }

  private emit(message: string): void {
    for (const l of this.listeners) l({ ep: this.ep, message });
  }

  private async fallBackToWasm(reason: string): Promise<void> {
    if (this.ep === 'wasm') return;
    this.ep = 'wasm';
    await Promise.all([this.branch2d?.session.moveToWasm(), this.branch3d?.session.moveToWasm(), this.flame?.session.moveToWasm()]);
    this.emit(`now running on WASM: ${reason}`);
  }

  /** Run `fn` on its session; a WebGPU failure moves every model to WASM and retries once. */
  private async withWasmFallback<T>(session: { ep: ExecutionProvider }, fn: () => Promise<T>): Promise<T> {
    if (this.gpuLost && this.ep === 'webgpu') await this.fallBackToWasm('the WebGPU device was lost');
    try {
      return await fn();
    } catch (e) {
      if (session.ep !== 'webgpu') throw e;
      const msg = (e as Error).message;
      // A lost device surfaces as a failed buffer map inside ORT; say what happened, not how.
      await this.fallBackToWasm(/device (was )?lost/i.test(msg) ? 'the WebGPU device was lost' : `WebGPU run failed: ${msg}`);
      return fn();
    }
  }

  private runSafe(b: Branch, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<BranchOutput> {
    return this.withWasmFallback(b.session, () => runBranch(b, feeds));
  }

  /** The FLAME branch for one face; like runSafe, a WebGPU failure moves everything to WASM and retries once. */
  private async runFlame(image: ImageLike, landmarksPx: Float32Array, timings: StageTimings): Promise<PipelineResult['flame']> {
    const flame = this.flame!;
    const run = await this.withWasmFallback(flame.session, () => flame.run(image as CropSource, landmarksPx));
    timings.regressor3d = run.regressorMs;
    timings.flame = run.decodeMs;
    return run.flame;
  }

  private landmarkerInput(image: ImageLike, notes: string[]): ImageLike {
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

  private async detectFaces(image: ImageLike, mode: 'video' | 'image', timestamp: number, notes: string[]): Promise<LandmarkDetection> {
    try {
      return await this.landmarker.detect(image, mode, timestamp);
    } catch (e) {
      // E.g. a lost WebGL context inside MediaPipe: rebuild once and retry this frame.
      notes.push(`face landmarker failed (${(e as Error).message}); restarted it`);
      await this.landmarker.recover();
      return this.landmarker.detect(image, mode, timestamp);
    }
  }

  /** Crop with `affine` (crop pixels → image pixels), pack the tensor, run the 2D model. */
  private async run2d(image: ImageLike, affine: Affine, result: PipelineResult, options: FrameOptions): Promise<void> {
    const branch = this.branch2d!;
    const spec = branch.model.input;
    const [h, w] = spec.size;
    let t = now();
    const pixels = sampleCrop(image as CropSource, affine, w, h);
    const data = pixelsToTensor(pixels.data, w, h, spec);
    result.timings.crop = now() - t;
    if (options.wantCrops) result.crops = { ...result.crops, [branch.id]: { width: w, height: h, rgba: pixels.data } };
    const dims = spec.layout === 'NHWC' ? [1, h, w, spec.channels] : [1, spec.channels, h, w];
    t = now();
    const first = await this.runSafe(branch, { [spec.name]: { data, dims } });
    result.branch2d = first;
    // Gated flip TTA: the mirror runs only when the manifest's policy asks for it on this face.
    const tta = branch.model.testTimeAugmentation;
    if (needsMirror(tta, first.probs)) {
      const mirrored = pixelsToTensor(mirrorRgba(pixels.data, w, h), w, h, spec);
      result.branch2d = meanOfViews(first, await this.runSafe(branch, { [spec.name]: { data: mirrored, dims } }));
    } else if (tta?.flip) {
      result.branch2d = { ...first, views: 1 };
    }
    result.timings.model2d = now() - t;
  }

  /** Process one frame. Throws (with a readable message) only for this frame's problem. */
  async process(image: ImageLike, timestamp: number, options: FrameOptions, frameId = 0): Promise<PipelineResult> {
    const t0 = now();
    const timings: StageTimings = {};
    const notes: string[] = [];
    const size = imageSize(image);
    const result: PipelineResult = { frameId, timestamp, imageSize: size, detection: 'none', faceCount: 0, notes, timings };

    let t = now();
    const det = await this.detectFaces(this.landmarkerInput(image, notes), options.mode, timestamp, notes);
    timings.landmarks = now() - t;
    result.detection = det.detection;
    result.faceCount = det.faceCount;
    notes.push(...det.notes);
    if (!det.face) {
      if (options.mode === 'image' && options.wholeImageFallback && this.branch2d) {
        const spec = this.branch2d.model.input;
        await this.run2d(image, centreSquareCropTransform(size.width, size.height, spec.size), result, options);
        result.fused = lateFusion('2d', 1, result.branch2d?.logits, undefined);
        result.va = result.fused && this.valenceArousal(result, this.manifest.fusion?.vaWeight2d ?? 0.6, notes);
        notes.push('no face found: the 2D model ran on the whole image (tight-crop fallback)');
      }
      timings.total = now() - t0;
      return result;
    }
    const face = det.face;
    result.face = face;

    // 2D branch: crop → tensor → model.
    if (this.branch2d) {
      const spec = this.branch2d.model.input;
      await this.run2d(image, cropTransformForRecipe(spec.crop, landmarksToPixels(face.landmarks, size.width, size.height), spec.size), result, options);
    }

    // FLAME pack: regressor → parameter groups → decoded mesh; the groups can feed the 3D head.
    if (this.flame) {
      try {
        result.flame = await this.runFlame(image, landmarksToPixels(face.landmarks, size.width, size.height), timings);
      } catch (e) {
        notes.push(`FLAME regressor failed on this frame: ${(e as Error).message}`);
      }
    }

    // 3D parameters (always, raw: batch extraction trains heads on them), then the head3d MLP.
    const groups = this.branch3d
      ? this.branch3d.model.input.features
      : this.flame
        ? [...DEFAULT_FEATURE_GROUPS, ...FLAME_FEATURE_GROUPS[this.flame.model.family]]
        : DEFAULT_FEATURE_GROUPS;
    if (options.wantCanonicalLandmarks || groups.some((g) => g.group === 'canonicalLandmarks')) {
      face.canonicalLandmarks = landmarksToCanonicalFrame(face.landmarks, size, this.mesh.positions, this.mesh.procrustes).canonical;
    }
    const feats = assembleFeatures3d(groups, face, { hasPose: det.hasPose ?? true, groups: { canonicalLandmarks: face.canonicalLandmarks, ...result.flame?.params } });
    if (feats.ok) result.features3d = { values: feats.values, groups: feats.groups };
    if (this.branch3d) {
      if (feats.ok) {
        const input = this.branch3d.model.input;
        t = now();
        const x = standardizeFeatures(feats.values, input.standardize);
        result.branch3d = await this.runSafe(this.branch3d, { [input.name]: { data: x, dims: [1, x.length] } });
        timings.head3d = now() - t;
      } else {
        notes.push(`3D features unavailable (${feats.missing.join(', ')}): 3D branch skipped`);
      }
    }

    t = now();
    const fusionCfg = this.manifest.fusion;
    result.fused = lateFusion(options.fusionMode, options.weight2d, result.branch2d?.logits, result.branch3d?.logits);
    if (result.fused?.fallback) notes.push(result.fused.fallback);
    result.va = this.valenceArousal(result, fusionCfg?.vaWeight2d ?? 0.6, notes);
    timings.fusion = now() - t;
    timings.total = now() - t0;
    return result;
  }

  /**
   * VA follows the fusion mode: a branch's VA head when it has one, else its class
   * probabilities through derivedVA; when both branches count, fuseVA with vaWeight2d.
   */
  private valenceArousal(r: FrameResult, vaWeight2d: number, notes: string[]): ValenceArousal | undefined {
    const fused = r.fused;
    if (!fused) return undefined;
    const b2 = r.branch2d;
    const b3 = r.branch3d;
    if (fused.mode === '2d' || !b3) return b2?.va ? { ...b2.va, source: 'model' } : { ...derivedVA(fused.probs), source: 'derived' };
    if (fused.mode === '3d' || !b2) return b3.va ? { ...b3.va, source: 'model' } : { ...derivedVA(fused.probs), source: 'derived' };
    if (!b2.va && !b3.va) return { ...derivedVA(fused.probs), source: 'derived' };
    if (!b2.va || !b3.va) notes.push(`VA: the ${b2.va ? '3D' : '2D'} branch has no VA head, its VA is derived from its class probabilities`);
    const va = fuseVA(b2.va ?? derivedVA(b2.probs), b3.va ?? derivedVA(b3.probs), vaWeight2d);
    return { ...va, source: 'fused' };
  }

  /**
   * Teaching mode: run the 3D head alone on a raw feature vector (the manifest's head3d feature
   * groups, concatenated), e.g. blendshapes edited with sliders. Same standardisation, class
   * order and VA rules as for a frame's 3D branch.
   */
  async evaluateHead3d(features: Float32Array): Promise<Head3dEvaluation> {
    const b = this.branch3d;
    if (!b) throw new Error('this pack has no 3D head (role "head3d")');
    const input = b.model.input;
    const expected = input.features.reduce((s, g) => s + g.size, 0);
    if (features.length !== expected) {
      throw new Error(`the 3D head takes ${expected} features (${input.features.map((g) => `${g.group} ${g.size}`).join(' + ')}), got ${features.length}`);
    }
    for (let i = 0; i < features.length; i++) {
      if (!Number.isFinite(features[i])) throw new Error(`feature ${i} is not a finite number`);
    }
    const x = standardizeFeatures(features, input.standardize);
    const out = await this.runSafe(b, { [input.name]: { data: x, dims: [1, x.length] } });
    const va: ValenceArousal = out.va ? { ...out.va, source: 'model' } : { ...derivedVA(out.probs), source: 'derived' };
    return { logits: out.logits, probs: out.probs, va };
  }

  async close(): Promise<void> {
    this.landmarker.close();
    await Promise.all([this.branch2d?.session.release(), this.branch3d?.session.release(), this.flame?.release()]);
  }
}

/**
 * Batch mode: one already-decoded still image (independent of video tracking, with the
 * padded fallback for tight crops).
 */
export async function processDecodedImage(
  pipeline: InferencePipeline,
  image: ImageBitmap | OffscreenCanvas | ImageData,
  options: Omit<FrameOptions, 'mode'>,
  frameId = 0,
): Promise<PipelineResult> {
  let src: ImageLike;
  if (typeof ImageData !== 'undefined' && image instanceof ImageData) {
    const c = new OffscreenCanvas(image.width || 1, image.height || 1);
    c.getContext('2d')!.putImageData(image, 0, 0);
    src = c;
  } else {
    src = image as ImageLike;
  }
  return pipeline.process(src, 0, { ...options, mode: 'image' }, frameId);
}
