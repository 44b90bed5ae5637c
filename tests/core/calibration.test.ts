// Class-prior correction, the 2D-side combination of several 2D models, partial class orders,
// and the manifest fields that declare them. Expected values are computed by hand below.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyPriorCorrection, priorCorrection } from '../../src/core/calibration/priorCorrection';
import { combine2d, logSoftmax } from '../../src/core/fusion/combine2d';
import { softmax } from '../../src/core/fusion/lateFusion';
import { EXPRESSIONS, permutationToInternal, toInternalOrder } from '../../src/core/classes/expressionClasses';
import { parseManifest } from '../../src/core/manifest/parseManifest';

const FACEAPI_ORDER = ['neutral', 'happy', 'sad', 'anger', 'fear', 'disgust', 'surprise'];

describe('prior correction', () => {
  it('subtracts τ·log π per class (π normalised), in AffectNet order', () => {
    // Model order = AffectNet order; prior given unnormalised (sums to 2).
    const prior = [0.8, 0.4, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1];
    const pc = priorCorrection({ kind: 'prior-correction', prior, tau: 0.5, enabled: true }, [0, 1, 2, 3, 4, 5, 6, 7]);
    // neutral: −0.5·ln(0.4) = 0.458145…; contempt: −0.5·ln(0.05) = 1.497866…
    expect(pc.offsets[0]).toBeCloseTo(0.4581454, 6);
    expect(pc.offsets[7]).toBeCloseTo(1.4978661, 6);
    expect(pc.label).toBe('prior-correction τ=0.5');
    const out = applyPriorCorrection(new Float32Array([2, 1, 0, 0, 0, 0, 0, 0]), pc);
    expect(out[0]).toBeCloseTo(2.4581454, 5);
    // The argmax moves from neutral only when the gap is smaller than the offset difference.
    expect(out[7] - out[0]).toBeCloseTo(1.4978661 - 2.4581454, 5);
  });

  it('follows the model\'s class order and leaves absent classes at −∞', () => {
    const perm = permutationToInternal(FACEAPI_ORDER, { allowMissing: true });
    const pc = priorCorrection({ kind: 'prior-correction', prior: [4, 1, 1, 1, 1, 1, 1], tau: 1, enabled: true }, perm);
    expect(pc.offsets[EXPRESSIONS.indexOf('neutral')]).toBeCloseTo(-Math.log(0.4), 6);
    expect(pc.offsets[EXPRESSIONS.indexOf('anger')]).toBeCloseTo(-Math.log(0.1), 6);
    expect(pc.offsets[EXPRESSIONS.indexOf('contempt')]).toBe(0);
    const internal = toInternalOrder([0, 1, 2, 3, 4, 5, 6], perm);
    expect(applyPriorCorrection(internal, pc)[EXPRESSIONS.indexOf('contempt')]).toBe(-Infinity);
  });
});

describe('partial class orders', () => {
  it('maps a 7-class model into AffectNet order with −∞ for the missing class', () => {
    const perm = permutationToInternal(FACEAPI_ORDER, { allowMissing: true });
    const internal = toInternalOrder([10, 11, 12, 13, 14, 15, 16], perm);
    expect(Array.from(internal)).toEqual([10, 11, 12, 16, 14, 15, 13, -Infinity]);
    const p = softmax(internal);
    expect(p[7]).toBe(0);
    expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
  });

  it('rejects a partial order unless the model declares how missing classes are handled', () => {
    expect(() => permutationToInternal(FACEAPI_ORDER)).toThrow(/7 entries, expected 8/);
    expect(() => permutationToInternal(['neutral', 'neutral', 'happy'], { allowMissing: true })).toThrow(/repeats: neutral/);
    expect(() => permutationToInternal(['neutral', 'joy'], { allowMissing: true })).toThrow(/unknown classes: joy/);
  });
});

