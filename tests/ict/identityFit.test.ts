import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIctHead } from '../../src/core/ict/ictAsset';
import { IdentityFitter } from '../../src/core/ict/identityFit';
import { IctDeformer } from '../../src/core/ict/ictDeform';

const head = parseIctHead(new Uint8Array(readFileSync('public/models/ict_head.bin')));

/** Deterministic pseudo-random numbers (no flaky tests). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
function gauss(r: () => number) {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** A posed, scaled target: s·R·x + t of the head's 68 landmarks for given identity and expression. */
function target(a: Float64Array, expr: Float32Array, yaw: number, pitch: number, s: number, noiseCm: number, r: () => number) {
  const d = new IctDeformer(head);
  d.setIdentity(a);
  const v = d.apply(expr);
  const cy = Math.cos(yaw), sy = Math.sin(yaw), cp = Math.cos(pitch), sp = Math.sin(pitch);
  const out = new Float64Array(204);
  head.landmarks68.forEach((vi, i) => {
    const x = v[3 * vi], y = v[3 * vi + 1], z = v[3 * vi + 2];
    // R = Ry(yaw)·Rx(pitch)
    const y1 = cp * y - sp * z, z1 = sp * y + cp * z;
    const x2 = cy * x + sy * z1, z2 = -sy * x + cy * z1;
    out[3 * i] = s * (x2 + noiseCm * gauss(r)) + 320;
    out[3 * i + 1] = s * (y1 + noiseCm * gauss(r)) - 240;
    out[3 * i + 2] = s * (z2 + noiseCm * gauss(r));
  });
  return out;
}

describe('ICT identity fit', () => {
  it('recovers known identity coefficients from posed, scaled, noise-free landmarks', () => {
    const r = rng(7);
    const K = 10;
    const truth = Float64Array.from({ length: head.identityCount }, (_, k) => (k < K ? gauss(r) : 0));
    const fitter = new IdentityFitter(head, { components: K, forgetting: 0.9, lambda: 1e-6 });
    const expr = new Float32Array(head.expressions.length);
    let last = { meanErrorMm: Infinity };
    for (let f = 0; f < 30; f++) {
      expr[head.expressions.findIndex((e) => e.name === 'jawOpen')] = 0.3 * (f % 3);
      last = fitter.update(target(truth, expr, 0.3 * Math.sin(f), 0.1 * Math.cos(f), 12, 0, r), expr);
    }
    expect(last.meanErrorMm).toBeLessThan(0.01);
    // Coefficients of the head shape come back (what the landmarks can see of them).
    const err = Math.hypot(...Array.from(fitter.coefficients, (c, k) => c - truth[k]));
    const norm = Math.hypot(...truth.subarray(0, K));
    expect(err / norm).toBeLessThan(0.01);
  });

  it('settles under landmark noise instead of following every frame', () => {
    const r = rng(3);
    const K = 20;
    const truth = Float64Array.from({ length: head.identityCount }, (_, k) => (k < K ? gauss(r) : 0));
    const fitter = new IdentityFitter(head, { components: K });
    const expr = new Float32Array(head.expressions.length);
    const history: Float64Array[] = [];
    for (let f = 0; f < 60; f++) {
      fitter.update(target(truth, expr, 0.2 * Math.sin(f / 3), 0, 9, 0.15, r), expr);
      history.push(Float64Array.from(fitter.coefficients));
    }
    const step = (f: number) => Math.hypot(...Array.from(history[f], (c, k) => c - history[f - 1][k]));
    // Late steps are small compared with the early ones.
    expect(step(59)).toBeLessThan(0.25 * step(1));
    // The fitted head is closer to the truth than the mean head.
    const meanHead = Math.hypot(...truth.subarray(0, K));
    const fitted = Math.hypot(...Array.from(fitter.coefficients, (c, k) => c - truth[k]));
    expect(fitted).toBeLessThan(0.7 * meanHead);
  });
});
