/**
 * Parse and validate `flame.bin` (format `flame-bin-v1`, see training/export/README.md).
 *
 *   bytes 0..7   "FLAMEBIN"
 *   bytes 8..11  u32 LE: JSON header length H
 *   12..12+H     JSON header: { format, model, counts?, arrays: [{name, dtype, shape, offset, byteLength}], meta? }
 *   12+H..       data; array offsets are relative to here, little-endian, 4-byte aligned
 *
 * The file comes from a user-supplied pack, so everything in the header is checked against the
 * real buffer before it is used: sizes are derived from the buffer, never allocated from header
 * numbers, and every error names what is wrong.
 */
import { FLAME_FORMAT, FLAME_NUM_JOINTS, FLAME_NUM_POSE_FEATURES, type FlameAsset } from './types';

export class FlameAssetError extends Error {
  constructor(message: string) {
    super(`flame.bin: ${message}`);
    this.name = 'FlameAssetError';
  }
}

const MAGIC = 'FLAMEBIN';
const PREAMBLE = 12;
/** A real header is ~1 KB; anything near this is not a flame.bin. */
const MAX_HEADER_BYTES = 1 << 20;
/** Sanity limits, well above FLAME 2020 (5023 vertices, 9976 faces, 300 + 100 components). */
export const FLAME_LIMITS = { vertices: 100_000, faces: 400_000, shape: 1000, expression: 1000 } as const;

type DType = 'float32' | 'int32' | 'uint32';
type ArrayName =
  | 'v_template'
  | 'faces'
  | 'shape_basis'
  | 'expr_basis'
  | 'pose_basis'
  | 'j_regressor'
  | 'lbs_weights'
  | 'parents'
  | 'eyelid_basis';

const DTYPES: Record<ArrayName, DType> = {
  v_template: 'float32',
  faces: 'uint32',
  shape_basis: 'float32',
  expr_basis: 'float32',
  pose_basis: 'float32',
  j_regressor: 'float32',
  lbs_weights: 'float32',
  parents: 'int32',
  eyelid_basis: 'float32',
};
const REQUIRED: ArrayName[] = [
  'v_template',
  'faces',
  'shape_basis',
  'expr_basis',
  'pose_basis',
  'j_regressor',
  'lbs_weights',
  'parents',
];

interface Entry {
  name: ArrayName;
  dtype: DType;
  shape: number[];
  offset: number;
  byteLength: number;
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

function fail(msg: string): never {
  throw new FlameAssetError(msg);
}

function checkEntry(raw: unknown, i: number, dataLength: number): Entry {
  if (typeof raw !== 'object' || raw === null) fail(`arrays[${i}] is not an object`);
  const e = raw as Record<string, unknown>;
  const name = e.name;
  if (typeof name !== 'string' || !(name in DTYPES)) fail(`arrays[${i}].name ${JSON.stringify(name)} is not a known array`);
  const n = name as ArrayName;
  if (e.dtype !== DTYPES[n]) fail(`${n}: dtype must be "${DTYPES[n]}", got ${JSON.stringify(e.dtype)}`);
  const shape = e.shape;
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 3) fail(`${n}: shape must be an array of 1 to 3 dimensions`);
  let count = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) fail(`${n}: shape ${JSON.stringify(shape)} has a bad dimension`);
    count *= d;
    // compare against the real buffer on every step, so no product can overflow or exceed it
    if (count * 4 > dataLength) fail(`${n}: shape ${JSON.stringify(shape)} needs more bytes than the file holds`);
  }
  const { offset, byteLength } = e;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0 || offset % 4 !== 0) {
    fail(`${n}: offset ${JSON.stringify(offset)} must be a non-negative multiple of 4`);
  }
  if (byteLength !== count * 4) fail(`${n}: byteLength ${JSON.stringify(byteLength)} does not match shape ${JSON.stringify(shape)} (${count * 4})`);
  if (offset + count * 4 > dataLength) fail(`${n}: bytes ${offset}..${offset + count * 4} run past the end of the data (${dataLength} bytes)`);
  return { name: n, dtype: DTYPES[n], shape: shape as number[], offset, byteLength: count * 4 };
}

function expectShape(e: Entry, want: number[]): void {
  if (e.shape.length !== want.length || e.shape.some((d, k) => d !== want[k])) {
    fail(`${e.name}: shape ${JSON.stringify(e.shape)}, expected ${JSON.stringify(want)}`);
  }
}

function checkFinite(name: string, a: Float32Array): void {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    // x - x is NaN for ±Infinity and NaN, 0 otherwise; faster than Number.isFinite in a hot loop
    if (x - x !== 0) fail(`${name}: value ${i} is not finite`);
  }
}

/**
 * Parse a flame.bin. Accepts the fetched ArrayBuffer (zero-copy views) or any Uint8Array
 * (copied when its alignment does not allow typed-array views).
 */
