/**
 * Late fusion as the pipeline does it (core/fusion/lateFusion + the pipeline's VA rules), for what
 * the teacher is looking at: a frame's 2D branch and the 3D head's answer for the current parameters.
 * Pure: unit-tested in tests/teach/teachFusion.test.ts.
 */
import type { Expression } from '../../core/classes/expressionClasses';
import { EXPRESSIONS } from '../../core/classes/expressionClasses';
import { lateFusion } from '../../core/fusion/lateFusion';
import { derivedVA, fuseVA } from '../../core/va/derivedVA';
import type { FusedOutput, FusionMode, ValenceArousal } from '../../core/types';
import type { Head3dEvaluation } from '../../worker/protocol';

export interface TeachFusion {
  fused?: FusedOutput;
  va?: ValenceArousal;
  /** Which branch produced the 3D logits: the slider values or the frame itself. */
  logits2d?: Float32Array;
  logits3d?: Float32Array;
  probs2d?: Float32Array;
  probs3d?: Float32Array;
  disagreement?: { top2d: Expression; top3d: Expression; followed: '2d' | '3d' | 'neither'; topFused: Expression };
}

const argmax = (p: ArrayLike<number>) => {
  let b = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[b]) b = i;
  return b;
};

/**
 * Late fusion as the pipeline does it, for what the teacher is looking at: the frame's 2D logits and
 * the 3D head's logits for the current slider values (equal to the frame's own 3D branch right
 * after "copy from frame").
 */
export function teachFusion(
  b2d: { logits: Float32Array; probs: Float32Array; va?: { valence: number; arousal: number } } | undefined,
  b3d: Head3dEvaluation | undefined,
  opts: { use2d: boolean; use3d: boolean; weight2d: number; fusionMode: Exclude<FusionMode, '2d' | '3d'>; vaWeight2d: number },
): TeachFusion {
  const l2d = opts.use2d ? b2d?.logits : undefined;
  const l3d = opts.use3d ? b3d?.logits : undefined;
  const mode: FusionMode = l2d && l3d ? opts.fusionMode : l3d ? '3d' : '2d';
  const fused = lateFusion(mode, opts.weight2d, l2d, l3d);
  const out: TeachFusion = { fused, logits2d: b2d?.logits, logits3d: b3d?.logits, probs2d: b2d?.probs, probs3d: b3d?.probs };
  if (fused) {
    const va2 = b2d ? (b2d.va ?? derivedVA(b2d.probs)) : undefined;
    const va3 = b3d ? (b3d.va.source === 'model' ? b3d.va : derivedVA(b3d.probs)) : undefined;
    if (l2d && l3d && va2 && va3) {
      const both = !!b2d?.va || b3d?.va.source === 'model';
      out.va = both ? { ...fuseVA(va2, va3, opts.vaWeight2d), source: 'fused' } : { ...derivedVA(fused.probs), source: 'derived' };
    } else if (l3d && b3d) out.va = b3d.va;
    else if (l2d && b2d) out.va = b2d.va ? { ...b2d.va, source: 'model' } : { ...derivedVA(b2d.probs), source: 'derived' };
  }
  if (b2d && b3d && fused) {
    const t2 = argmax(b2d.probs);
    const t3 = argmax(b3d.probs);
    if (t2 !== t3) {
      const tf = argmax(fused.probs);
      out.disagreement = { top2d: EXPRESSIONS[t2], top3d: EXPRESSIONS[t3], topFused: EXPRESSIONS[tf], followed: tf === t2 ? '2d' : tf === t3 ? '3d' : 'neither' };
    }
  }
  return out;
}
