import { describe, expect, it } from 'vitest';
import { createFlameDecoder, rodrigues } from '../../src/core/flame/flameDecoder';
import { parseFlameAsset } from '../../src/core/flame/flameAsset';
import { flameParamsFromRegressor } from '../../src/core/flame/regressorParams';
import { projectToCrop } from '../../src/core/flame/projection';
import type { FlameParams } from '../../src/core/flame/types';
import { ensureFullFixture, loadFixture, REDUCED_DIR, type Fixture, type FixtureCase } from './fixture';

const TOL = 1e-5;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function toParams(c: FixtureCase): FlameParams {
  const p = c.params;
  return {
    shape: p.shape,
    exp: p.exp,
    globalPose: p.globalPose,
    neck: p.neck,
    jaw: p.jaw,
    eyes: p.eyes,
    eyelid: p.eyelid,
  };
}

function parityCheck(fx: Fixture, backend: 'wasm' | 'js'): number {
  const asset = parseFlameAsset(fx.bin);
  const post = createFlameDecoder(asset, { eyelidMode: 'post-skinning', backend });
  const pre = createFlameDecoder(asset, { eyelidMode: 'pre-skinning', backend });
  expect(post.backend).toBe(backend);
  let worst = 0;
  // twice: the second round runs through the identity cache
  for (let round = 0; round < 2; round++) {
    for (const c of fx.cases) {
      const dec = c.eyelidMode === 'pre' ? pre : post;
      const out = dec.decode(toParams(c));
      const ev = maxAbsDiff(out.vertices, c.vertices);
      const ej = maxAbsDiff(out.joints, c.joints);
      expect(ev, `${backend} ${c.name}: vertices`).toBeLessThanOrEqual(TOL);
      expect(ej, `${backend} ${c.name}: joints`).toBeLessThanOrEqual(TOL);
      worst = Math.max(worst, ev, ej);
    }
  }
  return worst;
}

