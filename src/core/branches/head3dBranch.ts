/**
 * The 3D head (role head3d): the face's 3D parameter vector (blendshapes + head pose by default,
 * FLAME groups with a FLAME pack; layout from the manifest) → standardise → MLP. Teaching mode
 * evaluates the same head on slider values (`evaluate`), with the same rules.
 */
import type { Head3dModel } from '../manifest/schema';
import type { BranchOutput } from '../types';
import type { Head3dEvaluation } from '../pipelineTypes';
import { standardizeFeatures } from '../inference/features3d';
import { branchVA } from '../va/vaRule';
import type { ExpressionBranch, FaceInput, FrameScratch } from './expressionBranch';
import type { LogitHead } from './logitHead';

export class Head3dBranch implements ExpressionBranch {
  readonly side = '3d' as const;
  readonly needsFace = true;
  readonly sessions;

  constructor(
    readonly model: Head3dModel,
    readonly head: LogitHead,
  ) {
    this.sessions = [head.session];
  }

  get id(): string {
    return this.model.id;
  }

  async run(face: FaceInput, frame: FrameScratch): Promise<BranchOutput | undefined> {
    const feats = face.features3d;
    if (!feats?.ok) {
      frame.notes.push(`3D features unavailable (${feats ? feats.missing.join(', ') : 'none computed'}): 3D branch skipped`);
      return undefined;
    }
    const t = performance.now();
    const out = this.head.calibrate(await this.runOn(feats.values), frame.calibrate);
    frame.timings.head3d = performance.now() - t;
    return out;
  }

  /**
   * Teaching mode: the head alone on a raw feature vector (the manifest's head3d feature groups,
   * concatenated), e.g. blendshapes edited with sliders. Same standardisation, class order and
   * VA rule as for a frame.
   */
  async evaluate(features: Float32Array): Promise<Head3dEvaluation> {
    const input = this.model.input;
    const expected = input.features.reduce((s, g) => s + g.size, 0);
    if (features.length !== expected) {
      throw new Error(`the 3D head takes ${expected} features (${input.features.map((g) => `${g.group} ${g.size}`).join(' + ')}), got ${features.length}`);
    }
    for (let i = 0; i < features.length; i++) {
      if (!Number.isFinite(features[i])) throw new Error(`feature ${i} is not a finite number`);
    }
    const out = this.head.calibrate(await this.runOn(features), undefined);
    return { logits: out.logits, probs: out.probs, va: branchVA(out) };
  }

  private runOn(raw: Float32Array): Promise<BranchOutput> {
    const input = this.model.input;
    const x = standardizeFeatures(raw, input.standardize);
    return this.head.run({ [input.name]: { data: x, dims: [1, x.length] } });
  }

  release(): Promise<void> {
    return this.head.release();
  }
}
