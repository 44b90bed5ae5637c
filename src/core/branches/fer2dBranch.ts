/**
 * The 2D branch (role fei2d): the crop the manifest's recipe asks for → tensor → CNN, with the
 * model's gated flip test-time policy (testTimeFlip.ts). This file answers "what crop does the
 * 2D model see?": `cropFor` below, with the recipes in crop/cropGeometry.ts.
 */
import type { Fei2dModel } from '../manifest/schema';
import type { BranchOutput } from '../types';
import { centreSquareCropTransform, cropTransformForRecipe, pixelsToTensor, sampleCrop, type Affine } from '../crop';
import { meanOfViews, mirrorRgba, needsMirror } from '../inference/testTimeFlip';
import type { ExpressionBranch, FaceInput, FrameScratch } from './expressionBranch';
import type { LogitHead } from './logitHead';

export class Fer2dBranch implements ExpressionBranch {
  readonly side = '2d' as const;
  readonly needsFace = false;
  readonly sessions;

  constructor(
    readonly model: Fei2dModel,
    readonly head: LogitHead,
  ) {
    this.sessions = [head.session];
  }

  get id(): string {
    return this.model.id;
  }

  /** Crop pixels → image pixels: the manifest's recipe on the landmarks, else the centred square (no face found). */
  cropFor(face: FaceInput): Affine {
    const spec = this.model.input;
    return face.landmarksPx
      ? cropTransformForRecipe(spec.crop, face.landmarksPx, spec.size)
      : centreSquareCropTransform(face.imageSize.width, face.imageSize.height, spec.size);
  }

  async run(face: FaceInput, frame: FrameScratch): Promise<BranchOutput> {
    const spec = this.model.input;
    const [h, w] = spec.size;
    let t = performance.now();
    const pixels = sampleCrop(face.image, this.cropFor(face), w, h);
    const data = pixelsToTensor(pixels.data, w, h, spec);
    frame.timings.crop = (frame.timings.crop ?? 0) + performance.now() - t;
    if (frame.wantCrops) frame.crops = { ...frame.crops, [this.id]: { width: w, height: h, rgba: pixels.data } };
    const dims = this.inputDims();
    t = performance.now();
    let out = await this.head.run({ [spec.name]: { data, dims } });
    // Gated flip TTA: the mirror runs only when the manifest's policy asks for it on this face.
    const tta = this.model.testTimeAugmentation;
    if (needsMirror(tta, out.probs)) {
      const mirrored = pixelsToTensor(mirrorRgba(pixels.data, w, h), w, h, spec);
      out = meanOfViews(out, await this.head.run({ [spec.name]: { data: mirrored, dims } }));
    } else if (tta?.flip) {
      out = { ...out, views: 1 };
    }
    frame.timings.model2d = (frame.timings.model2d ?? 0) + performance.now() - t;
    return this.head.calibrate(out, frame.calibrate);
  }

  /** One run on a zero crop before the first frame (ORT's first run allocates and packs weights). */
  async warmUp(): Promise<void> {
    const spec = this.model.input;
    const [h, w] = spec.size;
    await this.head.session.run({ [spec.name]: { data: new Float32Array(h * w * spec.channels), dims: this.inputDims() } });
  }

  /** The input tensor's shape for one crop, in the manifest's layout. */
  private inputDims(): number[] {
    const { size: [h, w], channels, layout } = this.model.input;
    return layout === 'NHWC' ? [1, h, w, channels] : [1, channels, h, w];
  }

  release(): Promise<void> {
    return this.head.release();
  }
}
