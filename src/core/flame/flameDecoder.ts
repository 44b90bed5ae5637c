/**
 * FLAME forward pass (shape/expression blendshapes → joint regression → Rodrigues → pose
 * correctives → linear blend skinning over [global, neck, jaw, left eye, right eye] → SMIRK
 * eyelids), matching the FLAME layer of FLAME_PyTorch / DECA / EMOCA / SMIRK (`lbs()`).
 * Reference: training/export/flame_numpy.py; parity test: tests/flame/flameDecoder.test.ts.
 *
 * Runs per frame in a worker, so every buffer is allocated once in createFlameDecoder();
 * decode() allocates nothing. Arithmetic is float64 (JS numbers) over the float32 asset.
 * If the identity (shape) vector repeats between calls, its blend is reused.
 */
import {
  FLAME_NUM_JOINTS,
  FLAME_NUM_POSE_FEATURES,
  type EyelidMode,
  type FlameAsset,
  type FlameDecoderOptions,
  type FlameOutput,
  type FlameParams,
} from './types';

/**
 * Axis-angle → rotation matrix (row-major 3×3 into out[o..o+8]), exactly as FLAME's
 * batch_rodrigues: angle = |r + 1e-8|, axis = r / angle, R = I + sin·K + (1 − cos)·K².
 */
export function rodrigues(rx: number, ry: number, rz: number, out: Float64Array, o = 0): void {
  const ex = rx + 1e-8;
  const ey = ry + 1e-8;
  const ez = rz + 1e-8;
  const angle = Math.sqrt(ex * ex + ey * ey + ez * ez);
  const x = rx / angle;
  const y = ry / angle;
  const z = rz / angle;
  const s = Math.sin(angle);
  const c1 = 1 - Math.cos(angle);
  // K = [[0,-z,y],[z,0,-x],[-y,x,0]];  K² = a aᵀ − |a|² I  (with a = (x,y,z))
  const n2 = x * x + y * y + z * z;
  out[o + 0] = 1 + c1 * (x * x - n2);
  out[o + 1] = -s * z + c1 * x * y;
  out[o + 2] = s * y + c1 * x * z;
  out[o + 3] = s * z + c1 * x * y;
  out[o + 4] = 1 + c1 * (y * y - n2);
  out[o + 5] = -s * x + c1 * y * z;
  out[o + 6] = -s * y + c1 * x * z;
  out[o + 7] = s * x + c1 * y * z;
  out[o + 8] = 1 + c1 * (z * z - n2);
}

/** acc[i] += Σ_l coef[l] · basis[l·n + i] for l < count; zero coefficients cost nothing. */
function blendInto(acc: Float64Array, basis: Float32Array, coef: ArrayLike<number>, count: number, n: number): void {
  // gather the non-zero coefficients, then add them four at a time (one pass over acc per 4 components)
  let l = 0;
  while (l < count) {
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    let b0 = 0, b1 = 0, b2 = 0, b3 = 0;
    let k = 0;
    for (; l < count && k < 4; l++) {
      const c = +coef[l];
      if (c === 0) continue;
      if (k === 0) { c0 = c; b0 = l * n; }
      else if (k === 1) { c1 = c; b1 = l * n; }
      else if (k === 2) { c2 = c; b2 = l * n; }
      else { c3 = c; b3 = l * n; }
      k++;
    }
    if (k === 4) {
      for (let i = 0; i < n; i++) {
        acc[i] += c0 * basis[b0 + i] + c1 * basis[b1 + i] + c2 * basis[b2 + i] + c3 * basis[b3 + i];
      }
    } else if (k === 3) {
      for (let i = 0; i < n; i++) acc[i] += c0 * basis[b0 + i] + c1 * basis[b1 + i] + c2 * basis[b2 + i];
    } else if (k === 2) {
      for (let i = 0; i < n; i++) acc[i] += c0 * basis[b0 + i] + c1 * basis[b1 + i];
    } else if (k === 1) {
      for (let i = 0; i < n; i++) acc[i] += c0 * basis[b0 + i];
    }
  }
}

function checkLength(name: string, v: ArrayLike<number> | undefined, max: number, exact?: number): number {
  if (v === undefined) return 0;
  if (exact !== undefined && v.length !== exact) throw new RangeError(`FLAME ${name}: expected ${exact} values, got ${v.length}`);
  if (v.length > max) throw new RangeError(`FLAME ${name}: ${v.length} values, the asset has ${max}`);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) throw new RangeError(`FLAME ${name}[${i}] is not finite`);
  }
  return v.length;
}

export interface FlameDecoder {
  readonly asset: FlameAsset;
  readonly eyelidMode: EyelidMode;
  /** Whether the asset has SMIRK eyelid blendshapes (eyelid params are ignored without them). */
  readonly hasEyelids: boolean;
  /** Decode one face. The returned arrays are reused by the next call. */
  decode(params: FlameParams): FlameOutput;
}

