/**
 * What the teaching view explains, as a pure function of the teach state: the frozen frame, else
 * the live result shown (with the camera on), the 3D branch that goes with it (the frame's own, or
 * the 3D head on the slider values when frozen or without a frame), the fusion and the parameters.
 * The pipeline view computes it from its subscriptions; "export figure" from the store at that moment.
 */
import { teachFusion, type TeachFusion } from '../../core/fusion/fusionPolicy';
import type { FusionMode } from '../../core/types';
import { branchVA } from '../../core/va/vaRule';
import type { FaceParamAdapter } from '../../core/blendshapeModel/faceParams';
import type { Head3dEvaluation } from '../../core/pipelineTypes';
import type { ClientResult } from '../../worker/inferenceClient';
import type { FrozenFrame, HeadState } from '../../stores/teachStore';
import { fusedPanelLabel, type FusedPanelLabel } from '../fusedPanel';

export interface TeachFrameInput {
  frozen?: FrozenFrame;
  /** The live result to explain (paced on a software GPU); unused while frozen or with the camera off. */
  live?: ClientResult;
  cameraOn: boolean;
  head: HeadState;
  adapter?: FaceParamAdapter;
  values?: Float32Array;
  valuesOrigin: string;
  use2d: boolean;
  use3d: boolean;
  weight2d: number;
  fusionMode: Exclude<FusionMode, '2d' | '3d'>;
  vaWeight2d: number;
}

export interface TeachFrame {
  result?: ClientResult;
  fusion: TeachFusion;
  /** Values feeding the 3D head: the frame's parameters live, the sliders' when frozen or without a frame. */
  params?: Float32Array;
  /** Frozen, and the sliders moved away from the frame's parameters. */
  paramsEdited: boolean;
}

/** The slider values' origin right after freezing (TeachView sets it; moving a slider replaces it). */
export function frozenValuesOrigin(source: FrozenFrame['source']): string {
  return `copied from the frozen ${source === 'camera' ? 'camera frame' : 'photo'}`;
}

/** The 3D head's answer to show: the current one, or the last good one while the next is computed or failed. */
export function shownHeadEvaluation(head: HeadState): Head3dEvaluation | undefined {
  return head.status === 'ok' ? head.eval : head.status === 'busy' || head.status === 'error' ? head.last : undefined;
}

export function teachFrame(s: TeachFrameInput): TeachFrame {
  const result = s.frozen?.result ?? (s.cameraOn ? s.live : undefined);
  const sliders = !!s.frozen || !result; // the sliders drive the 3D branch
  const b = result?.branch3d;
  const b3d: Head3dEvaluation | undefined = sliders ? shownHeadEvaluation(s.head) : b ? { logits: b.logits, probs: b.probs, va: branchVA(b) } : undefined;
  const fusion = teachFusion(result?.branch2d, b3d, { use2d: s.use2d, use3d: s.use3d, weight2d: s.weight2d, fusionMode: s.fusionMode, vaWeight2d: s.vaWeight2d });
  let params: Float32Array | undefined;
  if (s.adapter) {
    if (sliders) params = s.values;
    else {
      const v = s.adapter.fromFrame(result!);
      params = typeof v === 'string' ? undefined : v;
    }
  }
  const paramsEdited = !!s.frozen && s.valuesOrigin !== frozenValuesOrigin(s.frozen.source);
  return { result, fusion, params, paramsEdited };
}

/** The fused panel's title and note for what the fusion actually had: a branch switched off, or no answer from it yet. */
export function teachFusedLabel(
  s: Pick<TeachFrameInput, 'use2d' | 'use3d' | 'weight2d' | 'fusionMode'>,
  fusion: TeachFusion,
  pack: { has3dHead: boolean; weight2d?: number },
): FusedPanelLabel {
  return fusedPanelLabel({
    mode: s.fusionMode,
    weight2d: s.weight2d,
    has2d: s.use2d && !!fusion.logits2d,
    no2dReason: s.use2d ? 'No frame for the 2D network yet' : 'The 2D branch is switched off',
    has3d: s.use3d && pack.has3dHead && !!fusion.logits3d,
    no3dReason: !pack.has3dHead ? 'This pack has no 3D head' : s.use3d ? 'No 3D head answer for this frame' : 'The 3D branch is switched off',
    packWeight2d: pack.weight2d,
  });
}
