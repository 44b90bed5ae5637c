import { describe, expect, it } from 'vitest';
import {
  alignedCropTransform,
  applyAffine,
  composeAffine,
  cropTransformForRecipe,
  faceAnchors,
  fitSimilarity,
  IMAGE_LEFT_EYE,
  IMAGE_RIGHT_EYE,
  invertAffine,
  landmarkBoxCropTransform,
  landmarksToPixels,
  MEDIAPIPE_TO_IBUG68,
  MOUTH_CORNERS,
  type Affine,
} from '../../src/core/crop';

const close = (a: readonly number[], b: readonly number[], eps = 1e-6) =>
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i], -Math.log10(eps)));

/** 478 landmarks (pixels) with the eye sets at `le`/`re` and mouth corners around `mo`. */
function fakeLandmarks(le: [number, number], re: [number, number], mo: [number, number]): Float32Array {
  const lm = new Float32Array(478 * 3);
  for (let i = 0; i < 478; i++) { lm[i * 3] = (le[0] + re[0]) / 2; lm[i * 3 + 1] = (le[1] + mo[1]) / 2; }
  const put = (idx: readonly number[], c: [number, number], spread: number) =>
    idx.forEach((k, j) => {
      const t = (2 * Math.PI * j) / idx.length;
      lm[k * 3] = c[0] + spread * Math.cos(t);
      lm[k * 3 + 1] = c[1] + spread * Math.sin(t);
    });
  put(IMAGE_LEFT_EYE, le, 3);
  put(IMAGE_RIGHT_EYE, re, 3);
  lm[MOUTH_CORNERS[0] * 3] = mo[0] - 10; lm[MOUTH_CORNERS[0] * 3 + 1] = mo[1];
  lm[MOUTH_CORNERS[1] * 3] = mo[0] + 10; lm[MOUTH_CORNERS[1] * 3 + 1] = mo[1];
  return lm;
}

describe('affine helpers', () => {
  it('inverts and composes', () => {
    const m: Affine = [2, 0.5, -0.3, 1.5, 10, -4];
    close(composeAffine(m, invertAffine(m)), [1, 0, 0, 1, 0, 0]);
    close(applyAffine(invertAffine(m), applyAffine(m, [3, 7])), [3, 7]);
    expect(() => invertAffine([1, 2, 2, 4, 0, 0])).toThrow(/singular/);
  });
});

describe('fitSimilarity', () => {
  it('recovers an exact similarity (rotation, scale, translation)', () => {
    const ang = 0.4, s = 2.5;
    const truth: Affine = [s * Math.cos(ang), s * Math.sin(ang), -s * Math.sin(ang), s * Math.cos(ang), 30, -12];
    const src: [number, number][] = [[0, 0], [10, 0], [5, 9]];
    close(fitSimilarity(src, src.map((p) => applyAffine(truth, p))), truth);
  });
  it('never reflects, and is least-squares with noise', () => {
    const src: [number, number][] = [[0, 0], [10, 0], [5, 9]];
    const dst: [number, number][] = [[0, 0], [-10, 0], [-5, 9]]; // mirrored
    const m = fitSimilarity(src, dst);
    expect(m[0] * m[3] - m[1] * m[2]).toBeGreaterThanOrEqual(0);
    expect(() => fitSimilarity([[1, 1], [1, 1]], [[0, 0], [1, 1]])).toThrow(/coincide/);
  });
});

describe('aligned crop', () => {
  const template = { leftEye: [0.3, 0.38] as [number, number], rightEye: [0.7, 0.38] as [number, number], mouth: [0.5, 0.78] as [number, number] };
  it('maps template points onto the face anchors (upright face)', () => {
    // Face whose anchors are the template scaled by 4 and shifted: exact fit.
    const le: [number, number] = [100 + 0.3 * 192, 50 + 0.38 * 192];
    const re: [number, number] = [100 + 0.7 * 192, 50 + 0.38 * 192];
    const mo: [number, number] = [100 + 0.5 * 192, 50 + 0.78 * 192];
    const a = faceAnchors(fakeLandmarks(le, re, mo));
    close(a.leftEye, le, 1e-3);
    close(a.mouth, mo, 1e-3);
    const m = alignedCropTransform(a, template, [48, 48]);
    close(m, [4, 0, 0, 4, 100, 50], 1e-3);
    close(applyAffine(m, [0.3 * 48, 0.38 * 48]), le, 1e-3);
  });
  it('follows a rolled head', () => {
    const rot = (p: [number, number]): [number, number] => {
      const c = Math.cos(0.5), s = Math.sin(0.5);
      return [200 + c * (p[0] - 200) - s * (p[1] - 200), 200 + s * (p[0] - 200) + c * (p[1] - 200)];
    };
    const le = rot([150, 180]), re = rot([250, 180]), mo = rot([200, 280]);
    const m = alignedCropTransform(faceAnchors(fakeLandmarks(le, re, mo)), template, [48, 48]);
    expect(Math.atan2(m[1], m[0])).toBeCloseTo(0.5, 2);
  });
  it('uses width for x and height for y on non-square crops', () => {
    const m = cropTransformForRecipe({ kind: 'aligned', ...template }, fakeLandmarks([30, 38], [70, 38], [50, 78]), [100, 100]);
    close(m, [1, 0, 0, 1, 0, 0], 1e-3);
  });
});

describe('landmark-box crop', () => {
  it('squares the box around its centre with the scale', () => {
    const lm = new Float32Array(478 * 3);
    for (let i = 0; i < 478; i++) { lm[i * 3] = 100 + (i % 2) * 80; lm[i * 3 + 1] = 200 + (i % 3 === 0 ? 120 : 0); }
    // box 80 x 120 → side (80+120)/2·1.25 = 125, centre (140, 260)
    const m = landmarkBoxCropTransform(lm, 'all', 1.25, [50, 50]);
    close(m, [2.5, 0, 0, 2.5, 140 - 62.5, 260 - 62.5]);
    close(applyAffine(m, [25, 25]), [140, 260]);
  });
  it('iBUG-68 subset has 68 rows of valid indices and uses only those points', () => {
    expect(MEDIAPIPE_TO_IBUG68.length).toBe(68);
    for (const row of MEDIAPIPE_TO_IBUG68) for (const k of row) expect(k).toBeLessThan(468);
    const lm = new Float32Array(478 * 3).fill(0);
    for (const row of MEDIAPIPE_TO_IBUG68) for (const k of row) { lm[k * 3] = 10; lm[k * 3 + 1] = 10; }
    lm[MEDIAPIPE_TO_IBUG68[0][0] * 3] = 30; // one jaw point → extent 20 in x
    const m = landmarkBoxCropTransform(lm, 'ibug68', 1, [10, 10]);
    expect(m[0]).toBeCloseTo(1); // side (20+0)/2 = 10 over 10 px
    expect(() => landmarkBoxCropTransform(new Float32Array(478 * 3), 'all', 1, [10, 10])).toThrow(/zero extent/);
  });
  it('converts normalised landmarks to pixels', () => {
    close(Array.from(landmarksToPixels([0.5, 0.25, 0.1], 200, 100)), [100, 25, 20]);
  });
});
