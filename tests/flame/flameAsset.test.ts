import { describe, expect, it } from 'vitest';
import { FlameAssetError, parseFlameAsset } from '../../src/core/flame/flameAsset';
import { loadFixture, REDUCED_DIR } from './fixture';

const good = loadFixture(REDUCED_DIR).bin;

interface HeaderEntry {
  name: string;
  dtype: string;
  shape: number[];
  offset: number;
  byteLength: number;
}
interface Header {
  format: string;
  model: string;
  counts?: Record<string, number>;
  arrays: HeaderEntry[];
  meta?: unknown;
}

function split(bin: Uint8Array): { header: Header; data: Uint8Array } {
  const len = new DataView(bin.buffer, bin.byteOffset).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bin.subarray(12, 12 + len)));
  return { header, data: bin.slice(12 + len) };
}

/** Re-serialise with a (possibly edited) header; pads the JSON so the data stays 4-byte aligned. */
function join(header: unknown, data: Uint8Array, rawHeader?: string): Uint8Array {
  let json = rawHeader ?? JSON.stringify(header);
  while ((12 + json.length) % 4) json += ' ';
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(12 + hb.length + data.length);
  out.set(new TextEncoder().encode('FLAMEBIN'));
  new DataView(out.buffer).setUint32(8, hb.length, true);
  out.set(hb, 12);
  out.set(data, 12 + hb.length);
  return out;
}

function edit(fn: (h: Header, data: Uint8Array) => void): Uint8Array {
  const { header, data } = split(good);
  fn(header, data);
  return join(header, data);
}

const entry = (h: Header, name: string) => h.arrays.find((a) => a.name === name) as HeaderEntry;

function expectError(bin: Uint8Array, pattern: RegExp): void {
  let err: unknown;
  try {
    parseFlameAsset(bin);
  } catch (e) {
    err = e;
  }
  expect(err, `expected an error matching ${pattern}`).toBeInstanceOf(FlameAssetError);
  expect((err as Error).message).toMatch(/^flame\.bin: /);
  expect((err as Error).message).toMatch(pattern);
}

