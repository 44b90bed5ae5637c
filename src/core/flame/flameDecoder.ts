/**
 * FLAME forward pass (shape/expression blendshapes → joint regression → Rodrigues → pose
 * correctives → linear blend skinning over [global, neck, jaw, left eye, right eye] → SMIRK
 * eyelids), matching the FLAME layer of FLAME_PyTorch / DECA / EMOCA / SMIRK (`lbs()`).
 * Reference: training/export/flame_numpy.py; parity test: tests/flame/flameDecoder.test.ts.
 *
 * Runs per frame in a worker, so every buffer is allocated once in createFlameDecoder();
 * decode() allocates nothing. The blendshape sums (the bulk of the work) run in a small
 * WebAssembly SIMD kernel (float32, like upstream) when available, else in JS (float64);
 * joints, rotations and skinning are float64 JS. If the identity (shape) vector repeats
 * between calls, its blend is reused.
 */
import { blendKernel } from './wasmBlend';
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

/** The blendshape part of the pipeline; two implementations with the same contract. */
interface Blender {
  readonly kind: 'wasm' | 'js';
  /** After computeShaped()/addPose(): the shaped (then pose-corrected) rest vertices, [V,3] (+ padding). */
  readonly shaped: Float32Array | Float64Array;
  /** identity = template (+ eyelids when added before skinning) + shape blend. */
  computeIdentity(shape: ArrayLike<number> | undefined, nShape: number, lidL: number, lidR: number): void;
  /** shaped = identity + expression blend. */
  computeShaped(exp: ArrayLike<number> | undefined, nExp: number): void;
  /** shaped += pose correctives. */
  addPose(feat: Float64Array): void;
}

function jsBlender(asset: FlameAsset): Blender {
  const N = asset.counts.vertices * 3;
  const identity = new Float64Array(N);
  const shaped = new Float64Array(N);
  const lids = new Float64Array(2);
  return {
    kind: 'js',
    shaped,
    computeIdentity(shape, nShape, lidL, lidR) {
      const t = asset.vTemplate;
      for (let i = 0; i < N; i++) identity[i] = t[i];
      if (asset.eyelidBasis && (lidL !== 0 || lidR !== 0)) {
        lids[0] = lidL;
        lids[1] = lidR;
        blendInto(identity, asset.eyelidBasis, lids, 2, N);
      }
      if (shape && nShape) blendInto(identity, asset.shapeBasis, shape, nShape, N);
    },
    computeShaped(exp, nExp) {
      shaped.set(identity);
      if (exp && nExp) blendInto(shaped, asset.exprBasis, exp, nExp, N);
    },
    addPose(feat) {
      blendInto(shaped, asset.poseBasis, feat, FLAME_NUM_POSE_FEATURES, N);
    },
  };
}

function wasmBlender(asset: FlameAsset): Blender | null {
  const { vertices: V, shape: S, expression: E } = asset.counts;
  const N = V * 3;
  const n4 = Math.ceil(N / 4);
  const stride = n4 * 4; // floats per padded block
  const maxCoef = Math.max(S, E, FLAME_NUM_POSE_FEATURES, 2);
  const coefFloats = Math.ceil(maxCoef / 4) * 4;
  // float offsets of each region
  const oId = 0;
  const oShaped = stride;
  const oCoef = 2 * stride;
  const oShape = oCoef + coefFloats;
  const oExpr = oShape + S * stride;
  const oPose = oExpr + E * stride;
  const oLids = oPose + FLAME_NUM_POSE_FEATURES * stride;
  const total = oLids + (asset.eyelidBasis ? 2 : 0) * stride;
  const k = blendKernel(total * 4);
  if (!k) return null;
  const mem = new Float32Array(k.memory.buffer, 0, total);
  const put = (basis: Float32Array, count: number, at: number) => {
    for (let l = 0; l < count; l++) mem.set(basis.subarray(l * N, (l + 1) * N), at + l * stride);
  };
  put(asset.shapeBasis, S, oShape);
  put(asset.exprBasis, E, oExpr);
  put(asset.poseBasis, FLAME_NUM_POSE_FEATURES, oPose);
  if (asset.eyelidBasis) put(asset.eyelidBasis, 2, oLids);
  const shaped = mem.subarray(oShaped, oShaped + stride);
  const coefs = mem.subarray(oCoef, oCoef + coefFloats);
  const blend = (acc: number, basis: number, src: ArrayLike<number>, count: number) => {
    for (let l = 0; l < count; l++) coefs[l] = src[l];
    k.blend(acc * 4, basis * 4, oCoef * 4, count, n4);
  };
  return {
    kind: 'wasm',
    shaped,
    computeIdentity(shape, nShape, lidL, lidR) {
      mem.set(asset.vTemplate, oId);
      if (asset.eyelidBasis && (lidL !== 0 || lidR !== 0)) blend(oId, oLids, [lidL, lidR], 2);
      if (shape && nShape) blend(oId, oShape, shape, nShape);
    },
    computeShaped(exp, nExp) {
      mem.copyWithin(oShaped, oId, oId + stride);
      if (exp && nExp) blend(oShaped, oExpr, exp, nExp);
    },
    addPose(feat) {
      blend(oShaped, oPose, feat, FLAME_NUM_POSE_FEATURES);
    },
  };
}

