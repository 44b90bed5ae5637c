/**
 * Crop recipes → a 2x3 affine from crop pixels to image pixels. Pure functions; the
 * sampling lives in sampleCrop.ts. Landmarks here are in image *pixels*, flat [x,y,z,...].
 */
import type { CropRecipe } from '../manifest/schema';
import { type Affine, type Point } from './affine';
import { IMAGE_LEFT_EYE, IMAGE_RIGHT_EYE, MEDIAPIPE_TO_IBUG68, MOUTH_CORNERS } from './landmarkSets';

/** Mean (x, y) of a set of landmarks. */
export function landmarkCentroid(landmarks: ArrayLike<number>, indices: readonly number[]): [number, number] {
  let x = 0;
  let y = 0;
  for (const i of indices) {
    if (i * 3 + 1 >= landmarks.length) throw new Error(`landmark ${i} missing (have ${Math.floor(landmarks.length / 3)})`);
    x += landmarks[i * 3];
    y += landmarks[i * 3 + 1];
  }
  return [x / indices.length, y / indices.length];
}

export interface FaceAnchors {
  /** Image-left eye centre (subject's right eye). */
  leftEye: [number, number];
  rightEye: [number, number];
  mouth: [number, number];
}

export function faceAnchors(landmarks: ArrayLike<number>): FaceAnchors {
  return {
    leftEye: landmarkCentroid(landmarks, IMAGE_LEFT_EYE),
    rightEye: landmarkCentroid(landmarks, IMAGE_RIGHT_EYE),
    mouth: landmarkCentroid(landmarks, MOUTH_CORNERS),
  };
}

/**
 * Least-squares similarity (rotation + uniform scale + translation, no reflection) mapping
 * src[i] → dst[i]. In complex numbers: dst ≈ s·src + t, s = Σ conj(src')·dst' / Σ|src'|²
 * over centred points (closed form of Umeyama for 2D).
 */
export function fitSimilarity(src: readonly Point[], dst: readonly Point[]): Affine {
  if (src.length !== dst.length || src.length < 2) throw new Error('similarity fit needs ≥2 matching points');
  const n = src.length;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i][0]; sy += src[i][1]; dx += dst[i][0]; dy += dst[i][1];
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let re = 0, im = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const ux = src[i][0] - sx, uy = src[i][1] - sy;
    const vx = dst[i][0] - dx, vy = dst[i][1] - dy;
    // conj(u)·v
    re += ux * vx + uy * vy;
    im += ux * vy - uy * vx;
    norm += ux * ux + uy * uy;
  }
  if (norm < 1e-12) throw new Error('similarity fit: source points coincide');
  const a = re / norm;
  const b = im / norm;
  if (!Number.isFinite(a) || !Number.isFinite(b) || a * a + b * b < 1e-12) throw new Error('similarity fit: degenerate target points');
  // x' = a·x − b·y + e,  y' = b·x + a·y + f  (canvas order: a, b, c=−b, d=a)
  return [a, b, -b, a, dx - (a * sx - b * sy), dy - (b * sx + a * sy)];
}

/** 'aligned' recipe: template fractions of the crop → the face's eye and mouth centres. */
export function alignedCropTransform(
  anchors: FaceAnchors,
  template: { leftEye: readonly [number, number]; rightEye: readonly [number, number]; mouth: readonly [number, number] },
  cropSize: readonly [height: number, width: number],
): Affine {
  const [h, w] = cropSize;
  const src: Point[] = [template.leftEye, template.rightEye, template.mouth].map((p) => [p[0] * w, p[1] * h] as const);
  return fitSimilarity(src, [anchors.leftEye, anchors.rightEye, anchors.mouth]);
}

/** The 68 iBUG points (x, y) from MediaPipe landmarks. */
export function ibug68FromMediaPipe(landmarks: ArrayLike<number>): [number, number][] {
  return MEDIAPIPE_TO_IBUG68.map((row) => landmarkCentroid(landmarks, row));
}

/**
 * 'landmark-box' recipe: square of side (w + h) / 2 · scale centred on the landmark box centre,
 * stretched onto the crop (a non-square crop gets a non-uniform scale).
 */
export function landmarkBoxCropTransform(
  landmarks: ArrayLike<number>,
  which: 'all' | 'ibug68',
  scale: number,
  cropSize: readonly [height: number, width: number],
): Affine {
  const pts: readonly Point[] =
    which === 'ibug68'
      ? ibug68FromMediaPipe(landmarks)
      : Array.from({ length: Math.floor(landmarks.length / 3) }, (_, i) => [landmarks[i * 3], landmarks[i * 3 + 1]] as const);
  if (pts.length === 0) throw new Error('landmark-box crop: no landmarks');
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [x, y] of pts) {
    minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  const side = ((maxX - minX + (maxY - minY)) / 2) * scale;
  if (!(side > 0)) throw new Error('landmark-box crop: landmarks have zero extent');
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const [h, w] = cropSize;
  return [side / w, 0, 0, side / h, cx - side / 2, cy - side / 2];
}

/** Dispatch on the manifest recipe. `landmarksPx` are image pixels, flat [x,y,z,...]. */
export function cropTransformForRecipe(recipe: CropRecipe, landmarksPx: ArrayLike<number>, cropSize: readonly [number, number]): Affine {
  if (recipe.kind === 'aligned') return alignedCropTransform(faceAnchors(landmarksPx), recipe, cropSize);
  return landmarkBoxCropTransform(landmarksPx, recipe.landmarks, recipe.scale, cropSize);
}

/** Normalised (0..1) landmarks → pixel landmarks, same flat layout (z scaled by width like MediaPipe). */
export function landmarksToPixels(landmarks: ArrayLike<number>, width: number, height: number): Float32Array {
  const out = new Float32Array(landmarks.length);
  for (let i = 0; i + 2 < landmarks.length; i += 3) {
    out[i] = landmarks[i] * width;
    out[i + 1] = landmarks[i + 1] * height;
    out[i + 2] = landmarks[i + 2] * width;
  }
  return out;
}

/**
 * The centred square of the whole image, as a crop transform. For still images that are
 * already tight face crops (48×48 datasets) when the landmarker finds no face.
 */
export function centreSquareCropTransform(imageWidth: number, imageHeight: number, [h, w]: readonly [number, number]): Affine {
  const side = Math.min(imageWidth, imageHeight);
  return [side / w, 0, 0, side / h, (imageWidth - side) / 2, (imageHeight - side) / 2];
}
