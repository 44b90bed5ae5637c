/**
 * IEEE 754 half-precision → float32. The ICT asset stores its expression deltas as float16
 * (half the bytes of float32, ≤ 0.014 mm error measured by the converter); Float16Array is not
 * available in every browser we support yet, so decode through a 64 K lookup table built once.
 */
let table: Float32Array | undefined;

function buildTable(): Float32Array {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * frac * 2 ** -24; // subnormal
    else if (exp === 31) t[h] = frac ? NaN : sign * Infinity;
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return t;
}

export function halfToFloat32(bits: Uint16Array): Float32Array {
  table ??= buildTable();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}