export interface FlameDecoder {
  readonly asset: FlameAsset;
  readonly eyelidMode: EyelidMode;
  /** Which blendshape kernel runs: 'wasm' (SIMD) or 'js'. */
  readonly backend: 'wasm' | 'js';
  /** Whether the asset has SMIRK eyelid blendshapes (eyelid params are ignored without them). */
  readonly hasEyelids: boolean;
  /** Decode one face. The returned arrays are reused by the next call. */
  decode(params: FlameParams): FlameOutput;
}

export function createFlameDecoder(asset: FlameAsset, options: FlameDecoderOptions = {}): FlameDecoder {
  const eyelidMode: EyelidMode = options.eyelidMode ?? 'post-skinning';
  const want = options.backend ?? 'auto';
  const { vertices: V, shape: S, expression: E } = asset.counts;
  const N = V * 3;
  const J = FLAME_NUM_JOINTS;
  const parents = Array.from(asset.parents);
  const weights = asset.lbsWeights;
  const lids = asset.eyelidBasis;

  let blender: Blender | null = want === 'js' ? null : wasmBlender(asset);
  if (!blender && want === 'wasm') throw new Error('FLAME decoder: WebAssembly SIMD is not available here');
  if (!blender) blender = jsBlender(asset);
  const bl = blender;

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
  const lidCache = new Float64Array([NaN, NaN]);
  const rot = new Float64Array(J * 9);
  const poseFeat = new Float64Array(FLAME_NUM_POSE_FEATURES);
  const joints = new Float64Array(J * 3);
  const G = new Float64Array(J * 12); // global rigid transforms, row-major 3×4
  const A = new Float64Array(J * 12); // skinning transforms (rest joint removed)
  const outV = new Float32Array(N);
  const outJ = new Float32Array(J * 3);
  const output: FlameOutput = { vertices: outV, joints: outJ };
  const zero3 = [0, 0, 0];

  function identity(shape: ArrayLike<number> | undefined, nShape: number, lidL: number, lidR: number): void {
    let same = nShape === shapeCacheLen && lidL === lidCache[0] && lidR === lidCache[1];
    for (let i = 0; same && i < nShape; i++) if (shapeCache[i] !== +(shape as ArrayLike<number>)[i]) same = false;
    if (same) return;
    bl.computeIdentity(shape, nShape, lidL, lidR);
    for (let i = 0; i < nShape; i++) shapeCache[i] = +(shape as ArrayLike<number>)[i];
    shapeCacheLen = nShape;
    lidCache[0] = lidL;
    lidCache[1] = lidR;
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
    bl.computeShaped(params.exp, nExp);
    const vs = bl.shaped;

    // 2. joints from the shaped mesh
    for (let j = 0; j < J; j++) {
      let x = 0, y = 0, z = 0;
      const idx = jIdx[j];
      const w = jW[j];
      for (let k = 0; k < idx.length; k++) {
        const o = idx[k] * 3;
        const wk = w[k];
        x += wk * vs[o];
        y += wk * vs[o + 1];
        z += wk * vs[o + 2];
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
    bl.addPose(poseFeat);
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
      const x = vs[i], y = vs[i + 1], z = vs[i + 2];
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

  return { asset, eyelidMode, backend: bl.kind, hasEyelids: !!lids, decode };
}
