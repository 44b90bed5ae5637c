import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BLENDSHAPE_NAMES } from '../../src/core/blendshapeModel/blendshapeNames';
import { buildIctMapping, ictNamesFor, mapBlendshapes } from '../../src/core/ict/ictBlendshapes';
import { parseIctHead } from '../../src/core/ict/ictAsset';

const ictNames = parseIctHead(new Uint8Array(readFileSync('public/models/ict_head.bin'))).expressions.map((e) => e.name);

describe('MediaPipe 52 → ICT 53 blendshapes', () => {
  it('renames sides and splits the two symmetric shapes', () => {
    expect(ictNamesFor('eyeBlinkLeft')).toEqual(['eyeBlink_L']);
    expect(ictNamesFor('mouthSmileRight')).toEqual(['mouthSmile_R']);
    expect(ictNamesFor('jawOpen')).toEqual(['jawOpen']);
    // Left/Right as a direction of motion, not a side.
    expect(ictNamesFor('jawLeft')).toEqual(['jawLeft']);
    expect(ictNamesFor('mouthRight')).toEqual(['mouthRight']);
    expect(ictNamesFor('browInnerUp')).toEqual(['browInnerUp_L', 'browInnerUp_R']);
    expect(ictNamesFor('cheekPuff')).toEqual(['cheekPuff_L', 'cheekPuff_R']);
    expect(ictNamesFor('_neutral')).toEqual([]);
  });

  it('drives every ICT shape of the shipped asset from a MediaPipe score', () => {
    const mapping = buildIctMapping(ictNames);
    expect(ictNames).toHaveLength(53);
    expect(Array.from(mapping).filter((m) => m < 0)).toEqual([]);
    // Every MediaPipe name but _neutral drives something.
    const used = new Set(mapping);
    BLENDSHAPE_NAMES.forEach((n, i) => expect(used.has(i)).toBe(n !== '_neutral'));
  });

  it('copies scores to the right shapes; unmatched ICT shapes stay 0', () => {
    const names = [...ictNames, 'tongueOut'];
    const mapping = buildIctMapping(names);
    const scores = BLENDSHAPE_NAMES.map((_, i) => (i + 1) / 100);
    const w = mapBlendshapes(scores, mapping);
    const at = (n: string) => w[names.indexOf(n)];
    const mp = (n: string) => scores[BLENDSHAPE_NAMES.indexOf(n as (typeof BLENDSHAPE_NAMES)[number])];
    expect(at('eyeBlink_L')).toBeCloseTo(mp('eyeBlinkLeft'));
    expect(at('eyeBlink_R')).toBeCloseTo(mp('eyeBlinkRight'));
    expect(at('browInnerUp_L')).toBeCloseTo(mp('browInnerUp'));
    expect(at('browInnerUp_R')).toBeCloseTo(mp('browInnerUp'));
    expect(at('cheekPuff_R')).toBeCloseTo(mp('cheekPuff'));
    expect(at('jawOpen')).toBeCloseTo(mp('jawOpen'));
    expect(at('tongueOut')).toBe(0);
  });
});
