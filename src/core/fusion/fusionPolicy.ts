/**
 * Fusion policy, in one place: which fusion a pack starts with (`defaultFusion`), how a frame's
 * branch outputs are fused (`fuseFrame`), and teaching mode's fusion with branch toggles
 * (`teachFusion`). The UI reads these; it never re-derives a default or a VA rule.
 * "Which fusion weight runs?": the manifest's `fusion.weight2d` through `defaultFusion`, unless
 * the user moved the slider (the stores hold the current value and send it with each frame).
 */
import type { Manifest } from '../manifest/schema';
import type { Head3dEvaluation } from '../pipelineTypes';
import type { BranchOutput, FusedOutput, FusionMode, ValenceArousal } from '../types';
import { EXPRESSIONS, type Expression } from '../classes/expressionClasses';
import { argmax } from '../metrics/classification';
import { modelByRole } from '../manifest/parseManifest';
import { valenceArousal } from '../va/vaRule';
import { lateFusion } from './lateFusion';

/** The manifest's VA fusion weight when it has none (the paper's 0.6). */
export const DEFAULT_VA_WEIGHT_2D = 0.6;

export interface FusionDefaults {
  mode: FusionMode;
  weight2d: number;
  vaWeight2d: number;
  /** Whether the pack has a 3D head (without one, fusion is 2D alone). */
  has3d: boolean;
  /** Whether the manifest declares a fusion (else the UI keeps what the user had). */
  declared: boolean;
}

/** The fusion a pack starts with: its manifest's, or 2D alone when it has no 3D head. */
export function defaultFusion(manifest: Manifest): FusionDefaults {
  const has3d = !!modelByRole(manifest, 'head3d');
  const f = manifest.fusion;
  return {
    mode: has3d ? (f?.mode ?? 'weighted') : '2d',
    weight2d: f?.weight2d ?? 1,
    vaWeight2d: f?.vaWeight2d ?? DEFAULT_VA_WEIGHT_2D,
    has3d,
    declared: !!f,
  };
}

/** A 2D model's weight on the 2D side: the manifest's `fusion.weights2d`, else 1 (a single 2D model). */
export function weights2d(manifest: Manifest, id: string): number {
  return manifest.fusion?.weights2d?.[id] ?? 1;
}

/** One frame: late fusion of the 2D and 3D sides, then the VA rule; notes say what fell back. */
export function fuseFrame(
  b2: BranchOutput | undefined,
  b3: BranchOutput | undefined,
  opts: { fusionMode: FusionMode; weight2d: number; vaWeight2d: number },
  notes: string[],
): { fused?: FusedOutput; va?: ValenceArousal } {
  const fused = lateFusion(opts.fusionMode, opts.weight2d, b2?.logits, b3?.logits);
  if (fused?.fallback) notes.push(fused.fallback);
  return { fused, va: valenceArousal(fused, b2, b3, opts.vaWeight2d, notes) };
}

export interface TeachFusion {
  fused?: FusedOutput;
  va?: ValenceArousal;
  logits2d?: Float32Array;
  logits3d?: Float32Array;
  probs2d?: Float32Array;
  probs3d?: Float32Array;
  disagreement?: { top2d: Expression; top3d: Expression; followed: '2d' | '3d' | 'neither'; topFused: Expression };
}

/**
 * Teaching mode: the frame's 2D branch and the 3D head's answer for the current slider values
 * (equal to the frame's own 3D branch right after "copy from frame"), with either branch toggled
 * off; same late fusion and VA rule as a frame.
 */
export function teachFusion(
  b2d: Pick<BranchOutput, 'logits' | 'probs' | 'va'> | undefined,
  b3d: Head3dEvaluation | undefined,
  opts: { use2d: boolean; use3d: boolean; weight2d: number; fusionMode: Exclude<FusionMode, '2d' | '3d'>; vaWeight2d: number },
): TeachFusion {
  const used2d = opts.use2d ? b2d : undefined;
  // The evaluation's VA is 'model' only when the head has VA outputs; else it has no VA head.
  const used3d = opts.use3d && b3d ? { probs: b3d.probs, ...(b3d.va.source === 'model' ? { va: b3d.va } : {}) } : undefined;
  const mode: FusionMode = used2d && b3d && opts.use3d ? opts.fusionMode : used3d ? '3d' : '2d';
  const fused = lateFusion(mode, opts.weight2d, used2d?.logits, used3d && b3d?.logits);
  const out: TeachFusion = { fused, logits2d: b2d?.logits, logits3d: b3d?.logits, probs2d: b2d?.probs, probs3d: b3d?.probs };
  out.va = valenceArousal(fused, used2d, used3d, opts.vaWeight2d);
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