describe('rodrigues', () => {
  it('is the identity at zero and a proper rotation elsewhere', () => {
    const R = new Float64Array(9);
    rodrigues(0, 0, 0, R);
    expect(Array.from(R)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    rodrigues(0, Math.PI / 2, 0, R);
    // 90° about y maps x to -z
    expect(R[6]).toBeCloseTo(-1, 6);
    expect(R[2]).toBeCloseTo(1, 6);
    rodrigues(0.3, -1.2, 2.5, R);
    const det =
      R[0] * (R[4] * R[8] - R[5] * R[7]) - R[1] * (R[3] * R[8] - R[5] * R[6]) + R[2] * (R[3] * R[7] - R[4] * R[6]);
    // FLAME normalises the axis by |r + 1e-8|, so R is orthonormal only to ~1e-8 (as upstream)
    expect(Math.abs(det - 1)).toBeLessThan(1e-6);
  });
});

describe('FLAME decoder parity with the numpy reference', () => {
  const full = ensureFullFixture();
  for (const backend of ['wasm', 'js'] as const) {
    it(`reduced committed fixture (77 vertices) within 1e-5 [${backend}]`, () => {
      const worst = parityCheck(loadFixture(REDUCED_DIR), backend);
      console.info(`[flame] reduced fixture, ${backend}: max abs error ${worst.toExponential(2)}`);
    });

    it.skipIf(!full.fixture)(`full FLAME 2020 shapes (5023 vertices, 300+100 components) within 1e-5 [${backend}] ${full.reason}`, () => {
      const fx = full.fixture as Fixture;
      expect(fx.counts).toMatchObject({ vertices: 5023, faces: 9976, shape: 300, expression: 100 });
      const worst = parityCheck(fx, backend);
      console.info(`[flame] full fixture, ${backend}: max abs error ${worst.toExponential(2)}`);
    });
  }

  it.skipIf(!full.fixture)('decodes a face in a few milliseconds (full size, SMIRK-sized params)', () => {
    const fx = full.fixture as Fixture;
    const dec = createFlameDecoder(parseFlameAsset(fx.bin));
    expect(dec.backend).toBe('wasm');
    const base = toParams(fx.cases.find((c) => c.name === 'smirk-like') as FixtureCase);
    const shapes = Array.from({ length: 4 }, (_, k) => Float32Array.from(base.shape as number[], (x) => x + k * 0.01));
    const exps = Array.from({ length: 4 }, (_, k) => Float32Array.from(base.exp as number[], (x) => x - k * 0.01));
    // min over repetitions: shared CI machines are noisy; scripts/flame/bench-decoder.ts gives more detail
    const time = (n: number, vary: boolean) => {
      let best = Infinity;
      for (let r = 0; r < 5; r++) {
        const t0 = performance.now();
        for (let i = 0; i < n; i++) dec.decode({ ...base, shape: vary ? shapes[i % 4] : shapes[0], exp: exps[i % 4] });
        best = Math.min(best, (performance.now() - t0) / n);
      }
      return best;
    };
    time(10, true); // warm-up (JIT)
    const fresh = time(10, true);
    const cached = time(10, false);
    console.info(
      `[flame] decode (${dec.backend}), 5023 vertices, 300 shape + 50 exp + jaw + eyelids: ${fresh.toFixed(2)} ms/face; ` +
        `same identity as last call: ${cached.toFixed(2)} ms/face`,
    );
    // generous bound for shared CI machines; the measured figure is printed above
    expect(fresh).toBeLessThan(50);
  });
});

describe('FLAME decoder behaviour', () => {
  const fx = loadFixture(REDUCED_DIR);
  const asset = parseFlameAsset(fx.bin);

  it('rest pose reproduces the template', () => {
    const out = createFlameDecoder(asset).decode({});
    expect(maxAbsDiff(out.vertices, asset.vTemplate)).toBeLessThan(1e-7);
  });

  it('reuses its output buffers and does not let the identity cache go stale', () => {
    const dec = createFlameDecoder(asset);
    const c = fx.cases.find((x) => x.name === 'full') as FixtureCase;
    const a = dec.decode(toParams(c));
    const first = Float32Array.from(a.vertices);
    const b = dec.decode({ ...toParams(c), shape: c.params.shape.map((x) => x * 0.5) });
    expect(b.vertices).toBe(a.vertices);
    expect(maxAbsDiff(b.vertices, first)).toBeGreaterThan(1e-6);
    const again = dec.decode(toParams(c));
    expect(maxAbsDiff(again.vertices, c.vertices)).toBeLessThanOrEqual(TOL);
  });

  it('rejects parameter vectors the asset cannot hold, or that are not finite', () => {
    const dec = createFlameDecoder(asset);
    expect(() => dec.decode({ shape: new Float32Array(asset.counts.shape + 1) })).toThrow(/shape: 21 values, the asset has 20/);
    expect(() => dec.decode({ exp: [NaN] })).toThrow(/exp\[0\] is not finite/);
    expect(() => dec.decode({ jaw: [0, 0] })).toThrow(/jaw: expected 3 values/);
    expect(() => dec.decode({ eyes: [0, 0, 0] })).toThrow(/eyes: expected 6 values/);
  });

  it('maps EMOCA and SMIRK outputs to FLAME parameters', () => {
    const emoca = flameParamsFromRegressor('emoca-v2', {
      shape: new Float32Array(100),
      exp: new Float32Array(50),
      pose: Float32Array.from([1, 2, 3, 4, 5, 6]),
      cam: new Float32Array(3),
    });
    expect(emoca.globalPose).toEqual([1, 2, 3]);
    expect(emoca.jaw).toEqual([4, 5, 6]);
    expect(emoca.eyelid).toBeUndefined();
    const smirk = flameParamsFromRegressor('smirk', {
      shape: new Float32Array(300),
      exp: new Float32Array(50),
      pose: Float32Array.from([1, 2, 3]),
      jaw: Float32Array.from([4, 5, 6]),
      eyelid: Float32Array.from([0.5, 1]),
    });
    expect(Array.from(smirk.globalPose as Float32Array)).toEqual([1, 2, 3]);
    expect(Array.from(smirk.eyelid as Float32Array)).toEqual([0.5, 1]);
    expect(() => flameParamsFromRegressor('smirk', { shape: new Float32Array(100) })).toThrow(/"shape" has 100 values, expected 300/);
  });

  it('projects with the DECA/SMIRK weak-perspective camera into crop pixels', () => {
    // a point at the origin with zero translation lands in the centre; +y goes up the image
    const uv = projectToCrop([0, 0, 0, 0.1, 0.1, 0.5], [8, 0, 0.0], 224, 224);
    expect(Array.from(uv)).toEqual([112, 112, 112 * 1.8, 112 * 0.2].map((x) => Math.fround(x)));
  });
});
