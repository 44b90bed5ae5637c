/**
 * What the "Fused" bars are, in words: their title, and a note when they only repeat one branch.
 * With the default pack the fusion weight is w = 1.0 (no weight mixing in the 3D head beat the 2D
 * model alone on FER+ Valid), so the fused bars equal the 2D bars exactly; two identical panels with
 * no word of why puzzled visitors and students. Shared by the live view, the teaching view and the
 * batch detail view.
 */
import type { FusionMode } from '../core/types';

export interface FusedPanelLabel {
  title: string;
  /** The branch the fused bars repeat exactly, when they repeat one. */
  repeats?: '2d' | '3d';
  /**
   * Why they repeat it, in one short line under the title (the panel sits in the live view's first
   * screen: a long paragraph there pushed the 3D head below the fold of a 720-px window, where it
   * is not drawn); undefined when the bars mix both branches.
   */
  note?: string;
  /** The longer explanation, shown on hover (the note's title attribute). */
  detail?: string;
}

export interface FusedPanelInput {
  mode: FusionMode;
  weight2d: number;
  /** Whether the 3D branch can take part at all (the pack has a 3D head, the teaching toggle is on). */
  has3d: boolean;
  /** Why it cannot, when has3d is false (e.g. "This pack has no 3D head"). */
  no3dReason?: string;
  /** The pack's own weight (manifest), to say when w is that default. */
  packWeight2d?: number;
  /** Whether the 2D branch takes part (teaching mode can switch it off). Default true. */
  has2d?: boolean;
  /** Why it does not, when has2d is false. */
  no2dReason?: string;
}

const w2 = (w: number) => w.toFixed(2);

export function fusedPanelLabel({ mode, weight2d, has3d, no3dReason, packWeight2d, has2d = true, no2dReason }: FusedPanelInput): FusedPanelLabel {
  if (!has2d && !has3d) return { title: 'Fused' };
  if (!has2d) return { title: 'Fused = 3D', repeats: '3d', note: `${no2dReason ?? 'The 2D branch is off'}: these bars repeat the 3D head.` };
  if (!has3d) return { title: 'Fused = 2D', repeats: '2d', note: `${no3dReason ?? 'The 3D branch is off'}: these bars repeat the 2D model.` };
  if (mode === '2d') return { title: 'Fused = 2D', repeats: '2d', note: 'Fusion “2D only”: these bars repeat the 2D model.' };
  if (mode === '3d') return { title: 'Fused = 3D', repeats: '3d', note: 'Fusion “3D only”: these bars repeat the 3D head.' };
  if (mode === 'mean') return { title: 'Fused (mean)', detail: 'ℓ = (ℓ2D + ℓ3D) / 2' };
  if (mode === 'max') return { title: 'Fused (max)', detail: 'ℓ = max(ℓ2D, ℓ3D) per class' };
  // Weighted: ℓ = w·ℓ2D + (1−w)·ℓ3D. The slider moves in steps of 0.05, so the ends are exact.
  const isDefault = packWeight2d !== undefined && Math.abs(packWeight2d - weight2d) < 1e-9;
  const defaultNote = isDefault ? ', this pack’s default weight' : '';
  if (weight2d >= 1) {
    return {
      title: `Fused = 2D (w = ${w2(weight2d)})`,
      repeats: '2d',
      note: `The 3D head gets no weight at w = ${w2(weight2d)}${defaultNote}: these bars repeat the 2D model.`,
      detail: `ℓ = 1·ℓ2D + 0·ℓ3D. Lower the 2D weight to mix in the 3D head.`,
    };
  }
  if (weight2d <= 0) {
    return {
      title: `Fused = 3D (w = ${w2(weight2d)})`,
      repeats: '3d',
      note: `The 2D model gets no weight at w = ${w2(weight2d)}${defaultNote}: these bars repeat the 3D head.`,
      detail: `ℓ = 0·ℓ2D + 1·ℓ3D. Raise the 2D weight to mix in the 2D model.`,
    };
  }
  return { title: `Fused (w = ${w2(weight2d)})` };
}
