/**
 * A tiny hand-assembled WebAssembly (SIMD128) kernel for the FLAME blendshape sums, the one hot loop
 * of the decoder (≈ 350 components × 15 069 floats per face for SMIRK). Plain JS does this at
 * ~1 multiply-add per ns; f32x4 does four.
 *
 *   blend(acc, basis, coefs, count, n4):
 *     for l in [0, count): c = coefs[l]; if c ≠ 0: acc[0..4·n4) += c · basis[l·4·n4 .. (l+1)·4·n4)
 *
 * All pointers are byte offsets into the imported memory `env.mem`; every component block is padded
 * to a multiple of 4 floats. Accumulation is float32, as in the upstream (PyTorch, float32) FLAME layer.
 *
 * The module is ~150 bytes and compiled synchronously; where WebAssembly or SIMD is unavailable
 * `blendKernel()` returns null and the decoder uses its JS path.
 */

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

const str = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];

// opcodes
const LGET = 0x20, LSET = 0x21, LTEE = 0x22;
const I32CONST = 0x41, I32ADD = 0x6a, I32MUL = 0x6c, I32SHL = 0x74, I32EQZ = 0x45, I32LTU = 0x49;
const F32LOAD = 0x2a, F32CONST = 0x43, F32NE = 0x5c;
const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, END = 0x0b, BRIF = 0x0d, VOID = 0x40;
const SIMD = 0xfd;
const V128LOAD = [SIMD, 0x00, 4, 0];
const V128STORE = [SIMD, 0x0b, 4, 0];
const F32X4SPLAT = [SIMD, 0x13];
const F32X4ADD = [SIMD, 0xe4, 0x01];
const F32X4MUL = [SIMD, 0xe6, 0x01];

// params: 0 acc, 1 basis, 2 coefs, 3 count, 4 n4; locals: 5 l, 6 p, 7 q, 8 end, 9 stride (i32), 10 c (f32), 11 cv (v128)
const BODY: number[] = [
  3, 5, 0x7f, 1, 0x7d, 1, 0x7b, // locals
  LGET, 4, I32CONST, 4, I32SHL, LSET, 9, // stride = n4 << 4
  LGET, 0, LGET, 9, I32ADD, LSET, 8, // end = acc + stride
  BLOCK, VOID,
  LGET, 3, I32EQZ, BRIF, 0,
  LOOP, VOID,
  LGET, 2, LGET, 5, I32CONST, 2, I32SHL, I32ADD, F32LOAD, 2, 0, LTEE, 10, // c = coefs[l]
  F32CONST, 0, 0, 0, 0, F32NE,
  IF, VOID,
  LGET, 10, ...F32X4SPLAT, LSET, 11,
  LGET, 1, LGET, 5, LGET, 9, I32MUL, I32ADD, LSET, 6, // p = basis + l * stride
  LGET, 0, LSET, 7, // q = acc
  LOOP, VOID,
  LGET, 7,
  LGET, 7, ...V128LOAD,
  LGET, 11, LGET, 6, ...V128LOAD, ...F32X4MUL,
  ...F32X4ADD,
  ...V128STORE,
  LGET, 6, I32CONST, 16, I32ADD, LSET, 6,
  LGET, 7, I32CONST, 16, I32ADD, LTEE, 7,
  LGET, 8, I32LTU, BRIF, 0,
  END, // loop el
  END, // if
  LGET, 5, I32CONST, 1, I32ADD, LTEE, 5,
  LGET, 3, I32LTU, BRIF, 0,
  END, // loop comp
  END, // block
  END, // function
];

export function blendModuleBytes(): Uint8Array<ArrayBuffer> {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
    ...section(2, [1, ...str('env'), ...str('mem'), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('blend'), 0x00, 0]),
    ...section(10, [1, ...uleb(BODY.length), ...BODY]),
  ];
  return new Uint8Array(bytes);
}

export type BlendFn = (acc: number, basis: number, coefs: number, count: number, n4: number) => void;

export interface BlendKernel {
  memory: WebAssembly.Memory;
  blend: BlendFn;
}

let compiled: WebAssembly.Module | null | undefined;

/** Instantiate the kernel over a fresh memory of `bytes` bytes; null where WebAssembly SIMD is unavailable. */
export function blendKernel(bytes: number): BlendKernel | null {
  if (compiled === undefined) {
    try {
      const code = blendModuleBytes();
      compiled = typeof WebAssembly === 'object' && WebAssembly.validate(code) ? new WebAssembly.Module(code) : null;
    } catch {
      compiled = null;
    }
  }
  if (!compiled) return null;
  try {
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
    const inst = new WebAssembly.Instance(compiled, { env: { mem: memory } });
    return { memory, blend: inst.exports.blend as BlendFn };
  } catch {
    return null;
  }
}