export function createFlameDecoder(asset: FlameAsset, options: FlameDecoderOptions = {}): FlameDecoder {
  const eyelidMode: EyelidMode = options.eyelidMode ?? 'post-skinning';
  const { vertices: V, shape: S, expression: E } = asset.counts;
  const N = V * 3;
  const J = FLAME_NUM_JOINTS;
  const tmpl = asset.vTemplate;
  const parents = Array.from(asset.parents);
  const weights = asset.lbsWeights;
  const lids = asset.eyelidBasis;

  // sparse joint regressor: FLAME's is mostly zeros
  const jIdx: Int32Array[] = [];
  const jW: Float64Array[] = [];
  for (let j = 0; j < J; j++) {
    const idx: number[] = [];
    const w: number[] = [];
    for (let v = 0; v < V; v++) {
      const x = asset.jRegressor[j * V + v];
      if (x !== 0) {
        idx.push(v);
        w.push(x);
      }
    }
    jIdx.push(Int32Array.from(idx));
    jW.push(Float64Array.from(w));
  }

  // buffers, allocated once
  const shapeCache = new Float64Array(S);
  let shapeCacheLen = -1;
  const vIdentity = new Float64Array(N); // template (+ pre-skinning eyelids) + shape
  const vShaped = new Float64Array(N);
  const rot = new Float64Array(J * 9);
  const poseFeat = new Float64Array(FLAME_NUM_POSE_FEATURES);
  const joints = new Float64Array(J * 3);
  const G = new Float64Array(J * 12); // global rigid transforms, row-major 3×4
  const A = new Float64Array(J * 12); // skinning transforms (rest joint removed)
  const outV = new Float32Array(N);
  const outJ = new Float32Array(J * 3);
  const output: FlameOutput = { vertices: outV, joints: outJ };
  const zero3 = [0, 0, 0];
  const eyelidPre = new Float64Array(2);
  const eyelidPreKey = new Float64Array([NaN, NaN]);

  function identity(shape: ArrayLike<number> | undefined, nShape: number, lidL: number, lidR: number): void {
    let same = nShape === shapeCacheLen && lidL === eyelidPreKey[0] && lidR === eyelidPreKey[1];
    for (let i = 0; same && i < nShape; i++) if (shapeCache[i] !== +(shape as ArrayLike<number>)[i]) same = false;
    if (same) return;
    for (let i = 0; i < N; i++) vIdentity[i] = tmpl[i];
    if (lids && (lidL !== 0 || lidR !== 0)) {
      eyelidPre[0] = lidL;
      eyelidPre[1] = lidR;
      blendInto(vIdentity, lids, eyelidPre, 2, N);
    }
    if (shape && nShape) blendInto(vIdentity, asset.shapeBasis, shape, nShape, N);
    for (let i = 0; i < nShape; i++) shapeCache[i] = +(shape as ArrayLike<number>)[i];
    shapeCacheLen = nShape;
    eyelidPreKey[0] = lidL;
    eyelidPreKey[1] = lidR;
  }

  function decode(params: FlameParams): FlameOutput {
    const nShape = checkLength('shape', params.shape, S);
    const nExp = checkLength('exp', params.exp, E);
    checkLength('globalPose', params.globalPose, 3, params.globalPose ? 3 : undefined);
    checkLength('neck', params.neck, 3, params.neck ? 3 : undefined);
    checkLength('jaw', params.jaw, 3, params.jaw ? 3 : undefined);
    checkLength('eyes', params.eyes, 6, params.eyes ? 6 : undefined);
    checkLength('eyelid', params.eyelid, 2, params.eyelid ? 2 : undefined);
    const useLids = !!(lids && params.eyelid);
    const lidL = useLids ? +(params.eyelid as ArrayLike<number>)[0] : 0;
    const lidR = useLids ? +(params.eyelid as ArrayLike<number>)[1] : 0;

    // 1. blendshapes (identity part cached)
    const pre = useLids && eyelidMode === 'pre-skinning';
    identity(params.shape, nShape, pre ? lidL : 0, pre ? lidR : 0);
    vShaped.set(vIdentity);
    if (params.exp && nExp) blendInto(vShaped, asset.exprBasis, params.exp, nExp, N);

    // 2. joints from the shaped mesh
    for (let j = 0; j < J; j++) {
      let x = 0, y = 0, z = 0;
      const idx = jIdx[j];
      const w = jW[j];
      for (let k = 0; k < idx.length; k++) {
        const o = idx[k] * 3;
        const wk = w[k];
        x += wk * vShaped[o];
        y += wk * vShaped[o + 1];
        z += wk * vShaped[o + 2];
      }
      joints[j * 3] = x;
      joints[j * 3 + 1] = y;
      joints[j * 3 + 2] = z;
    }

    // 3. rotations
    const g = params.globalPose ?? zero3;
    const nk = params.neck ?? zero3;
    const jw = params.jaw ?? zero3;
    const ey = params.eyes;
    rodrigues(+g[0], +g[1], +g[2], rot, 0);
    rodrigues(+nk[0], +nk[1], +nk[2], rot, 9);
    rodrigues(+jw[0], +jw[1], +jw[2], rot, 18);
    rodrigues(ey ? +ey[0] : 0, ey ? +ey[1] : 0, ey ? +ey[2] : 0, rot, 27);
    rodrigues(ey ? +ey[3] : 0, ey ? +ey[4] : 0, ey ? +ey[5] : 0, rot, 36);

    // 4. pose correctives: features are (R_j − I) of joints 1..4, row-major
    for (let j = 1; j < J; j++) {
      for (let k = 0; k < 9; k++) {
        poseFeat[(j - 1) * 9 + k] = rot[j * 9 + k] - (k === 0 || k === 4 || k === 8 ? 1 : 0);
      }
    }
    blendInto(vShaped, asset.poseBasis, poseFeat, FLAME_NUM_POSE_FEATURES, N);

    // 5. rigid chain
    for (let j = 0; j < J; j++) {
      const r = j * 9;
      const p = parents[j];
      const tx = joints[j * 3] - (j === 0 ? 0 : joints[p * 3]);
      const ty = joints[j * 3 + 1] - (j === 0 ? 0 : joints[p * 3 + 1]);
      const tz = joints[j * 3 + 2] - (j === 0 ? 0 : joints[p * 3 + 2]);
      const o = j * 12;
      if (j === 0) {
        for (let a = 0; a < 3; a++) {
          G[o + a * 4] = rot[r + a * 3];
          G[o + a * 4 + 1] = rot[r + a * 3 + 1];
          G[o + a * 4 + 2] = rot[r + a * 3 + 2];
        }
        G[o + 3] = tx;
        G[o + 7] = ty;
        G[o + 11] = tz;
      } else {
        const q = p * 12;
        for (let a = 0; a < 3; a++) {
          const g0 = G[q + a * 4], g1 = G[q + a * 4 + 1], g2 = G[q + a * 4 + 2];
          G[o + a * 4] = g0 * rot[r] + g1 * rot[r + 3] + g2 * rot[r + 6];
          G[o + a * 4 + 1] = g0 * rot[r + 1] + g1 * rot[r + 4] + g2 * rot[r + 7];
          G[o + a * 4 + 2] = g0 * rot[r + 2] + g1 * rot[r + 5] + g2 * rot[r + 8];
          G[o + a * 4 + 3] = g0 * tx + g1 * ty + g2 * tz + G[q + a * 4 + 3];
        }
      }
      outJ[j * 3] = G[o + 3];
      outJ[j * 3 + 1] = G[o + 7];
      outJ[j * 3 + 2] = G[o + 11];
      const jx = joints[j * 3], jy = joints[j * 3 + 1], jz = joints[j * 3 + 2];
      for (let a = 0; a < 3; a++) {
        const b = o + a * 4;
        A[b] = G[b];
        A[b + 1] = G[b + 1];
        A[b + 2] = G[b + 2];
        A[b + 3] = G[b + 3] - (G[b] * jx + G[b + 1] * jy + G[b + 2] * jz);
      }
    }

    // 6. linear blend skinning
    for (let v = 0; v < V; v++) {
      let t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0, t8 = 0, t9 = 0, t10 = 0, t11 = 0;
      const wo = v * J;
      for (let j = 0; j < J; j++) {
        const w = weights[wo + j];
        if (w === 0) continue;
        const o = j * 12;
        t0 += w * A[o]; t1 += w * A[o + 1]; t2 += w * A[o + 2]; t3 += w * A[o + 3];
        t4 += w * A[o + 4]; t5 += w * A[o + 5]; t6 += w * A[o + 6]; t7 += w * A[o + 7];
        t8 += w * A[o + 8]; t9 += w * A[o + 9]; t10 += w * A[o + 10]; t11 += w * A[o + 11];
      }
      const i = v * 3;
      const x = vShaped[i], y = vShaped[i + 1], z = vShaped[i + 2];
      let ox = t0 * x + t1 * y + t2 * z + t3;
      let oy = t4 * x + t5 * y + t6 * z + t7;
      let oz = t8 * x + t9 * y + t10 * z + t11;
      // 7. SMIRK eyelids on the skinned vertices
      if (useLids && !pre) {
        const l = lids as Float32Array;
        ox += lidL * l[i] + lidR * l[N + i];
        oy += lidL * l[i + 1] + lidR * l[N + i + 1];
        oz += lidL * l[i + 2] + lidR * l[N + i + 2];
      }
      outV[i] = ox;
      outV[i + 1] = oy;
      outV[i + 2] = oz;
    }
    return output;
  }

  return { asset, eyelidMode, hasEyelids: !!lids, decode };
}
