/**
 * Landmarks in the canonical (pose-free, metric) face frame.
 *
 * MediaPipe gives landmarks in image coordinates, posed. We fit a similarity transform
 * (scale s, rotation R, translation t) from MediaPipe's canonical face mesh to the observed
 * landmarks, weighted with MediaPipe's own Procrustes landmark basis, and undo it:
 *   canonical-frame landmark = Rᵀ (observed − t) / s      (units: cm of the canonical model)
 * What remains is the face's shape and expression without head pose or image scale — the
 * landmark analogue of FLAME's shape/expression parameters. Weak perspective is assumed,
 * which is fine for faces that are small relative to their distance from the camera.
 * Rotation by Horn's closed-form quaternion method (the largest eigenvector of a 4×4 matrix).
 */

export interface Similarity {
  scale: number;
  /** Row-major 3×3 rotation. */
  rotation: Float64Array;
  translation: [number, number, number];
}

/** Jacobi eigenvalue iteration for a symmetric 4×4 matrix; returns the eigenvector of the largest eigenvalue. */
function largestEigenvector4(m: number[][]): number[] {
  const a = m.map((r) => r.slice());
  const v = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < 4; p++) for (let q = p + 1; q < 4; q++) off += a[p][q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < 4; p++) {
      for (let q = p + 1; q < 4; q++) {
        if (Math.abs(a[p][q]) < 1e-30) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < 4; k++) {
          const akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < 4; k++) {
          const apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < 4; k++) {
          const vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < 4; i++) if (a[i][i] > a[best][best]) best = i;
  return [v[0][best], v[1][best], v[2][best], v[3][best]];
}

/**
 * Weighted similarity fit target ≈ s·R·source + t over point pairs (flat xyz arrays).
 * `indices`/`weights` choose the points used for the fit (e.g. MediaPipe's Procrustes basis).
 */
export function fitSimilarity(source: ArrayLike<number>, target: ArrayLike<number>, indices: readonly number[], weights?: readonly number[]): Similarity {
  let wSum = 0;
  const ms = [0, 0, 0], mt = [0, 0, 0];
  indices.forEach((i, k) => {
    const w = weights ? weights[k] : 1;
    wSum += w;
    for (let d = 0; d < 3; d++) {
      ms[d] += w * source[3 * i + d];
      mt[d] += w * target[3 * i + d];
    }
  });
  for (let d = 0; d < 3; d++) {
    ms[d] /= wSum;
    mt[d] /= wSum;
  }
  // Cross-covariance S[a][b] = Σ w · src_a · tgt_b (centred), and source spread for the scale.
  const S = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  let srcVar = 0;
  indices.forEach((i, k) => {
    const w = weights ? weights[k] : 1;
    const p = [source[3 * i] - ms[0], source[3 * i + 1] - ms[1], source[3 * i + 2] - ms[2]];
    const q = [target[3 * i] - mt[0], target[3 * i + 1] - mt[1], target[3 * i + 2] - mt[2]];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) S[a][b] += w * p[a] * q[b];
    srcVar += w * (p[0] ** 2 + p[1] ** 2 + p[2] ** 2);
  });
  const [[Sxx, Sxy, Sxz], [Syx, Syy, Syz], [Szx, Szy, Szz]] = S;
  const N = [
    [Sxx + Syy + Szz, Syz - Szy, Szx - Sxz, Sxy - Syx],
    [Syz - Szy, Sxx - Syy - Szz, Sxy + Syx, Szx + Sxz],
    [Szx - Sxz, Sxy + Syx, -Sxx + Syy - Szz, Syz + Szy],
    [Sxy - Syx, Szx + Sxz, Syz + Szy, -Sxx - Syy + Szz],
  ];
  const [qw, qx, qy, qz] = largestEigenvector4(N);
  const R = new Float64Array([
    qw * qw + qx * qx - qy * qy - qz * qz, 2 * (qx * qy - qw * qz), 2 * (qx * qz + qw * qy),
    2 * (qy * qx + qw * qz), qw * qw - qx * qx + qy * qy - qz * qz, 2 * (qy * qz - qw * qx),
    2 * (qz * qx - qw * qy), 2 * (qz * qy + qw * qx), qw * qw - qx * qx - qy * qy + qz * qz,
  ]);
  // Scale = Σ w · q·(R p) / Σ w |p|²  (least squares given R)
  let num = 0;
  indices.forEach((i, k) => {
    const w = weights ? weights[k] : 1;
    const p = [source[3 * i] - ms[0], source[3 * i + 1] - ms[1], source[3 * i + 2] - ms[2]];
    const q = [target[3 * i] - mt[0], target[3 * i + 1] - mt[1], target[3 * i + 2] - mt[2]];
    for (let a = 0; a < 3; a++) num += w * q[a] * (R[3 * a] * p[0] + R[3 * a + 1] * p[1] + R[3 * a + 2] * p[2]);
  });
  const scale = num / srcVar;
  const t: [number, number, number] = [0, 0, 0];
  for (let a = 0; a < 3; a++) t[a] = mt[a] - scale * (R[3 * a] * ms[0] + R[3 * a + 1] * ms[1] + R[3 * a + 2] * ms[2]);
  return { scale, rotation: R, translation: t };
}

/** Image landmarks (x,y in 0..1, z in x's scale, y down, z away) → right-handed, y-up, pixel-scaled points. */
export function imageLandmarksToMetricish(landmarks: ArrayLike<number>, width: number, height: number): Float64Array {
  const n = landmarks.length / 3;
  const out = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    out[3 * i] = landmarks[3 * i] * width;
    out[3 * i + 1] = -landmarks[3 * i + 1] * height;
    out[3 * i + 2] = -landmarks[3 * i + 2] * width;
  }
  return out;
}

/** Undo a similarity: Rᵀ (p − t) / s for every point. */
export function applyInverseSimilarity(points: ArrayLike<number>, sim: Similarity): Float32Array {
  const { rotation: R, translation: t, scale } = sim;
  const n = points.length / 3;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const d0 = points[3 * i] - t[0], d1 = points[3 * i + 1] - t[1], d2 = points[3 * i + 2] - t[2];
    out[3 * i] = (R[0] * d0 + R[3] * d1 + R[6] * d2) / scale;
    out[3 * i + 1] = (R[1] * d0 + R[4] * d1 + R[7] * d2) / scale;
    out[3 * i + 2] = (R[2] * d0 + R[5] * d1 + R[8] * d2) / scale;
  }
  return out;
}

/**
 * All 478 landmarks in the canonical frame, fitted on the canonical mesh's 468 vertices with
 * MediaPipe's Procrustes weights (or all 468 points, equally weighted, when none are given).
 */
export function landmarksToCanonicalFrame(
  landmarks: ArrayLike<number>,
  imageSize: { width: number; height: number },
  canonicalPositions: ArrayLike<number>,
  procrustes?: readonly { landmark: number; weight: number }[],
): { canonical: Float32Array; similarity: Similarity } {
  const observed = imageLandmarksToMetricish(landmarks, imageSize.width, imageSize.height);
  const basis = procrustes?.length ? procrustes : Array.from({ length: canonicalPositions.length / 3 }, (_, i) => ({ landmark: i, weight: 1 }));
  const similarity = fitSimilarity(
    canonicalPositions,
    observed,
    basis.map((b) => b.landmark),
    basis.map((b) => b.weight),
  );
  return { canonical: applyInverseSimilarity(observed, similarity), similarity };
}
