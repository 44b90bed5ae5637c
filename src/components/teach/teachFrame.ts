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
import { DEFAULT_WHOLE_IMAGE_FALLBACK, wholeImageReason } from '../../core/crop/wholeImageFallback';

/**
 * How Teach's *Open photo…* treats a photo without a found face: as the Batch tab does by default
 * (core/crop/wholeImageFallback.ts), so a class opening FER+ samples gets the 2D answer for the few
 * the landmarker misses. Camera frames never pass a policy (a scene, not a crop).
 */
export const TEACH_PHOTO_WHOLE_IMAGE = DEFAULT_WHOLE_IMAGE_FALLBACK;

/** Stage 2's and the status line's account of a photo read whole: one text for both. */
export const READ_WHOLE_EXPLANATION = `${wholeImageReason(TEACH_PHOTO_WHOLE_IMAGE)}, as the Batch tab does; the 3D branch needs the face's landmarks, so it has no parameters from this image`;

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
  /** The frame shown was analysed and no face was found in it (the 2D side may still have read it whole). */
  noFace: boolean;
}

/** The slider values' origin right after freezing (TeachView sets it; moving a slider replaces it). */
export function frozenValuesOrigin(source: FrozenFrame['source']): string {
  return `copied from the frozen ${source === 'camera' ? 'camera frame' : 'photo'}`;
}

/**
 * The slider values' origin right after freezing a frame without a face: the sliders keep their
 * values, and the 3D head has no parameters from the frame until one is moved.
 */
export function frozenWithoutFaceOrigin(source: FrozenFrame['source']): string {
  return `the values from before (the frozen ${source === 'camera' ? 'camera frame' : 'photo'} has no face to copy from)`;
}

/** What the status line says after freezing a frame where no face was found. */
export function noFaceMessage(result: Pick<ClientResult, 'branch2d'>, source: FrozenFrame['source']): string {
  const what = source === 'camera' ? 'camera frame' : 'photo';
  return result.branch2d
    ? `No face found in this ${what}: ${READ_WHOLE_EXPLANATION}. The sliders keep their values.`
    : `No face found in this ${what}, so neither branch has anything to read. The sliders keep their values.`;
}

/** The 3D head's answer to show: the current one, or the last good one while the next is computed or failed. */
export function shownHeadEvaluation(head: HeadState): Head3dEvaluation | undefined {
  return head.status === 'ok' ? head.eval : head.status === 'busy' || head.status === 'error' ? head.last : undefined;
}

export function teachFrame(s: TeachFrameInput): TeachFrame {
  const result = s.frozen?.result ?? (s.cameraOn ? s.live : undefined);
  const noFace = !!result && !result.face;
  const frozenOrigin = s.frozen && (s.frozen.result.face ? frozenValuesOrigin(s.frozen.source) : frozenWithoutFaceOrigin(s.frozen.source));
  const paramsEdited = !!s.frozen && s.valuesOrigin !== frozenOrigin;
  // The sliders drive the 3D branch when frozen or without a frame, except right after freezing a
  // frame without a face: the slider values did not come from it, so fusing them with the 2D
  // network's reading of that frame would explain an answer the frame never gave.
  const sliders = !result || (!!s.frozen && (paramsEdited || !noFace));
  const b = result?.branch3d;
  const b3d: Head3dEvaluation | undefined = sliders ? shownHeadEvaluation(s.head) : b ? { logits: b.logits, probs: b.probs, va: branchVA(b) } : undefined;
  const fusion = teachFusion(result?.branch2d, b3d, { use2d: s.use2d, use3d: s.use3d, weight2d: s.weight2d, fusionMode: s.fusionMode, vaWeight2d: s.vaWeight2d });
  let params: Float32Array | undefined;
  if (s.adapter) {
    if (sliders) params = s.values;
    else if (!noFace) {
      const v = s.adapter.fromFrame(result!);
      params = typeof v === 'string' ? undefined : v;
    }
  }
  return { result, fusion, params, paramsEdited, noFace };
}

/** The fused panel's title and note for what the fusion actually had: a branch switched off, or no answer from it yet. */
export function teachFusedLabel(
  s: Pick<TeachFrameInput, 'use2d' | 'use3d' | 'weight2d' | 'fusionMode'>,
  fusion: TeachFusion,
  pack: { has3dHead: boolean; weight2d?: number },
  frame: Pick<TeachFrame, 'noFace'> = { noFace: false },
): FusedPanelLabel {
  return fusedPanelLabel({
    mode: s.fusionMode,
    weight2d: s.weight2d,
    has2d: s.use2d && !!fusion.logits2d,
    no2dReason: !s.use2d ? 'The 2D branch is switched off' : frame.noFace ? 'No face in this frame for the 2D network' : 'No frame for the 2D network yet',
    has3d: s.use3d && pack.has3dHead && !!fusion.logits3d,
    no3dReason: !pack.has3dHead
      ? 'This pack has no 3D head'
      : !s.use3d
        ? 'The 3D branch is switched off'
        : frame.noFace
          ? 'No face in this frame, so no 3D parameters'
          : 'No 3D head answer for this frame',
    packWeight2d: pack.weight2d,
  });
}
