/**
 * The FLAME branch of a pack with a `regressor3d` (EMOCA v2 / SMIRK export) and a `morphable`
 * (flame.bin): crop → regressor (onnxruntime-web) → named parameter groups → FLAME decode.
 * One per worker; the decoder's buffers are allocated once, here.
 */
import type { Regressor3dModel } from '../manifest/schema';
import type { ExecutionProvider, FlameResult } from '../types';
import { cropTransformForRecipe, pixelsToTensor, sampleCrop, type CropSource } from '../crop';
import { parseFlameAsset } from '../flame/flameAsset';
import { createFlameDecoder, type FlameDecoder } from '../flame/flameDecoder';
import { flameParamsFromRegressor } from '../flame/regressorParams';
import { checkRegressorOutputs, flameToImageAffine, groupsFromOutputs, regressorOutputNames } from '../flame/regressorOutputs';
import { ModelSession, PackMismatchError } from './ortSession';

export interface FlameRun {
  flame: FlameResult;
  /** Crop + regressor, ms. */
  regressorMs: number;
  /** Parameter mapping + FLAME decode + copy, ms. */
  decodeMs: number;
}

function inputDims(model: Regressor3dModel): number[] {
  const { size, channels, layout } = model.input;
  return layout === 'NHWC' ? [1, size[0], size[1], channels] : [1, channels, size[0], size[1]];
}

/** The asset must have at least as many components as the regressor emits. */
function checkAssetFits(model: Regressor3dModel, decoder: FlameDecoder): void {
  const { shape, expression } = decoder.asset.counts;
  const problems: string[] = [];
  const s = model.outputs.shape?.size ?? 0;
  const e = model.outputs.exp?.size ?? 0;
  if (s > shape) problems.push(`${s} shape values but the asset has ${shape} shape components`);
  if (e > expression) problems.push(`${e} expression values but the asset has ${expression} expression components`);
  if (problems.length) throw new Error(`flame.bin does not fit model ${model.id}: ${problems.join('; ')}`);
}

export class FlameBranch {
  private constructor(
    readonly model: Regressor3dModel,
    readonly session: ModelSession,
    private readonly decoder: FlameDecoder,
  ) {}

  /** Triangles and vertex count of the FLAME mesh (sent to the UI once). */
  get mesh(): { triangles: Uint32Array; vertexCount: number } {
    return { triangles: this.decoder.asset.faces, vertexCount: this.decoder.asset.counts.vertices };
  }

  /** Parse and check flame.bin first: it is cheap, and a bad file should fail before models load. */
  static prepareDecoder(model: Regressor3dModel, flameBytes: Uint8Array): FlameDecoder {
    const decoder = createFlameDecoder(parseFlameAsset(flameBytes));
    checkAssetFits(model, decoder);
    return decoder;
  }

  /**
   * Open the regressor and dry-run it on zeros, so a pack whose export does not match its
   * manifest fails at load with the group named, not on the first face.
   */
  static async create(model: Regressor3dModel, bytes: Uint8Array, decoder: FlameDecoder, ep: ExecutionProvider): Promise<FlameBranch> {
    const session = await ModelSession.create({ id: model.id, bytes, inputs: [model.input.name], outputs: regressorOutputNames(model) }, ep);
    const branch = new FlameBranch(model, session, decoder);
    try {
      await branch.dryRun();
    } catch (e) {
      await session.release();
      throw e;
    }
    return branch;
  }

  private async dryRun(): Promise<void> {
    const dims = inputDims(this.model);
    let out;
    try {
      out = await this.session.run({ [this.model.input.name]: { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims } });
    } catch (e) {
      throw new Error(`model ${this.model.id}: a test run on a zero input [${dims.join(', ')}] failed (does the input size match the manifest?): ${(e as Error).message}`, { cause: e });
    }
    const errors = checkRegressorOutputs(this.model, out);
    if (errors.length) throw new PackMismatchError(errors.join('\n'));
  }

  /** One face: `landmarksPx` are the 478 landmarks in image pixels, flat [x, y, z, …]. */
  async run(image: CropSource, landmarksPx: Float32Array): Promise<FlameRun> {
    const t0 = performance.now();
    const spec = this.model.input;
    const [h, w] = spec.size;
    const cropToImage = cropTransformForRecipe(spec.crop, landmarksPx, spec.size);
    const pixels = sampleCrop(image, cropToImage, w, h);
    const data = pixelsToTensor(pixels.data, w, h, spec);
    const out = await this.session.run({ [spec.name]: { data, dims: inputDims(this.model) } });
    const t1 = performance.now();

    const params = groupsFromOutputs(this.model, out);
    const decoded = this.decoder.decode(flameParamsFromRegressor(this.model.family, params));
    // The decoder reuses its buffer; the copy is what gets transferred to the UI.
    const vertices = decoded.vertices.slice();
    const cam = params.cam ? ([params.cam[0], params.cam[1], params.cam[2]] as [number, number, number]) : ([0, 0, 0] as [number, number, number]);
    const flame: FlameResult = {
      family: this.model.family,
      params,
      vertices,
      camera: { cam, cropSize: [h, w], cropToImage, toImage: flameToImageAffine(cam, spec.size, cropToImage) },
    };
    return { flame, regressorMs: t1 - t0, decodeMs: performance.now() - t1 };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
