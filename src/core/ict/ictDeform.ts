/**
 * The ICT head's vertices for identity coefficients and expression weights:
 *   v = neutral + Σₖ aₖ·Iₖ + Σⱼ wⱼ·Eⱼ        (cm, ICT frame)
 * The identity part changes only when the fit moves (dense, 40 × 80 K multiply-adds), so it is cached
 * in `base`; the expression part is a sparse blend over the shapes that are on (each touches a few
 * thousand vertices), which is what runs every frame.
 */
import type { IctHead } from './ictAsset';

export class IctDeformer {
  readonly base: Float32Array;
  private readonly identity: Float64Array;

  constructor(private readonly head: IctHead) {
    this.base = Float32Array.from(head.neutral);
    this.identity = new Float64Array(head.identityCount);
  }

  get identityCoefficients(): Float64Array {
    return this.identity;
  }

  /** Set identity coefficients (extra ones beyond the asset's components are ignored). */
  setIdentity(coefficients: ArrayLike<number>): void {
    const { neutral, identityQ, identityScales, identityCount } = this.head;
    const n = neutral.length;
    this.base.set(neutral);
    for (let k = 0; k < identityCount; k++) {
      const a = k < coefficients.length ? coefficients[k] : 0;
      this.identity[k] = a;
      if (a === 0) continue;
      const s = a * identityScales[k];
      const off = k * n;
      for (let i = 0; i < n; i++) this.base[i] += s * identityQ[off + i];
    }
  }

  /** out = base + Σ wⱼ·Eⱼ for one weight per ICT expression shape (asset order). */
  apply(weights: ArrayLike<number>, into?: Float32Array): Float32Array {
    const out = into ?? new Float32Array(this.base.length);
    out.set(this.base);
    const shapes = this.head.expressions;
    for (let j = 0; j < shapes.length; j++) {
      const w = weights[j] ?? 0;
      // MediaPipe reports tiny non-zero scores for most shapes; below 0.005 a shape moves < 0.2 mm.
      if (Math.abs(w) < 5e-3) continue;
      const { vertices, deltas } = shapes[j];
      for (let k = 0; k < vertices.length; k++) {
        const o = 3 * vertices[k];
        out[o] += w * deltas[3 * k];
        out[o + 1] += w * deltas[3 * k + 1];
        out[o + 2] += w * deltas[3 * k + 2];
      }
    }
    return out;
  }
}
