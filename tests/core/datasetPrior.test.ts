// Dataset-prior adaptation (label-shift EM on recalibrated posteriors): the maths against hand
// computations, EM recovering a known class mix from simulated faces, the manifest's fields, and
// the pack default. The batch side (rows, CSV pass) is tests/batch/datasetPriorRows.test.ts.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adaptedProbabilities,
  datasetPriorOf,
  defaultBatchPriorMode,
  estimateClassMix,
  fromDeclaration,
  recalibrate,
  storedProbability,
  type DatasetPrior,
} from '../../src/core/calibration/datasetPrior';
import { EXPRESSIONS, NUM_CLASSES, permutationToInternal } from '../../src/core/classes/expressionClasses';
import { softmax } from '../../src/core/fusion/lateFusion';
import { parseManifest } from '../../src/core/manifest/parseManifest';
import { mulberry32 } from '../../src/batch/fusionFit';

const IDENTITY = EXPRESSIONS.map((_, i) => i);
const uniform = (n = NUM_CLASSES) => Array.from({ length: n }, () => 1 / n);

function prior(over: Partial<Parameters<typeof fromDeclaration>[1]> = {}): DatasetPrior {
  return fromDeclaration('net', { method: 'em-bcts', temperature: 1, bias: Array(8).fill(0), sourcePrior: uniform(), alpha: 0, minItems: 1, enabled: true, ...over }, IDENTITY);
}

describe('recalibration and re-weighting', () => {
  it('z = T·log p + b from the stored (6-decimal, ≥ 1e-6) probabilities', () => {
    const dp = prior({ temperature: 2, bias: [0.5, 0, 0, 0, 0, 0, 0, -1] });
    const p = [0.5, 0.2, 0.1, 0.1, 0.05, 0.05, 0.0000004, 0];
    const z = recalibrate(p, dp);
    expect(z[0]).toBeCloseTo(2 * Math.log(0.5) + 0.5, 12);
    expect(z[1]).toBeCloseTo(2 * Math.log(0.2), 12);
    // 4e-7 rounds to 0 in the CSV and is floored at 1e-6; so is an exact 0.
    expect(z[6]).toBeCloseTo(2 * Math.log(1e-6), 12);
    expect(z[7]).toBeCloseTo(2 * Math.log(1e-6) - 1, 12);
    expect(storedProbability(0.1234564)).toBe(0.123456);
    expect(storedProbability(0.1234566)).toBe(0.123457);
  });

  it('classes the model lacks stay out: −∞ scores, probability 0, no share of the mix', () => {
    const order = ['neutral', 'happy', 'sad', 'anger', 'fear', 'disgust', 'surprise'];
    const dp = fromDeclaration('faceexpr7', { method: 'em-bcts', temperature: 1, bias: Array(7).fill(0), sourcePrior: [4, 1, 1, 1, 1, 1, 1], alpha: 0, minItems: 1, enabled: true }, permutationToInternal(order, { allowMissing: true }));
    const c = EXPRESSIONS.indexOf('contempt');
    expect(dp.present).not.toContain(c);
    expect(dp.sourcePrior[EXPRESSIONS.indexOf('neutral')]).toBeCloseTo(0.4, 12); // normalised over its 7 classes
    const z = recalibrate([0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1], dp);
    expect(z[c]).toBe(-Infinity);
    const q = softmax(z);
    expect(q[c]).toBe(0);
    const { mix } = estimateClassMix([q, q], dp);
    expect(mix[c]).toBe(0);
    expect(dp.present.reduce((s, i) => s + mix[i], 0)).toBeCloseTo(1, 12);
  });

  it('one EM step from the source prior is the mean posterior, pulled by α pseudo-faces (hand-computed)', () => {
    // Two faces, 8 classes; source uniform so the first re-weighting is the identity.
    const q1 = Float64Array.from([0.7, 0.1, 0.1, 0.1, 0, 0, 0, 0]);
    const q2 = Float64Array.from([0.1, 0.5, 0.1, 0.1, 0.1, 0.1, 0, 0]);
    const noPull = estimateClassMix([q1, q2], prior(), { maxIterations: 1 });
    expect(noPull.mix[0]).toBeCloseTo(0.4, 12);
    expect(noPull.mix[1]).toBeCloseTo(0.3, 12);
    expect(noPull.mix[7]).toBeCloseTo(0, 12);
    // α = 2: (Σq + 2·(1/8)) / (2 + 2): neutral (0.8 + 0.25) / 4 = 0.2625, contempt 0.25 / 4 = 0.0625.
    const pulled = estimateClassMix([q1, q2], prior({ alpha: 2 }), { maxIterations: 1 });
    expect(pulled.mix[0]).toBeCloseTo(0.2625, 12);
    expect(pulled.mix[7]).toBeCloseTo(0.0625, 12);
    expect(pulled.converged).toBe(false);
  });

  it('re-weights a face by π̂ / π_source (hand-computed)', () => {
    const dp = prior({ sourcePrior: [0.5, 0.5 / 7, 0.5 / 7, 0.5 / 7, 0.5 / 7, 0.5 / 7, 0.5 / 7, 0.5 / 7] });
    const mix = Float64Array.from([0.1, 0.9 / 7, 0.9 / 7, 0.9 / 7, 0.9 / 7, 0.9 / 7, 0.9 / 7, 0.9 / 7]);
    const z = Float64Array.from([Math.log(0.6), Math.log(0.4), -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity]);
    // neutral: 0.6·(0.1/0.5) = 0.12; happy: 0.4·((0.9/7)/(0.5/7)) = 0.72 → 0.12/0.84, 0.72/0.84.
    const p = adaptedProbabilities(z, dp, mix);
    expect(p[0]).toBeCloseTo(0.12 / 0.84, 6); // float32, as every probability the app shows
    expect(p[1]).toBeCloseTo(0.72 / 0.84, 6);
  });

  it('a batch whose posteriors average to the source prior keeps it (EM fixed point)', () => {
    const dp = prior({ sourcePrior: [0.5, 0.5, 1e-9, 1e-9, 1e-9, 1e-9, 1e-9, 1e-9] });
    const a = Float64Array.from([0.8, 0.2, 0, 0, 0, 0, 0, 0]);
    const b = Float64Array.from([0.2, 0.8, 0, 0, 0, 0, 0, 0]);
    const { mix, converged } = estimateClassMix([a, b, a, b], dp);
    expect(converged).toBe(true);
    expect(mix[0]).toBeCloseTo(0.5, 6);
    expect(mix[1]).toBeCloseTo(0.5, 6);
  });

  it('recovers the class mix of simulated faces from their posteriors (Bayes-calibrated), for any target mix', () => {
    // Each face draws a class from the target mix, then a noisy "evidence" score per class; its
    // posterior under the source prior is exact Bayes, so EM's fixed point is the target mix.
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.02, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }), fc.integer({ min: 1, max: 1e6 }), (weights, seed) => {
        const sum = weights.reduce((s, w) => s + w, 0);
        const target = weights.map((w) => w / sum);
        const source = [0.37, 0.25, 0.13, 0.12, 0.09, 0.01, 0.02, 0.01];
        const dp = prior({ sourcePrior: source });
        const rand = mulberry32(seed);
        const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
        const sep = 2; // class-conditional means: sep on the true class, 0 elsewhere; unit variance
        const faces: Float32Array[] = [];
        for (let n = 0; n < 4000; n++) {
          let u = rand();
          let y = 0;
          while (y < 7 && (u -= target[y]) > 0) y++;
          const x = EXPRESSIONS.map((_, k) => (k === y ? sep : 0) + gauss());
          // log p(x | k) = sep·x_k − sep²/2 + const; posterior ∝ source_k · p(x | k)
          faces.push(softmax(x.map((xk, k) => sep * xk + Math.log(dp.sourcePrior[k]))));
        }
        const { mix } = estimateClassMix(faces, dp);
        for (let k = 0; k < 8; k++) expect(Math.abs(mix[k] - target[k])).toBeLessThan(0.04);
      }),
      { numRuns: 8, seed: 7 },
    );
  });
});

