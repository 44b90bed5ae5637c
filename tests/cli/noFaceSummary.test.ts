import { describe, expect, it } from 'vitest';
import { noFaceSummary } from '../../scripts/cli/noFaceSummary';

describe("the batch CLI's last line about images without a found face", () => {
  it('says nothing when every image had a face', () => {
    expect(noFaceSummary(0, 0, 'face-crops')).toBe('');
  });
  it('counts the images read whole and the ones left without an answer, and names the flag that changes it', () => {
    expect(noFaceSummary(92, 92, 'face-crops')).toBe('92 without a found face read whole by the 2D model (--whole-image-fallback face-crops)');
    expect(noFaceSummary(5, 3, 'face-crops')).toBe(
      '3 without a found face read whole by the 2D model (--whole-image-fallback face-crops); 2 without a found face have no answer (larger than a face crop; --whole-image-fallback always reads them whole)',
    );
    expect(noFaceSummary(92, 0, 'off')).toBe('92 without a found face have no answer (--whole-image-fallback face-crops or always reads them whole)');
    expect(noFaceSummary(4, 4, 'always')).toBe('4 without a found face read whole by the 2D model (--whole-image-fallback always)');
  });
});
