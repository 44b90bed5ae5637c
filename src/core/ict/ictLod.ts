/**
 * The ICT head's lower-detail mesh (public/models/ict_head_lod.bin, built offline by
 * scripts/ict/build-lod.ts; card: public/models/ict_head.md), used only by the live view on a
 * software rasteriser, where each draw of the full 52 k-triangle head costs tens of ms of CPU that the
 * inference worker needs (issue #16).
 *
 * The file holds no geometry of its own: which of the full head's vertices are kept (a subset, in
 * ascending order) and the triangles over them, per draw group. `applyIctLod` then builds an ordinary
 * IctHead whose neutral, expression shapes, identity basis and landmark indices are the full head's at
 * the kept vertices, so the deformer, the identity fit and the renderer work on it unchanged, and the
 * per-frame blend and normals shrink with it.
 *
 * Layout: "ICTL" | u32 version | u32 header bytes (even) | JSON header | uint16 kept[vertexCount] |
 * uint16 triangles[3·triangleCount] (indices into kept).
 */
import { z } from 'zod';
import type { IctHead } from './ictAsset';
import { CONTAINER_PREAMBLE, readContainer } from './binContainer';

export const ICT_LOD_MAGIC = 'ICTL';
const PREAMBLE = CONTAINER_PREAMBLE;

const lodHeaderSchema = z.object({
  format: z.literal('ict-head-lod'),
  version: z.literal(1),
  /** The full head it was built from: checked against the head it is applied to. */
  base: z.object({ vertexCount: z.number().int().positive(), triangleCount: z.number().int().positive(), trianglesFnv1a: z.string().regex(/^[0-9a-f]{8}$/) }),
  vertexCount: z.number().int().positive().max(65535),
  triangleCount: z.number().int().positive(),
  /** Triangles per draw group, in the full head's group order (a group may be empty). */
  groupCounts: z.array(z.number().int().nonnegative()),
  /** How it was made (for the card and a rebuild). */
  build: z.record(z.string(), z.unknown()),
});

export type IctLodHeader = z.infer<typeof lodHeaderSchema>;

export interface IctLod {
  header: IctLodHeader;
  /** Full-head indices of the kept vertices, ascending. */
  kept: Uint16Array;
  /** [3·triangleCount] indices into `kept`, grouped as `header.groupCounts`. */
  triangles: Uint16Array;
}

function fail(message: string): never {
  throw new Error(`ICT head LOD: ${message}`);
}