describe('the manifest', () => {
  const shipped = JSON.parse(readFileSync(new URL('../../public/models/manifest.json', import.meta.url), 'utf8'));
  const fer = () => shipped.models.find((m: { id: string }) => m.id === 'fer2d');

  it('the default pack declares the adaptation for fer2d and batch runs start with it', () => {
    const parsed = parseManifest(JSON.stringify(shipped));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const { prior: dp } = datasetPriorOf(parsed.manifest);
    expect(dp?.modelId).toBe('fer2d');
    expect(dp!.present).toHaveLength(8);
    expect(dp!.present.reduce((s, i) => s + dp!.sourcePrior[i], 0)).toBeCloseTo(1, 9);
    // fer2d's classOrder puts surprise third: its bias lands on AffectNet's surprise.
    const order: string[] = fer().outputs.logits.classOrder;
    expect(dp!.bias[EXPRESSIONS.indexOf('surprise')]).toBe(fer().calibration.datasetPrior.bias[order.indexOf('surprise')]);
    expect(defaultBatchPriorMode(parsed.manifest)).toBe('dataset');
  });

  it('field-named errors for a malformed declaration', () => {
    const bad = structuredClone(shipped);
    const dp = bad.models.find((m: { id: string }) => m.id === 'fer2d').calibration.datasetPrior;
    dp.bias = dp.bias.slice(0, 7);
    dp.temperature = -1;
    const parsed = parseManifest(JSON.stringify(bad));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.join('\n')).toMatch(/models\[\d\]\.calibration\.datasetPrior\.temperature/);
    const fixedT = structuredClone(bad);
    fixedT.models.find((m: { id: string }) => m.id === 'fer2d').calibration.datasetPrior.temperature = 2;
    const p2 = parseManifest(JSON.stringify(fixedT));
    expect(p2.ok).toBe(false);
    if (!p2.ok) expect(p2.errors).toContainEqual(expect.stringMatching(/models\[\d\]\.calibration\.datasetPrior\.bias: 7 values, but the model has 8 classes/));
  });

  it('off when the pack turns it off, not offered when the 2D side mixes two models', () => {
    const off = structuredClone(shipped);
    off.models.find((m: { id: string }) => m.id === 'fer2d').calibration.datasetPrior.enabled = false;
    const p = parseManifest(JSON.stringify(off));
    expect(p.ok && defaultBatchPriorMode(p.manifest)).toBe('off'); // the fixed correction is off for datasets too
    const two = structuredClone(shipped);
    const f = two.models.find((m: { id: string }) => m.id === 'fer2d');
    two.models.push({ ...structuredClone(f), id: 'second', calibration: undefined });
    two.fusion.weights2d = { fer2d: 0.5, second: 0.5 };
    const p2 = parseManifest(JSON.stringify(two));
    expect(p2.ok).toBe(true);
    if (!p2.ok) return;
    expect(datasetPriorOf(p2.manifest).unavailable).toMatch(/mixes 2 models/);
    expect(defaultBatchPriorMode(p2.manifest)).toBe('off');
  });
});
