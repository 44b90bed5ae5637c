import { describe, expect, it } from 'vitest';
import {
  EXPRESSIONS,
  FERPLUS_ORDER,
  expressionFromName,
  permutationToInternal,
  toInternalOrder,
} from '../../src/core/classes/expressionClasses';

describe('class-order maps', () => {
  it('keeps AffectNet order as the internal order', () => {
    expect(EXPRESSIONS).toEqual(['neutral', 'happy', 'sad', 'surprise', 'fear', 'disgust', 'anger', 'contempt']);
  });

  it('identity order gives the identity permutation', () => {
    expect(permutationToInternal(EXPRESSIONS)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('permutes FER+ vote order into AffectNet order', () => {
    // FER+: neutral, happiness, surprise, sadness, anger, disgust, fear, contempt
    const perm = permutationToInternal(FERPLUS_ORDER);
    expect(perm).toEqual([0, 1, 3, 2, 6, 5, 4, 7]);
    const ferLogits = [10, 11, 12, 13, 14, 15, 16, 17]; // value = 10 + FER+ index
    const internal = Array.from(toInternalOrder(ferLogits, perm));
    // internal[sad] must be FER+ column 3 (sadness), internal[surprise] column 2
    expect(internal).toEqual([10, 11, 13, 12, 16, 15, 14, 17]);
  });

  it('round-trips any permutation', () => {
    const order = ['contempt', 'anger', 'disgust', 'fear', 'surprise', 'sad', 'happy', 'neutral'];
    const values = order.map((_, k) => k * 1.5);
    const internal = toInternalOrder(values, permutationToInternal(order));
    EXPRESSIONS.forEach((cls, i) => expect(internal[i]).toBe(values[order.indexOf(cls)]));
  });

  it('rejects orders that are not permutations of the 8 classes', () => {
    expect(() => permutationToInternal(['neutral', 'happy'])).toThrow(/2 entries/);
    expect(() =>
      permutationToInternal(['neutral', 'neutral', 'sad', 'surprise', 'fear', 'disgust', 'anger', 'contempt']),
    ).toThrow(/repeats: neutral/);
    expect(() => permutationToInternal(['neutral', 'sad', 'surprise', 'fear', 'disgust', 'anger', 'contempt'], { allowMissing: false })).toThrow(/7 entries/);
  });

  it('maps dataset and folder names to classes without guessing', () => {
    expect(expressionFromName('Happiness')).toBe('happy');
    expect(expressionFromName(' angry ')).toBe('anger');
    expect(expressionFromName('surprised')).toBe('surprise');
    expect(expressionFromName('bored')).toBeUndefined();
  });
});