/** FNV-1a over the triangle indices: ties a LOD file to the exact head topology it was built from. */
export function trianglesFnv1a(triangles: ArrayLike<number>): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < triangles.length; i++) {
    const v = triangles[i];
    h = Math.imul(h ^ (v & 0xff), 0x01000193);
    h = Math.imul(h ^ (v >>> 8), 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function encodeIctLod(lod: IctLod): Uint8Array {
  let json = JSON.stringify(lod.header);
  if (new TextEncoder().encode(json).length % 2) json += ' ';
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(PREAMBLE + head.length + 2 * (lod.kept.length + lod.triangles.length));
  out.set(new TextEncoder().encode(ICT_LOD_MAGIC), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, 1, true);
  dv.setUint32(8, head.length, true);
  out.set(head, PREAMBLE);
  let o = PREAMBLE + head.length;
  for (const arr of [lod.kept, lod.triangles]) for (let i = 0; i < arr.length; i++, o += 2) dv.setUint16(o, arr[i], true);
  return out;
}

export function parseIctLod(buffer: ArrayBuffer | Uint8Array): IctLod {
  const { header, bytes, dataStart } = readContainer(buffer, { magic: ICT_LOD_MAGIC, what: 'an ICT head LOD file', schema: lodHeaderSchema, fail });
  const n = header.vertexCount + 3 * header.triangleCount;
  if (bytes.length - dataStart !== 2 * n) fail(`data is ${bytes.length - dataStart} bytes, expected ${2 * n}: truncated or corrupt`);
  // Copy into a fresh, aligned array: the caller's buffer may sit at any byte offset.
  const data = new Uint16Array(bytes.slice(dataStart).buffer);
  const kept = data.subarray(0, header.vertexCount);
  const triangles = data.subarray(header.vertexCount);
  for (let i = 1; i < kept.length; i++) if (kept[i] <= kept[i - 1]) fail(`kept vertices are not ascending at ${i}`);
  for (let i = 0; i < triangles.length; i++) if (triangles[i] >= header.vertexCount) fail(`triangle index ${triangles[i]} ≥ kept vertex count ${header.vertexCount}`);
  const covered = header.groupCounts.reduce((a, b) => a + b, 0);
  if (covered !== header.triangleCount) fail(`group counts cover ${covered} of ${header.triangleCount} triangles`);
  return { header, kept, triangles };
}

/**
 * The full head restricted to the LOD's vertices and triangles. Throws if the LOD was built from
 * another head (vertex/triangle counts, topology hash, group count) or leaves out a landmark vertex.
 */
export function applyIctLod(head: IctHead, lod: IctLod): IctHead {
  const { base, groupCounts } = lod.header;
  if (base.vertexCount !== head.vertexCount || base.triangleCount !== head.triangles.length / 3) {
    fail(`built for a head of ${base.vertexCount} vertices / ${base.triangleCount} triangles, this one has ${head.vertexCount} / ${head.triangles.length / 3}`);
  }
  if (base.trianglesFnv1a !== trianglesFnv1a(head.triangles)) fail('built from a different head topology (triangle hash differs): rebuild it with scripts/ict/build-lod.ts');
  if (groupCounts.length !== head.groups.length) fail(`has ${groupCounts.length} draw groups, the head ${head.groups.length}`);
  const V = head.vertexCount;
  const local = new Int32Array(V).fill(-1);
  lod.kept.forEach((v, i) => {
    if (v >= V) fail(`kept vertex ${v} ≥ vertex count ${V}`);
    local[v] = i;
  });
  const landmarks68 = head.landmarks68.map((v) => {
    if (local[v] < 0) fail(`landmark vertex ${v} is not kept`);
    return local[v];
  });

  const n = lod.kept.length;
  const neutral = new Float32Array(3 * n);
  lod.kept.forEach((v, i) => neutral.set(head.neutral.subarray(3 * v, 3 * v + 3), 3 * i));
  const identityQ = new Int8Array(head.identityCount * 3 * n);
  for (let k = 0; k < head.identityCount; k++) {
    const src = k * 3 * V, dst = k * 3 * n;
    for (let i = 0; i < n; i++) {
      const v = lod.kept[i];
      identityQ[dst + 3 * i] = head.identityQ[src + 3 * v];
      identityQ[dst + 3 * i + 1] = head.identityQ[src + 3 * v + 1];
      identityQ[dst + 3 * i + 2] = head.identityQ[src + 3 * v + 2];
    }
  }
  const expressions = head.expressions.map((e) => {
    let count = 0;
    for (let k = 0; k < e.vertices.length; k++) if (local[e.vertices[k]] >= 0) count++;
    const vertices = new Uint16Array(count);
    const deltas = new Float32Array(3 * count);
    for (let k = 0, j = 0; k < e.vertices.length; k++) {
      const l = local[e.vertices[k]];
      if (l < 0) continue;
      vertices[j] = l;
      deltas.set(e.deltas.subarray(3 * k, 3 * k + 3), 3 * j);
      j++;
    }
    return { name: e.name, vertices, deltas };
  });
  let start = 0;
  const groups = head.groups.map((g, i) => {
    const out = { ...g, start, count: groupCounts[i] };
    start += groupCounts[i];
    return out;
  });
  return {
    header: { ...head.header, vertexCount: n, triangleCount: lod.header.triangleCount, groups, landmarks68 },
    vertexCount: n,
    neutral,
    triangles: lod.triangles,
    groups,
    landmarks68,
    expressions,
    identityCount: head.identityCount,
    identityQ,
    identityScales: head.identityScales,
  };
}
