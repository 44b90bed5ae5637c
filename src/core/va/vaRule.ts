/**
 * The VA rule, in one place (live, batch and teaching mode): VA follows the fusion.
 *  - one branch counts (mode 2d / 3d, or the other branch is missing): that branch's VA head
 *    when it has one, else VA derived from the fused class probabilities;
 *  - both count: fuseVA(2D, 3D, vaWeight2d), each side's VA head or, lacking one, VA derived
 *    from its own probabilities; when neither has a VA head, VA derived from the fused probabilities.
 */
import type { BranchOutput, FusedOutput, ValenceArousal } from '../types';
import { derivedVA, fuseVA } from './derivedVA';

/** A branch's own VA: its VA head ('model') or its class probabilities through derivedVA. */
export function branchVA(b: Pick<BranchOutput, 'probs' | 'va'>): ValenceArousal {
  return b.va ? { ...b.va, source: 'model' } : { ...derivedVA(b.probs), source: 'derived' };
}

export function valenceArousal(
  fused: FusedOutput | undefined,
  b2: Pick<BranchOutput, 'probs' | 'va'> | undefined,
  b3: Pick<BranchOutput, 'probs' | 'va'> | undefined,
  vaWeight2d: number,
  notes: string[] = [],
): ValenceArousal | undefined {
  if (!fused) return undefined;
  const derived = (): ValenceArousal => ({ ...derivedVA(fused.probs), source: 'derived' });
  if (fused.mode === '2d' || !b3) return b2?.va ? { ...b2.va, source: 'model' } : derived();
  if (fused.mode === '3d' || !b2) return b3.va ? { ...b3.va, source: 'model' } : derived();
  if (!b2.va && !b3.va) return derived();
  if (!b2.va || !b3.va) notes.push(`VA: the ${b2.va ? '3D' : '2D'} branch has no VA head, its VA is derived from its class probabilities`);
  return { ...fuseVA(b2.va ?? derivedVA(b2.probs), b3.va ?? derivedVA(b3.probs), vaWeight2d), source: 'fused' };
}