export function parseFlameAsset(input: ArrayBuffer | Uint8Array): FlameAsset {
  if (!isLittleEndian()) fail('this platform is big-endian; flame.bin is little-endian');
  let bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice();
  if (bytes.byteLength < PREAMBLE) fail(`file is ${bytes.byteLength} bytes, too short to be a flame.bin`);
  let magic = '';
  for (let i = 0; i < 8; i++) magic += String.fromCharCode(bytes[i]);
  if (magic !== MAGIC) fail(`bad magic ${JSON.stringify(magic)} (expected "FLAMEBIN"); is this the right file?`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  if (headerLength === 0 || headerLength > MAX_HEADER_BYTES) fail(`header length ${headerLength} is out of range`);
  if (PREAMBLE + headerLength > bytes.byteLength) fail(`header length ${headerLength} runs past the end of the file (${bytes.byteLength} bytes): truncated?`);
  const dataStart = PREAMBLE + headerLength;
  if (dataStart % 4 !== 0) fail(`data section starts at byte ${dataStart}, not 4-byte aligned`);
  const dataLength = bytes.byteLength - dataStart;

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE, dataStart)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const h = header as Record<string, unknown>;
  if (h.format !== FLAME_FORMAT) fail(`format ${JSON.stringify(h.format)} is not "${FLAME_FORMAT}"`);
  if (!Array.isArray(h.arrays)) fail('header.arrays is missing');
  if (h.arrays.length > 32) fail(`header lists ${h.arrays.length} arrays`);

  const entries = new Map<ArrayName, Entry>();
  h.arrays.forEach((raw, i) => {
    const e = checkEntry(raw, i, dataLength);
    if (entries.has(e.name)) fail(`${e.name} is listed twice`);
    entries.set(e.name, e);
  });
  for (const name of REQUIRED) if (!entries.has(name)) fail(`required array ${name} is missing`);
  const sorted = [...entries.values()].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (prev.offset + prev.byteLength > sorted[i].offset) fail(`${prev.name} and ${sorted[i].name} overlap`);
  }

  const get = (name: ArrayName) => entries.get(name) as Entry;
  const vt = get('v_template');
  if (vt.shape.length !== 2 || vt.shape[1] !== 3) fail(`v_template: shape ${JSON.stringify(vt.shape)}, expected [V,3]`);
  const V = vt.shape[0];
  if (V < 1 || V > FLAME_LIMITS.vertices) fail(`v_template: ${V} vertices is out of range`);
  const fc = get('faces');
  if (fc.shape.length !== 2 || fc.shape[1] !== 3) fail(`faces: shape ${JSON.stringify(fc.shape)}, expected [F,3]`);
  const F = fc.shape[0];
  if (F > FLAME_LIMITS.faces) fail(`faces: ${F} faces is out of range`);
  const sb = get('shape_basis');
  const S = sb.shape[0];
  if (S > FLAME_LIMITS.shape) fail(`shape_basis: ${S} components is out of range`);
  expectShape(sb, [S, V, 3]);
  const eb = get('expr_basis');
  const E = eb.shape[0];
  if (E > FLAME_LIMITS.expression) fail(`expr_basis: ${E} components is out of range`);
  expectShape(eb, [E, V, 3]);
  expectShape(get('pose_basis'), [FLAME_NUM_POSE_FEATURES, V, 3]);
  expectShape(get('j_regressor'), [FLAME_NUM_JOINTS, V]);
  expectShape(get('lbs_weights'), [V, FLAME_NUM_JOINTS]);
  expectShape(get('parents'), [FLAME_NUM_JOINTS]);
  if (entries.has('eyelid_basis')) expectShape(get('eyelid_basis'), [2, V, 3]);

  const base = bytes.byteOffset + dataStart;
  const f32 = (name: ArrayName) => {
    const e = get(name);
    return new Float32Array(bytes.buffer, base + e.offset, e.byteLength / 4);
  };
  const asset: FlameAsset = {
    format: FLAME_FORMAT,
    model: typeof h.model === 'string' ? h.model : 'unknown',
    counts: { vertices: V, faces: F, shape: S, expression: E, joints: FLAME_NUM_JOINTS, eyelids: entries.has('eyelid_basis') ? 2 : 0 },
    vTemplate: f32('v_template'),
    faces: new Uint32Array(bytes.buffer, base + fc.offset, fc.byteLength / 4),
    shapeBasis: f32('shape_basis'),
    exprBasis: f32('expr_basis'),
    poseBasis: f32('pose_basis'),
    jRegressor: f32('j_regressor'),
    lbsWeights: f32('lbs_weights'),
    parents: new Int32Array(bytes.buffer, base + get('parents').offset, FLAME_NUM_JOINTS),
    eyelidBasis: entries.has('eyelid_basis') ? f32('eyelid_basis') : undefined,
    meta: typeof h.meta === 'object' && h.meta !== null && !Array.isArray(h.meta) ? (h.meta as Record<string, unknown>) : {},
  };

  // contents
  const p = asset.parents;
  if (p[0] !== -1) fail(`parents[0] must be -1 (root), got ${p[0]}`);
  for (let j = 1; j < FLAME_NUM_JOINTS; j++) {
    if (!(p[j] >= 0 && p[j] < j)) fail(`parents[${j}] = ${p[j]} must name an earlier joint`);
  }
  const faces = asset.faces;
  for (let i = 0; i < faces.length; i++) if (faces[i] >= V) fail(`faces: index ${faces[i]} at ${i} is not a vertex (V = ${V})`);
  checkFinite('v_template', asset.vTemplate);
  checkFinite('shape_basis', asset.shapeBasis);
  checkFinite('expr_basis', asset.exprBasis);
  checkFinite('pose_basis', asset.poseBasis);
  checkFinite('j_regressor', asset.jRegressor);
  checkFinite('lbs_weights', asset.lbsWeights);
  if (asset.eyelidBasis) checkFinite('eyelid_basis', asset.eyelidBasis);

  if (h.counts !== undefined) {
    const c = h.counts as Record<string, unknown>;
    const mine: Record<string, number> = { vertices: V, faces: F, shape: S, expression: E };
    for (const k of Object.keys(mine)) {
      if (c[k] !== undefined && c[k] !== mine[k]) fail(`header counts.${k} = ${JSON.stringify(c[k])} but the arrays hold ${mine[k]}`);
    }
  }
  return asset;
}
