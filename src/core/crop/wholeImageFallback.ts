/**
 * The one home of the whole-image fallback policy: when the landmarker finds no face in a still
 * image, may the 2D model read the image whole (its centred square, centreSquareCropTransform)?
 *
 * Why it exists: datasets of tight face crops (FER+ and FER2013 at 48×48, RAF-DB's aligned 100×100,
 * JAFFE's 256×256, posed sets cut the same way) leave MediaPipe's detector little context, so it
 * misses some faces: 2.6 % of FER+ Valid even after the padded retry. Such an image *is* the face,
 * and the app's own crop of a found FER+ face is nearly the whole image (median zoom 0.975, no
 * shift; calibration.md, session 21), so the 2D model reads it as it would a found face. Without
 * the fallback those rows have no answer at all, and a dataset's accuracy counts them as wrong.
 *
 * Why only small, near-square images by default: a photo or webcam frame where no face is found
 * most likely has none, and an expression read from a whole scene would be noise. A face crop is
 * small and about square; 256 px covers the crop datasets above, and 4:3 either way covers crops
 * cut with a margin (portrait crops of 3:4).
 *
 * The row stays 'no face' (status, detection) and its notes say the whole image was read.
 */
export type WholeImageFallback = 'off' | 'face-crops' | 'always';
export const WHOLE_IMAGE_FALLBACKS: readonly WholeImageFallback[] = ['face-crops', 'always', 'off'];
/** What a batch run (tab and CLI) does unless told otherwise. */
export const DEFAULT_WHOLE_IMAGE_FALLBACK: WholeImageFallback = 'face-crops';

/** Longest side, in pixels, of an image that may be a tight face crop. */
export const FACE_CROP_MAX_SIDE = 256;
/** Largest ratio of the longer to the shorter side of such an image. */
export const FACE_CROP_MAX_ASPECT = 4 / 3;

export function looksLikeFaceCrop({ width, height }: { width: number; height: number }): boolean {
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  return short > 0 && long <= FACE_CROP_MAX_SIDE && long / short <= FACE_CROP_MAX_ASPECT;
}

/** Whether a still image where no face was found is read whole under `policy`. */
export function readsWholeImage(policy: WholeImageFallback | undefined, size: { width: number; height: number }): boolean {
  if (policy === 'always') return size.width > 0 && size.height > 0;
  return policy === 'face-crops' && looksLikeFaceCrop(size);
}

/** Why an image without a found face was read whole under `policy` (the row's note, Teach's text). */
export function wholeImageReason(policy: WholeImageFallback | undefined): string {
  return policy === 'always'
    ? 'the 2D model read the whole image (whole-image fallback: always)'
    : `the image looks like a tight face crop (≤ ${FACE_CROP_MAX_SIDE} px, about square), so the 2D model read it whole`;
}

/** The row's note: what was read, and why. */
export function wholeImageNote(policy: WholeImageFallback | undefined): string {
  return `no face found: ${wholeImageReason(policy)}`;
}

/** Parses a user's choice (CLI flag, stored setting); undefined when it is not one of the policies. */
export function parseWholeImageFallback(value: unknown): WholeImageFallback | undefined {
  return (WHOLE_IMAGE_FALLBACKS as readonly unknown[]).includes(value) ? (value as WholeImageFallback) : undefined;
}
