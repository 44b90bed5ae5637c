/**
 * Weak-perspective camera of DECA / EMOCA / SMIRK (`batch_orth_proj`, then y and z flipped):
 *   ndc = s · (x + tx, y + ty),  crop pixel u = (ndc_x + 1) · W / 2,  v = (1 − ndc_y) · H / 2
 * with cam = [s, tx, ty] as the regressors emit it. Coordinates are in the model's input crop
 * (e.g. 224×224); mapping them back to the frame is the crop's inverse transform (core/crop).
 */
export function projectToCrop(
  vertices: ArrayLike<number>,
  cam: ArrayLike<number>,
  cropWidth: number,
  cropHeight: number,
  out?: Float32Array,
): Float32Array {
  const n = Math.floor(vertices.length / 3);
  const res = out ?? new Float32Array(n * 2);
  if (res.length < n * 2) throw new RangeError(`projectToCrop: out holds ${res.length} values, needs ${n * 2}`);
  const s = cam[0], tx = cam[1], ty = cam[2];
  const hw = cropWidth / 2, hh = cropHeight / 2;
  for (let i = 0; i < n; i++) {
    res[i * 2] = (s * (vertices[i * 3] + tx) + 1) * hw;
    res[i * 2 + 1] = (1 - s * (vertices[i * 3 + 1] + ty)) * hh;
  }
  return res;
}
