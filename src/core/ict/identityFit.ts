/**
 * Fits the ICT head's identity to a face's landmarks, accumulated over frames.
 *
 * Per frame, with the face's expression weights w (from its blendshapes) and the current identity a:
 *   1. similarity (s, R, t) from the model's 68 landmarks  m(a, w) = n + E·w + J·a  onto the observed
 *      68 points (weighted Procrustes; the jaw contour counts less: Multi-PIE's jaw is a 2D silhouette);
 *   2. the observation brought into the ICT frame: y = Rᵀ(p − t)/s;
 *   3. running normal equations with forgetting factor f:  A ← f·A + JᵀWJ,  b ← f·b + JᵀW(y − n − E·w),
 *      c ← f·c + 1;  a = (A/c + λ·I)⁻¹ b/c  (ridge toward the mean head: coefficients are in PCA
 *      standard deviations, so λ weighs the prior against the average frame).
 * J is used with its similarity part projected out (the 7 directions a tiny scale, rotation or
 * translation of the landmarks would produce): otherwise the identity and the per-frame similarity
 * could trade e.g. head size back and forth, and the alternation would crawl along that valley.
 * Pose and expression are re-estimated every frame; only a persists, so it settles instead of
 * following each frame's landmark noise. Observed points may be in any metric-ish frame (the
 * similarity absorbs scale): the residual is reported in the ICT model's millimetres.
 */
import { fitSimilarity, type Similarity } from '../mesh/canonicalFrame';
import type { IctHead } from './ictAsset';

export interface IdentityFitOptions {
  /** Identity components to fit (≤ the asset's). */
  components?: number;
  /** Forgetting factor per frame (0..1): 0.9 ≈ the last 10 frames count. */
  forgetting?: number;
  /** Ridge weight (per unit of accumulated frame weight). */
  lambda?: number;
  /** The head's basis computed beforehand (identityFitBasis); ignored unless it covers `components`. */
  basis?: IdentityFitBasis;
}

export interface FitStep {
  similarity: Similarity;
  /** Mean distance between the observed and the fitted landmarks, mm of the ICT model, after this step. */
  meanErrorMm: number;
  frames: number;
}

const JAW_WEIGHT = 0.3;

/**
 * What the fitter derives from the head once (≈ 15 ms on its first, unoptimised run): the identity
 * basis and the expression deltas at the 68 landmarks, and the basis with its similarity part
 * projected out. Plain typed arrays, so the ICT head's loader worker can compute it off the page's
 * main thread and transfer it (worker/ictHead.worker.ts).
 */
export interface IdentityFitBasis {
  /** Identity components it covers (K). */
  components: number;
  /** [204, K] identity basis at the landmarks (cm per unit coefficient), row-major. */
  J: Float64Array;
  /** J without its similarity part (what the normal equations use). */
  Jp: Float64Array;
  /** [204] neutral at the landmarks. */
  n0: Float64Array;
  /** [expressions, 204] expression deltas at the landmarks. */
  E: Float64Array;
}

/** Per-landmark weights: the jaw contour (Multi-PIE points 0–16) counts less. */
function landmarkWeights(): Float64Array {
  return Float64Array.from({ length: 68 }, (_, i) => (i <= 16 ? JAW_WEIGHT : 1));
}

export function identityFitBasis(head: IctHead, components = head.identityCount): IdentityFitBasis {
  const K = Math.min(components, head.identityCount);
  const L = head.landmarks68;
  const n = head.neutral.length;
  const J = new Float64Array(204 * K);
  const n0 = new Float64Array(204);
  L.forEach((v, i) => {
    for (let d = 0; d < 3; d++) {
      n0[3 * i + d] = head.neutral[3 * v + d];
      for (let k = 0; k < K; k++) J[(3 * i + d) * K + k] = head.identityQ[k * n + 3 * v + d] * head.identityScales[k];
    }
  });
  const E = new Float64Array(head.expressions.length * 204);
  const slot = new Map(L.map((v, i) => [v, i] as const));
  head.expressions.forEach((e, j) => {
    e.vertices.forEach((v, k) => {
      const i = slot.get(v);
      if (i === undefined) return;
      for (let d = 0; d < 3; d++) E[j * 204 + 3 * i + d] = e.deltas[3 * k + d];
    });
  });
  return { components: K, J, Jp: projectOutSimilarity(J, n0, landmarkWeights(), K), n0, E };
}

