import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIctHead } from '../../src/core/ict/ictAsset';
import { halfToFloat32 } from '../../src/core/ict/half';

const bytes = new Uint8Array(readFileSync('public/models/ict_head.bin'));

/** Rewrite the JSON header (keeps the binary part; the header length is updated). */
function withHeader(edit: (h: Record<string, unknown>) => void): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = dv.getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len)));
  edit(header);
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = new Uint8Array(Math.ceil(json.length / 4) * 4).fill(32);
  padded.set(json);
  json = padded;
  const out = new Uint8Array(12 + json.length + bytes.length - 12 - len);
  out.set(bytes.subarray(0, 12));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(bytes.subarray(12 + len), 12 + json.length);
  return out;
}

describe('ICT head asset', () => {
  it('reads the shipped asset: whole head, 53 expressions, 68 landmarks, identity', () => {
    const head = parseIctHead(bytes);
    expect(head.vertexCount).toBe(26719);
    expect(head.triangles.length).toBe(head.header.triangleCount * 3);
    expect(head.expressions.map((e) => e.name)).toContain('jawOpen');
    expect(head.expressions).toHaveLength(53);
    expect(head.landmarks68).toHaveLength(68);
    expect(head.identityCount).toBe(40);
    expect(head.groups.map((g) => g.material)).toEqual(expect.arrayContaining(['M_Face', 'M_Teeth', 'M_GumsTongue', 'M_IrisLeft']));
    // jawOpen moves the chin down (y up, cm): the largest delta is a few cm.
    const jaw = head.expressions.find((e) => e.name === 'jawOpen')!;
    let minDy = 0;
    for (let k = 0; k < jaw.vertices.length; k++) minDy = Math.min(minDy, jaw.deltas[3 * k + 1]);
    expect(minDy).toBeLessThan(-1);
  });

  it('says why a truncated file is refused', () => {
    expect(() => parseIctHead(bytes.subarray(0, bytes.length - 1000))).toThrow(/truncated/);
    expect(() => parseIctHead(bytes.subarray(0, 200))).toThrow(/truncated/);
    expect(() => parseIctHead(bytes.subarray(0, 5))).toThrow(/too short/);
  });

  it('says why a corrupt file is refused', () => {
    const badMagic = bytes.slice();
    badMagic[0] = 0x50;
    expect(() => parseIctHead(badMagic)).toThrow(/bad magic/);
    const badJson = bytes.slice();
    badJson[12] = 0x78; // 'x' where the JSON's '{' was
    expect(() => parseIctHead(badJson)).toThrow(/not valid JSON/);
    expect(() => parseIctHead(withHeader((h) => { h.vertexCount = 'many'; }))).toThrow(/header field 'vertexCount'/);
    expect(() => parseIctHead(withHeader((h) => { (h.landmarks68 as number[]).pop(); }))).toThrow(/landmarks68/);
    expect(() => parseIctHead(withHeader((h) => { h.sections = (h.sections as { name: string }[]).filter((s) => s.name !== 'identity'); }))).toThrow(/section 'identity' is missing/);
    expect(() => parseIctHead(withHeader((h) => { (h.groups as { count: number }[])[0].count += 1; }))).toThrow(/material group/);
    // A triangle index past the vertex count (a flipped high byte in the triangle section).
    const head = parseIctHead(bytes);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const dataStart = 12 + dv.getUint32(8, true);
    const tri = head.header.sections.find((s) => s.name === 'triangles')!;
    const badTri = bytes.slice();
    badTri[dataStart + tri.offset + 1] = 0xff;
    expect(() => parseIctHead(badTri)).toThrow(/triangle index \d+ ≥ vertex count/);
  });
});

describe('float16 decoding', () => {
  it('decodes normal, subnormal, signed and special values', () => {
    const out = halfToFloat32(Uint16Array.from([0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00, 0x0000, 0x8000]));
    expect(out[0]).toBe(1);
    expect(out[1]).toBe(-2);
    expect(out[2]).toBeCloseTo(1 / 3, 3);
    expect(out[3]).toBeCloseTo(5.96e-8, 10);
    expect(out[4]).toBe(Infinity);
    expect(Object.is(out[6], -0)).toBe(true);
  });
});