describe('combine2d', () => {
  it('one model passes through unchanged', () => {
    const out = { logits: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), probs: softmax([1, 2, 3, 4, 5, 6, 7, 8]), views: 2 as const };
    expect(combine2d([{ weight: 1, out }])).toBe(out);
  });

  it('averages log-probabilities with the weights; a model without a class abstains there', () => {
    const a = new Float32Array([2, 0, 0, 0, 0, 0, 0, 1]);
    const b = toInternalOrder([0, 3, 0, 0, 0, 0, 0], permutationToInternal(FACEAPI_ORDER, { allowMissing: true }));
    const out = combine2d([
      { weight: 0.75, out: { logits: a, probs: softmax(a) } },
      { weight: 0.25, out: { logits: b, probs: softmax(b) } },
    ])!;
    const la = logSoftmax(a);
    const lb = logSoftmax(b);
    expect(out.logits[0]).toBeCloseTo(0.75 * la[0] + 0.25 * lb[0], 5);
    expect(out.logits[1]).toBeCloseTo(0.75 * la[1] + 0.25 * lb[1], 5);
    // contempt: only model a has it → its own log-probability, not diluted by b's absence.
    expect(out.logits[7]).toBeCloseTo(la[7], 5);
    expect(out.probs.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });

  it('matches training/choose_calibration.py on its fixture', () => {
    const fx = JSON.parse(readFileSync(new URL('../fixtures/combine2d.parity.json', import.meta.url), 'utf8')) as {
      prior: number[]; tau: number; weights: [number, number]; fer2d: number[][]; faceexpr7: (number | null)[][]; fused: number[][];
    };
    const perm8 = permutationToInternal(EXPRESSIONS);
    const pc = priorCorrection({ kind: 'prior-correction', prior: fx.prior, tau: fx.tau, enabled: true }, perm8);
    fx.fer2d.forEach((row, i) => {
      const fer = applyPriorCorrection(Float32Array.from(row), pc);
      const fe = Float32Array.from(fx.faceexpr7[i].map((v) => (v === null ? -Infinity : v)));
      const out = combine2d([
        { weight: fx.weights[0], out: { logits: fer, probs: softmax(fer) } },
        { weight: fx.weights[1], out: { logits: fe, probs: softmax(fe) } },
      ])!;
      fx.fused[i].forEach((v, c) => expect(out.logits[c]).toBeCloseTo(v, 4));
    });
    expect(fx.fer2d.length).toBeGreaterThanOrEqual(8);
  });
});

describe('manifest fields', () => {
  const shipped = JSON.parse(readFileSync(new URL('../../public/models/manifest.json', import.meta.url), 'utf8'));
  const second2d = () => ({
    id: 'faceexpr7', role: 'fei2d', file: 'faceexpr7.onnx',
    input: { name: 'image', size: [112, 112], channels: 3, colorOrder: 'rgb', crop: { kind: 'landmark-box', scale: 1.2 } },
    outputs: { logits: { name: 'logits', classOrder: FACEAPI_ORDER, missing: 'abstain' } },
  });
  const errors = (m: unknown) => {
    const r = parseManifest(m);
    return r.ok ? [] : r.errors;
  };

  it('accepts a second, 7-class 2D model with weights2d, and names every missing piece', () => {
    const base = structuredClone(shipped);
    base.models = base.models.filter((m: { id: string }) => m.id !== 'faceexpr7');
    const ok = structuredClone(base);
    ok.models.push(second2d());
    ok.fusion.weights2d = { fer2d: 0.8, faceexpr7: 0.2 };
    expect(errors(ok)).toEqual([]);

    const noMissing = structuredClone(ok);
    delete noMissing.models.at(-1).outputs.logits.missing;
    expect(errors(noMissing).join('\n')).toMatch(/models\[\d\]\.outputs\.logits\.classOrder: .*missing: "abstain"/);

    const noWeights = structuredClone(ok);
    delete noWeights.fusion.weights2d;
    expect(errors(noWeights)).toContain('fusion.weights2d: required with several 2D models (fer2d, faceexpr7)');

    const badId = structuredClone(ok);
    badId.fusion.weights2d = { fer2d: 1, other: 0 };
    expect(errors(badId)).toEqual(expect.arrayContaining(['fusion.weights2d.faceexpr7: missing (one weight per 2D model)', 'fusion.weights2d.other: no 2D model (role fei2d) has this id']));
  });

  it('checks a calibration against the model\'s classes, naming the field', () => {
    const m = structuredClone(shipped);
    const fer = m.models.find((x: { id: string }) => x.id === 'fer2d');
    fer.calibration = { kind: 'prior-correction', prior: [1, 1, 1], tau: 0.3 };
    expect(errors(m).join('\n')).toMatch(/calibration\.prior: 3 values, but the model has 8 classes/);
    fer.calibration = { kind: 'prior-correction', prior: [1, 1, 1, 1, 1, 1, 1, 0], tau: 0.3 };
    expect(errors(m).join('\n')).toMatch(/calibration\.prior\[7\]/);
    fer.calibration = { kind: 'prior-correction', prior: [1, 1, 1, 1, 1, 1, 1, 1], tau: -1 };
    expect(errors(m).join('\n')).toMatch(/calibration\.tau/);
  });
});