export class IdentityFitter {
  readonly components: number;
  readonly coefficients: Float64Array;
  private readonly forgetting: number;
  private readonly lambda: number;
  /** [204, K] identity basis at the landmarks (cm per unit coefficient), row-major. */
  private readonly J: Float64Array;
  /** J without its similarity part (what the normal equations use). */
  private readonly Jp: Float64Array;
  /** [204] neutral at the landmarks; [53, 204] expression deltas at the landmarks. */
  private readonly n0: Float64Array;
  private readonly E: Float64Array;
  private readonly w: Float64Array;
  private readonly A: Float64Array;
  private readonly b: Float64Array;
  private c = 0;
  private count = 0;

  constructor(private readonly head: IctHead, options: IdentityFitOptions = {}) {
    const K = (this.components = Math.min(options.components ?? head.identityCount, head.identityCount));
    this.forgetting = options.forgetting ?? 0.9;
    this.lambda = options.lambda ?? 0.02;
    // A basis prepared elsewhere (the ICT head's loader worker) is used when it is this head's, for K components.
    const given = options.basis;
    const basis = given && given.components === K && given.E.length === head.expressions.length * 204 ? given : identityFitBasis(head, K);
    ({ J: this.J, Jp: this.Jp, n0: this.n0, E: this.E } = basis);
    this.w = landmarkWeights();
    this.coefficients = new Float64Array(K);
    this.A = new Float64Array(K * K);
    this.b = new Float64Array(K);
  }

  reset(): void {
    this.coefficients.fill(0);
    this.A.fill(0);
    this.b.fill(0);
    this.c = 0;
    this.count = 0;
  }

  /** The model's 68 landmarks (cm, ICT frame) for expression weights and the current identity. */
  landmarks(expression: ArrayLike<number>, coefficients: ArrayLike<number> = this.coefficients): Float64Array {
    const K = this.components;
    const m = Float64Array.from(this.n0);
    for (let j = 0; j < expression.length && j < this.head.expressions.length; j++) {
      const wj = expression[j];
      if (wj) for (let r = 0; r < 204; r++) m[r] += wj * this.E[j * 204 + r];
    }
    for (let r = 0; r < 204; r++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += this.J[r * K + k] * coefficients[k];
      m[r] += s;
    }
    return m;
  }

  /**
   * Mean landmark error (mm of the ICT model) of the current identity on a face, after the best
   * similarity, without updating anything: for held-out frames.
   */
  measure(observed: ArrayLike<number>, expression: ArrayLike<number>, coefficients: ArrayLike<number> = this.coefficients): number {
    const model = this.landmarks(expression, coefficients);
    const similarity = fitSimilarity(model, observed, Array.from({ length: 68 }, (_, i) => i), Array.from(this.w));
    const y = inverseSimilarity(observed, similarity);
    let err = 0;
    for (let i = 0; i < 68; i++) err += Math.hypot(y[3 * i] - model[3 * i], y[3 * i + 1] - model[3 * i + 1], y[3 * i + 2] - model[3 * i + 2]);
    return (err / 68) * 10;
  }

  /**
   * One frame: `observed` = the face's 68 points (flat xyz, any similarity frame, y up and z toward the
   * viewer like the model), `expression` = ICT expression weights (asset order).
   */
  update(observed: ArrayLike<number>, expression: ArrayLike<number>): FitStep {
    const K = this.components;
    const idx = Array.from({ length: 68 }, (_, i) => i);
    const weights = Array.from(this.w);
    const model = this.landmarks(expression);
    const similarity = fitSimilarity(model, observed, idx, weights);
    const y = inverseSimilarity(observed, similarity);
    // r = y − (n + E·w): what identity has to explain.
    const r = new Float64Array(204);
    const noId = this.landmarks(expression, new Float64Array(K));
    for (let i = 0; i < 204; i++) r[i] = y[i] - noId[i];
    const f = this.forgetting;
    for (let i = 0; i < this.A.length; i++) this.A[i] *= f;
    for (let k = 0; k < K; k++) this.b[k] *= f;
    this.c = f * this.c + 1;
    for (let row = 0; row < 204; row++) {
      const wr = this.w[Math.floor(row / 3)];
      const o = row * K;
      for (let p = 0; p < K; p++) {
        const jp = wr * this.Jp[o + p];
        if (jp === 0) continue;
        this.b[p] += jp * r[row];
        for (let q = p; q < K; q++) this.A[p * K + q] += jp * this.Jp[o + q];
      }
    }
    const M = new Float64Array(K * K);
    for (let p = 0; p < K; p++) {
      for (let q = p; q < K; q++) M[p * K + q] = M[q * K + p] = this.A[p * K + q] / this.c;
      M[p * K + p] += this.lambda;
    }
    const rhs = Float64Array.from(this.b, (v) => v / this.c);
    this.coefficients.set(choleskySolve(M, rhs, K));
    this.count++;
    const fitted = this.landmarks(expression);
    let err = 0;
    for (let i = 0; i < 68; i++) err += Math.hypot(y[3 * i] - fitted[3 * i], y[3 * i + 1] - fitted[3 * i + 1], y[3 * i + 2] - fitted[3 * i + 2]);
    return { similarity, meanErrorMm: (err / 68) * 10, frames: this.count };
  }
}

