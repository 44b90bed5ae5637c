import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WHOLE_IMAGE_FALLBACK,
  FACE_CROP_MAX_SIDE,
  looksLikeFaceCrop,
  parseWholeImageFallback,
  readsWholeImage,
  wholeImageNote,
} from '../../src/core/crop';

const size = (width: number, height: number) => ({ width, height });

describe('whole-image fallback policy', () => {
  it('face crops: small and about square (FER+ 48×48, RAF-DB 100×100, JAFFE 256×256, portrait crops up to 3:4)', () => {
    for (const [w, h] of [[48, 48], [100, 100], [256, 256], [143, 181], [181, 143], [96, 128], [1, 1]]) expect(looksLikeFaceCrop(size(w, h)), `${w}×${h}`).toBe(true);
  });

  it('not face crops: larger than 256 px on a side, wider or taller than 4:3, or empty', () => {
    expect(FACE_CROP_MAX_SIDE).toBe(256);
    for (const [w, h] of [[257, 257], [256, 257], [640, 480], [1280, 720], [96, 129], [129, 96], [48, 24], [0, 0], [0, 48]])
      expect(looksLikeFaceCrop(size(w, h)), `${w}×${h}`).toBe(false);
  });

  it('each policy decides as it says', () => {
    const crop = size(48, 48);
    const scene = size(640, 480);
    expect(readsWholeImage('face-crops', crop)).toBe(true);
    expect(readsWholeImage('face-crops', scene)).toBe(false);
    expect(readsWholeImage('always', crop)).toBe(true);
    expect(readsWholeImage('always', scene)).toBe(true);
    expect(readsWholeImage('always', size(0, 480))).toBe(false);
    expect(readsWholeImage('off', crop)).toBe(false);
    // Unset (the live view, Teach's photos): never.
    expect(readsWholeImage(undefined, crop)).toBe(false);
    expect(DEFAULT_WHOLE_IMAGE_FALLBACK).toBe('face-crops');
  });

  it('the row note names why the image was read whole', () => {
    expect(wholeImageNote('face-crops')).toMatch(/looks like a tight face crop \(≤ 256 px, about square\)/);
    expect(wholeImageNote('always')).toMatch(/whole-image fallback: always/);
  });

  it('parses the three names and nothing else', () => {
    expect(['face-crops', 'always', 'off'].map(parseWholeImageFallback)).toEqual(['face-crops', 'always', 'off']);
    for (const v of ['on', 'auto', '', true, undefined, 'Always']) expect(parseWholeImageFallback(v)).toBeUndefined();
  });
});
