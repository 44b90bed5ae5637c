import type { WholeImageFallback } from '../../src/core/crop/wholeImageFallback';

/** What became of the images without a found face, and the flag that changes it. */
export function noFaceSummary(noFace: number, readWhole: number, policy: WholeImageFallback): string {
  if (noFace === 0) return '';
  const unanswered = noFace - readWhole;
  const parts = [readWhole ? `${readWhole} without a found face read whole by the 2D model (--whole-image-fallback ${policy})` : ''];
  const hint = { off: ' (--whole-image-fallback face-crops or always reads them whole)', 'face-crops': ' (larger than a face crop; --whole-image-fallback always reads them whole)', always: '' }[policy];
  if (unanswered) parts.push(`${unanswered} without a found face have no answer${hint}`);
  return parts.filter(Boolean).join('; ');
}