/**
 * J − T·(TᵀWT)⁻¹·TᵀW·J, with T the 7 landmark motions of an infinitesimal similarity at the neutral
 * landmarks n0 (3 translations, 3 rotations ω × x, 1 scale x − mean) and W the per-point weights.
 */
function projectOutSimilarity(J: Float64Array, n0: Float64Array, w: Float64Array, K: number): Float64Array {
  const T = new Float64Array(204 * 7);
  const mean = [0, 0, 0];
  for (let i = 0; i < 68; i++) for (let d = 0; d < 3; d++) mean[d] += n0[3 * i + d] / 68;
  for (let i = 0; i < 68; i++) {
    const x = n0[3 * i] - mean[0], y = n0[3 * i + 1] - mean[1], z = n0[3 * i + 2] - mean[2];
    const rows = [
      [1, 0, 0, 0, z, -y, x],
      [0, 1, 0, -z, 0, x, y],
      [0, 0, 1, y, -x, 0, z],
    ];
    for (let d = 0; d < 3; d++) for (let c = 0; c < 7; c++) T[(3 * i + d) * 7 + c] = rows[d][c];
  }
  const G = new Float64Array(49);
  for (let row = 0; row < 204; row++) {
    const wr = w[Math.floor(row / 3)];
    for (let a = 0; a < 7; a++) for (let b = 0; b < 7; b++) G[a * 7 + b] += wr * T[row * 7 + a] * T[row * 7 + b];
  }
  const out = Float64Array.from(J);
  for (let k = 0; k < K; k++) {
    const tw = new Float64Array(7);
    for (let row = 0; row < 204; row++) {
      const wr = w[Math.floor(row / 3)];
      for (let a = 0; a < 7; a++) tw[a] += T[row * 7 + a] * wr * J[row * K + k];
    }
    const coef = choleskySolve(G, tw, 7);
    for (let row = 0; row < 204; row++) {
      let s = 0;
      for (let a = 0; a < 7; a++) s += T[row * 7 + a] * coef[a];
      out[row * K + k] -= s;
    }
  }
  return out;
}

function inverseSimilarity(points: ArrayLike<number>, sim: Similarity): Float64Array {
  const { rotation: R, translation: t, scale } = sim;
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length; i += 3) {
    const d0 = points[i] - t[0], d1 = points[i + 1] - t[1], d2 = points[i + 2] - t[2];
    out[i] = (R[0] * d0 + R[3] * d1 + R[6] * d2) / scale;
    out[i + 1] = (R[1] * d0 + R[4] * d1 + R[7] * d2) / scale;
    out[i + 2] = (R[2] * d0 + R[5] * d1 + R[8] * d2) / scale;
  }
  return out;
}

/** Solve M x = b for symmetric positive-definite M (K×K, row-major). */
export function choleskySolve(M: Float64Array, b: Float64Array, K: number): Float64Array {
  const Lm = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j <= i; j++) {
      let s = M[i * K + j];
      for (let k = 0; k < j; k++) s -= Lm[i * K + k] * Lm[j * K + k];
      if (i === j) {
        if (s <= 0) throw new Error('identity fit: normal equations are not positive definite');
        Lm[i * K + i] = Math.sqrt(s);
      } else Lm[i * K + j] = s / Lm[j * K + j];
    }
  }
  const z = new Float64Array(K);
  for (let i = 0; i < K; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= Lm[i * K + k] * z[k];
    z[i] = s / Lm[i * K + i];
  }
  const x = new Float64Array(K);
  for (let i = K - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < K; k++) s -= Lm[k * K + i] * x[k];
    x[i] = s / Lm[i * K + i];
  }
  return x;
}
