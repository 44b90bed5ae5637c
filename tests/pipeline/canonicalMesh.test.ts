import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { ProtoReader, readRepeatedFloat, readRepeatedVarint } from '../../src/core/mesh/protobuf';
import { canonicalMeshFromTask, parseGeometryPipelineMetadata } from '../../src/core/mesh/canonicalMesh';

const TASK = resolve(__dirname, '../../../shared/models/face_landmarker.task');

// --- tiny protobuf writer for hand-made test bytes ---
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const key = (field: number, wt: number) => varint(field * 8 + wt);
const f32 = (x: number) => [...new Uint8Array(new Float32Array([x]).buffer)];
const len = (field: number, payload: number[]) => [...key(field, 2), ...varint(payload.length), ...payload];

/** A 4-vertex, 2-triangle mesh; floats packed or unpacked, indices packed or unpacked. */
function meshBytes(packed: boolean): Uint8Array {
  const verts: number[] = [];
  for (let i = 0; i < 4; i++) verts.push(i, i + 0.5, -i, 0.25 * i, 1 - 0.25 * i);
  const idx = [0, 1, 2, 2, 1, 3];
  const vbuf = packed ? len(3, verts.flatMap(f32)) : verts.flatMap((v) => [...key(3, 5), ...f32(v)]);
  const ibuf = packed ? len(4, idx.flatMap(varint)) : idx.flatMap((i) => [...key(4, 0), ...varint(i)]);
  const mesh = [...key(1, 0), 0, ...key(2, 0), 0, ...vbuf, ...ibuf, ...key(9, 0), ...varint(300)]; // field 9: unknown, skipped
  const ref = [...key(1, 0), ...varint(2), ...key(2, 5), ...f32(0.5)];
  return new Uint8Array([...len(1, mesh), ...len(2, ref), ...key(3, 0), 1]);
}

describe('ProtoReader', () => {
  it('reads multi-byte varints beyond 2^31', () => {
    const r = new ProtoReader(new Uint8Array(varint(2 ** 40 + 5)));
    expect(r.varint()).toBe(2 ** 40 + 5);
    expect(r.done).toBe(true);
  });
  it('throws on truncated varints and overlong LEN fields', () => {
    expect(() => new ProtoReader(new Uint8Array([0x80, 0x80])).varint()).toThrow(/truncated/);
    expect(() => new ProtoReader(new Uint8Array([...key(1, 2), 10, 1, 2])).next()).toThrow(/needs 10 bytes/);
    expect(() => new ProtoReader(new Uint8Array([...key(1, 5), 1, 2])).next()).toThrow(/needs 4 bytes/);
    expect(() => new ProtoReader(new Uint8Array([...key(1, 3)])).next()).toThrow(/wire type 3/);
  });
  it('reads packed and unpacked repeated fields the same', () => {
    const packed = new ProtoReader(new Uint8Array([...len(4, [1, ...varint(300), 7])]));
    const a: number[] = [];
    readRepeatedVarint(packed, packed.next(), a);
    expect(a).toEqual([1, 300, 7]);
    const fl = new ProtoReader(new Uint8Array([...key(3, 5), ...f32(1.5), ...len(3, [...f32(2), ...f32(-3)])]));
    const b: number[] = [];
    while (!fl.done) readRepeatedFloat(fl, fl.next(), b);
    expect(b).toEqual([1.5, 2, -3]);
  });
});

describe('parseGeometryPipelineMetadata', () => {
  for (const packed of [true, false]) {
    it(`parses a hand-made mesh (${packed ? 'packed' : 'unpacked'})`, () => {
      const m = parseGeometryPipelineMetadata(meshBytes(packed));
      expect(m.vertexCount).toBe(4);
      expect(Array.from(m.triangles)).toEqual([0, 1, 2, 2, 1, 3]);
      expect(Array.from(m.positions.slice(9, 12))).toEqual([3, 3.5, -3]);
      expect(Array.from(m.uvs.slice(2, 4))).toEqual([0.25, 0.75]);
      expect(m.procrustes).toEqual([{ landmark: 2, weight: 0.5 }]);
    });
  }
  it('rejects out-of-range indices and truncated input', () => {
    const bad = new Uint8Array([...len(1, [...len(3, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), ...len(4, [0, 1, 5])])]);
    expect(() => parseGeometryPipelineMetadata(bad)).toThrow(/index 1 >= vertex count 1/);
    const good = meshBytes(true);
    expect(() => parseGeometryPipelineMetadata(good.slice(0, good.length - 10))).toThrow(/protobuf/);
    expect(() => parseGeometryPipelineMetadata(new Uint8Array([]))).toThrow(/no canonical_mesh/);
  });
  it('finds the metadata in a (nested) task zip', () => {
    const inner = zipSync({ 'geometry_pipeline_metadata_landmarks.binarypb': meshBytes(true) });
    expect(canonicalMeshFromTask(zipSync({ 'a.tflite': new Uint8Array(3), 'face_landmarks_detector.task': inner })).vertexCount).toBe(4);
    expect(() => canonicalMeshFromTask(new Uint8Array([1, 2, 3]))).toThrow(/not a valid zip|no geometry/);
  });
});

describe.skipIf(!existsSync(TASK))('canonical mesh from the real face_landmarker.task', () => {
  it('has 468 vertices and ~898 triangles with valid indices', () => {
    const m = canonicalMeshFromTask(new Uint8Array(readFileSync(TASK)));
    expect(m.vertexCount).toBe(468);
    expect(m.triangles.length / 3).toBeGreaterThan(850);
    expect(m.triangles.length / 3).toBeLessThan(950);
    expect(Math.max(...m.triangles)).toBeLessThan(468);
    expect(m.procrustes.length).toBeGreaterThan(10);
    // The canonical face is roughly 15 cm wide, centred near the origin.
    let minX = Infinity, maxX = -Infinity;
    for (let i = 0; i < 468; i++) { minX = Math.min(minX, m.positions[i * 3]); maxX = Math.max(maxX, m.positions[i * 3]); }
    expect(maxX - minX).toBeGreaterThan(10);
    expect(maxX - minX).toBeLessThan(20);
  });
});
