import { describe, expect, it } from 'vitest';
import { frozenValuesOrigin, frozenWithoutFaceOrigin, noFaceMessage, shownHeadEvaluation, teachFrame, teachFusedLabel, type TeachFrameInput } from '../../src/components/teach/teachFrame';
import type { FaceParamAdapter } from '../../src/core/blendshapeModel/faceParams';
import type { Head3dEvaluation } from '../../src/core/pipelineTypes';
import type { ClientResult } from '../../src/worker/inferenceClient';
import type { FrozenFrame } from '../../src/stores/teachStore';
import { softmax } from '../../src/core/fusion/lateFusion';

const branch = (logits: number[]) => ({ logits: Float32Array.from(logits), probs: softmax(logits) });
const frame = (id: number, l2d: number[], l3d: number[]) =>
  ({ frameId: id, branch2d: branch(l2d), branch3d: branch(l3d), face: { blendshapes: Float32Array.from([id]) } }) as unknown as ClientResult;
const headEval = (logits: number[]): Head3dEvaluation => ({ ...branch(logits), va: { valence: 0, arousal: 0, source: 'derived' } });
// The frame's parameters: its first blendshape, so a test can tell frame parameters from slider values.
const adapter = { fromFrame: (r: ClientResult) => Float32Array.from([r.face!.blendshapes[0]]) } as unknown as FaceParamAdapter;

const live = frame(7, [3, 0, 0, 0, 0, 0, 0, 0], [0, 3, 0, 0, 0, 0, 0, 0]);
const base: TeachFrameInput = {
  live,
  cameraOn: true,
  head: { status: 'ok', eval: headEval([0, 0, 3, 0, 0, 0, 0, 0]) },
  adapter,
  values: Float32Array.from([0.25]),
  valuesOrigin: 'edited with the sliders',
  use2d: true,
  use3d: true,
  weight2d: 1,
  fusionMode: 'weighted',
  vaWeight2d: 0.6,
};