describe('parseFlameAsset', () => {
  it('parses a valid asset into zero-copy views', () => {
    const a = parseFlameAsset(good.buffer as ArrayBuffer);
    expect(a.counts).toEqual({ vertices: 77, faces: 136, shape: 20, expression: 10, joints: 5, eyelids: 2 });
    expect(a.model).toBe('synthetic');
    expect(a.vTemplate.length).toBe(77 * 3);
    expect(a.shapeBasis.length).toBe(20 * 77 * 3);
    expect(a.poseBasis.length).toBe(36 * 77 * 3);
    expect(Array.from(a.parents)).toEqual([-1, 0, 1, 1, 1]);
    expect(a.vTemplate.buffer).toBe(good.buffer);
  });

  it('accepts a Uint8Array at an unaligned offset (copies)', () => {
    const big = new Uint8Array(good.length + 3);
    big.set(good, 3);
    const a = parseFlameAsset(big.subarray(3));
    expect(a.counts.vertices).toBe(77);
  });

  it('accepts an asset without eyelids', () => {
    const bin = edit((h) => {
      h.arrays = h.arrays.filter((a) => a.name !== 'eyelid_basis');
    });
    const a = parseFlameAsset(bin);
    expect(a.eyelidBasis).toBeUndefined();
    expect(a.counts.eyelids).toBe(0);
  });

  describe('rejects malformed files with a clear error', () => {
    it('too short / wrong magic', () => {
      expectError(good.slice(0, 5), /too short/);
      const bad = good.slice();
      bad[0] = 0x50;
      expectError(bad, /bad magic/);
    });

    it('header length out of range or past the end (truncated)', () => {
      const huge = good.slice();
      new DataView(huge.buffer).setUint32(8, 0xffffffff, true);
      expectError(huge, /header length 4294967295 is out of range/);
      expectError(good.slice(0, 100), /runs past the end of the file.*truncated/);
      const zero = good.slice();
      new DataView(zero.buffer).setUint32(8, 0, true);
      expectError(zero, /header length 0/);
    });

    it('truncated data section', () => {
      expectError(good.slice(0, good.length - 1000), /past the end of the data|needs more bytes/);
    });

    it('header that is not JSON, or not a flame-bin-v1 header', () => {
      const { data } = split(good);
      expectError(join(null, data, '{"format": "flame-bin-v1", '), /not valid UTF-8 JSON/);
      expectError(join(null, data, '[1,2,3]'), /not a JSON object/);
      expectError(edit((h) => (h.format = 'flame-bin-v2')), /format "flame-bin-v2" is not "flame-bin-v1"/);
      expectError(edit((h) => delete (h as Partial<Header>).arrays), /header.arrays is missing/);
    });

    it('missing, unknown or duplicated arrays', () => {
      expectError(edit((h) => (h.arrays = h.arrays.filter((a) => a.name !== 'parents'))), /required array parents is missing/);
      expectError(edit((h) => (entry(h, 'faces').name = 'triangles')), /"triangles" is not a known array/);
      expectError(edit((h) => h.arrays.push({ ...entry(h, 'parents') })), /parents is listed twice/);
    });

    it('oversized or invalid shapes (never allocated)', () => {
      expectError(edit((h) => (entry(h, 'shape_basis').shape = [1e9, 77, 3])), /needs more bytes than the file holds/);
      expectError(edit((h) => (entry(h, 'shape_basis').shape = [2 ** 60, 77, 3])), /bad dimension/);
      expectError(edit((h) => (entry(h, 'v_template').shape = [77, -3])), /bad dimension/);
      expectError(edit((h) => (entry(h, 'v_template').shape = [77, 3.5])), /bad dimension/);
      expectError(edit((h) => (entry(h, 'v_template').shape = [1, 1, 1, 1])), /1 to 3 dimensions/);
    });

    it('shapes that do not fit together', () => {
      expectError(
        edit((h) => {
          const e = entry(h, 'lbs_weights');
          e.shape = [76, 5];
          e.byteLength = 76 * 5 * 4;
        }),
        /lbs_weights: shape \[76,5\], expected \[77,5\]/,
      );
      expectError(
        edit((h) => {
          const e = entry(h, 'pose_basis');
          e.shape = [35, 77, 3];
          e.byteLength = 35 * 77 * 3 * 4;
        }),
        /pose_basis: shape \[35,77,3\], expected \[36,77,3\]/,
      );
      expectError(edit((h) => (entry(h, 'v_template').byteLength += 4)), /byteLength .* does not match/);
      expectError(edit((h) => (entry(h, 'faces').dtype = 'float32')), /faces: dtype must be "uint32"/);
    });

    it('bad offsets: misaligned, negative, past the end, overlapping', () => {
      expectError(edit((h) => (entry(h, 'v_template').offset = 2)), /offset 2 must be a non-negative multiple of 4/);
      expectError(edit((h) => (entry(h, 'v_template').offset = -4)), /offset -4/);
      expectError(edit((h) => (entry(h, 'v_template').offset = '0' as unknown as number)), /offset "0"/);
      expectError(edit((h) => (entry(h, 'parents').offset = 1 << 30)), /parents: bytes .* run past the end of the data/);
      expectError(edit((h) => (entry(h, 'faces').offset = entry(h, 'v_template').offset)), /overlap/);
    });

    it('bad contents: face indices, non-finite values, parents, counts', () => {
      expectError(
        edit((h, data) => {
          new DataView(data.buffer).setUint32(entry(h, 'faces').offset + 8, 77, true);
        }),
        /faces: index 77 at 2 is not a vertex/,
      );
      expectError(
        edit((h, data) => {
          new DataView(data.buffer).setFloat32(entry(h, 'v_template').offset + 4, NaN, true);
        }),
        /v_template: value 1 is not finite/,
      );
      expectError(
        edit((h, data) => {
          new DataView(data.buffer).setFloat32(entry(h, 'shape_basis').offset + 400, Infinity, true);
        }),
        /shape_basis: value 100 is not finite/,
      );
      expectError(
        edit((h, data) => {
          new DataView(data.buffer).setInt32(entry(h, 'parents').offset, 0, true);
        }),
        /parents\[0\] must be -1/,
      );
      expectError(
        edit((h, data) => {
          new DataView(data.buffer).setInt32(entry(h, 'parents').offset + 8, 3, true);
        }),
        /parents\[2\] = 3 must name an earlier joint/,
      );
      expectError(edit((h) => ((h.counts as Record<string, number>).vertices = 5023)), /counts.vertices = 5023 but the arrays hold 77/);
    });
  });
});