describe('teachFrame', () => {
  it('live: explains the live result with its own 3D branch and parameters', () => {
    const f = teachFrame(base);
    expect(f.result).toBe(live);
    expect(f.fusion.probs3d).toBe(live.branch3d!.probs);
    expect(Array.from(f.params!)).toEqual([7]);
    expect(f.paramsEdited).toBe(false);
    // w = 1: the fused bars are the 2D model's.
    expect(Array.from(f.fusion.fused!.probs)).toEqual(Array.from(live.branch2d!.probs));
  });

  it('a weight change applies to the same frame at once (no new result needed)', () => {
    const f = teachFrame({ ...base, weight2d: 0 });
    expect(f.result).toBe(live);
    expect(Array.from(f.fusion.fused!.probs)).toEqual(Array.from(live.branch3d!.probs));
  });

  it('camera off: no frame; the sliders drive the 3D branch', () => {
    const f = teachFrame({ ...base, cameraOn: false });
    expect(f.result).toBeUndefined();
    expect(f.params).toBe(base.values);
    expect(Array.from(f.fusion.probs3d!)).toEqual(Array.from(headEval([0, 0, 3, 0, 0, 0, 0, 0]).probs));
  });

  it('frozen: the frozen frame wins over a live result, the 3D head runs on the sliders, edits are flagged', () => {
    const frozenResult = frame(3, [0, 0, 0, 3, 0, 0, 0, 0], [0, 0, 0, 0, 3, 0, 0, 0]);
    const frozen = { result: frozenResult, source: 'camera', at: 0 } as unknown as FrozenFrame;
    const copied = teachFrame({ ...base, frozen, valuesOrigin: frozenValuesOrigin('camera') });
    expect(copied.result).toBe(frozenResult);
    expect(copied.params).toBe(base.values);
    expect(copied.paramsEdited).toBe(false);
    expect(teachFrame({ ...base, frozen }).paramsEdited).toBe(true);
    expect(Array.from(copied.fusion.probs3d!)).toEqual(Array.from(headEval([0, 0, 3, 0, 0, 0, 0, 0]).probs));
  });

  it('frozen photo without a face, read whole: no 3D answer from it until a slider moves; then the sliders drive it', () => {
    // What the worker returns for a face crop the landmarker misses: a 2D answer, no face, no 3D branch.
    const whole = { frameId: 4, branch2d: branch([0, 0, 0, 0, 0, 0, 3, 0]) } as unknown as ClientResult;
    const frozen = { result: whole, source: 'image', at: 0 } as unknown as FrozenFrame;
    const kept = teachFrame({ ...base, frozen, valuesOrigin: frozenWithoutFaceOrigin('image') });
    expect(kept).toMatchObject({ result: whole, noFace: true, paramsEdited: false, params: undefined });
    expect(kept.fusion.probs3d).toBeUndefined();
    // The fused bars are the 2D network's reading, whatever w says, and say why.
    const half = teachFrame({ ...base, frozen, valuesOrigin: frozenWithoutFaceOrigin('image'), weight2d: 0.5 });
    expect(Array.from(half.fusion.fused!.probs)).toEqual(Array.from(whole.branch2d!.probs));
    const label = teachFusedLabel({ ...base, weight2d: 0.5 }, half.fusion, { has3dHead: true }, half);
    expect(label).toMatchObject({ repeats: '2d', note: 'No face in this frame, so no 3D parameters: these bars repeat the 2D model.' });
    // A slider moved after freezing: the explorer's values drive the 3D head and are fused as usual.
    const edited = teachFrame({ ...base, frozen, weight2d: 0.5 });
    expect(edited).toMatchObject({ noFace: true, paramsEdited: true, params: base.values });
    expect(Array.from(edited.fusion.probs3d!)).toEqual(Array.from(headEval([0, 0, 3, 0, 0, 0, 0, 0]).probs));
    expect(teachFusedLabel({ ...base, weight2d: 0.5 }, edited.fusion, { has3dHead: true }, edited)).toEqual({ title: 'Fused (w = 0.50)' });
    // The origin a face's parameters would have is not the one a faceless freeze sets.
    expect(teachFrame({ ...base, frozen, valuesOrigin: frozenValuesOrigin('image') }).paramsEdited).toBe(true);
  });

  it('a frame without a face and without a 2D answer: neither branch, and the labels say why', () => {
    const none = { frameId: 5 } as unknown as ClientResult;
    const f = teachFrame({ ...base, live: none });
    expect(f).toMatchObject({ noFace: true, params: undefined });
    expect(f.fusion.fused).toBeUndefined();
    expect(teachFusedLabel(base, f.fusion, { has3dHead: true }, f)).toEqual({ title: 'Fused' });
    // With the 3D head answering from the sliders (frozen, edited), the 2D side's absence is named.
    const frozen = { result: none, source: 'camera', at: 0 } as unknown as FrozenFrame;
    const edited = teachFrame({ ...base, frozen });
    expect(teachFusedLabel(base, edited.fusion, { has3dHead: true }, edited).note).toBe('No face in this frame for the 2D network: these bars repeat the 3D head.');
  });

  it('says what happened to a frozen frame without a face', () => {
    expect(noFaceMessage({ branch2d: branch([1, 0, 0, 0, 0, 0, 0, 0]) }, 'image')).toMatch(/^No face found in this photo: the image looks like a tight face crop \(≤ 256 px, about square\), so the 2D model read it whole, as the Batch tab does; the 3D branch .* The sliders keep their values\.$/);
    expect(noFaceMessage({}, 'camera')).toBe('No face found in this camera frame, so neither branch has anything to read. The sliders keep their values.');
    expect(frozenWithoutFaceOrigin('image')).not.toBe(frozenValuesOrigin('image'));
  });

  it('shows the last good 3D head answer while the next one is computed or failed', () => {
    const e = headEval([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(shownHeadEvaluation({ status: 'busy', last: e })).toBe(e);
    expect(shownHeadEvaluation({ status: 'error', message: 'x', last: e })).toBe(e);
    expect(shownHeadEvaluation({ status: 'none', message: 'x' })).toBeUndefined();
  });
});

describe('teachFusedLabel', () => {
  const pack = { has3dHead: true, weight2d: 1 };
  it('names the branch the fused bars repeat, and why', () => {
    expect(teachFusedLabel(base, teachFrame(base).fusion, pack)).toMatchObject({ repeats: '2d', title: 'Fused = 2D (w = 1.00)' });
    const off3d = { ...base, use3d: false };
    expect(teachFusedLabel(off3d, teachFrame(off3d).fusion, pack).note).toMatch(/^The 3D branch is switched off: /);
    const off2d = { ...base, use2d: false };
    expect(teachFusedLabel(off2d, teachFrame(off2d).fusion, pack).note).toMatch(/^The 2D branch is switched off: /);
    expect(teachFusedLabel(base, teachFrame(base).fusion, { has3dHead: false }).note).toMatch(/^This pack has no 3D head: /);
    // A frame without a 3D answer is fused from the 2D side alone, whatever w says.
    const no3d = { ...base, weight2d: 0.5, live: { ...live, branch3d: undefined } as ClientResult };
    expect(teachFusedLabel(no3d, teachFrame(no3d).fusion, pack)).toMatchObject({ repeats: '2d' });
  });
  it('has no note when both branches are mixed', () => {
    const mixed = { ...base, weight2d: 0.5 };
    expect(teachFusedLabel(mixed, teachFrame(mixed).fusion, pack)).toEqual({ title: 'Fused (w = 0.50)' });
  });
});
