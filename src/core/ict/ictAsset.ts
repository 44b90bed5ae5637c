/**
 * Reader for public/models/ict_head.bin, the ICT-FaceKit head (USC ICT, MIT licence) converted by
 * training/ict/convert_ict_facekit.py (card: public/models/ict_head.md).
 *
 * Layout: "ICTH" | u32 version | u32 header bytes | JSON header | sections. The header names every
 * section's dtype, byte offset and element count; all of it is checked against the file before any
 * array is made, so a truncated or corrupt download fails here with a message that says what is wrong
 * instead of drawing garbage.
 */
import { z } from 'zod';
import { halfToFloat32 } from './half';
import { readContainer } from './binContainer';

export const ICT_MAGIC = 'ICTH';

const DTYPES = { float32: 4, float16: 2, uint16: 2, int8: 1 } as const;
type Dtype = keyof typeof DTYPES;

const sectionSchema = z.object({
  name: z.string(),
  dtype: z.enum(['float32', 'float16', 'uint16', 'int8']),
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
});

const headerSchema = z.object({
  format: z.literal('ict-head'),
  version: z.literal(1),
  units: z.literal('cm'),
  vertexCount: z.number().int().positive().max(65535),
  triangleCount: z.number().int().positive(),
  groups: z.array(z.object({ region: z.string(), material: z.string(), start: z.number().int().nonnegative(), count: z.number().int().nonnegative(), hidden: z.boolean() })),
  landmarks68: z.array(z.number().int().nonnegative()).length(68),
  expressions: z.array(z.object({ name: z.string(), offset: z.number().int().nonnegative(), count: z.number().int().nonnegative() })).min(1),
  identity: z.object({ count: z.number().int().nonnegative(), scales: z.array(z.number().positive()) }),
  sections: z.array(sectionSchema),
  source: z.object({ repository: z.string(), commit: z.string() }),
  licence: z.string(),
});

export type IctHeader = z.infer<typeof headerSchema>;

export interface IctExpressionShape {
  name: string;
  /** Vertices this shape moves. */
  vertices: Uint16Array;
  /** Their deltas at weight 1, cm, flat [x,y,z,…] (same order as `vertices`). */
  deltas: Float32Array;
}

export interface IctHead {
  header: IctHeader;
  vertexCount: number;
  /** [V*3] neutral positions, cm; y up, +z out of the face, +x to the face's left. */
  neutral: Float32Array;
  /** [T*3] triangle vertex indices. */
  triangles: Uint16Array;
  groups: IctHeader['groups'];
  landmarks68: readonly number[];
  expressions: IctExpressionShape[];
  identityCount: number;
  /** [K, V*3] identity components quantised to int8; component k = identityQ[k]·identityScales[k] (cm per unit coefficient). */
  identityQ: Int8Array;
  identityScales: Float32Array;
}

function fail(message: string): never {
  throw new Error(`ICT head asset: ${message}`);
}

export function parseIctHead(buffer: ArrayBuffer | Uint8Array): IctHead {
  const { header, bytes, dataStart } = readContainer(buffer, { magic: ICT_MAGIC, what: 'an ICT head file', schema: headerSchema, fail });
  const V = header.vertexCount;
  const K = header.identity.count;
  if (header.identity.scales.length !== K) fail(`identity has ${K} components but ${header.identity.scales.length} scales`);

  const dataBytes = bytes.length - dataStart;
  const section = (name: string, dtype: Dtype, length: number) => {
    const s = header.sections.find((x) => x.name === name);
    if (!s) fail(`section '${name}' is missing`);
    if (s.dtype !== dtype) fail(`section '${name}' is ${s.dtype}, expected ${dtype}`);
    if (s.length !== length) fail(`section '${name}' has ${s.length} values, expected ${length}`);
    const end = s.offset + length * DTYPES[dtype];
    if (end > dataBytes) fail(`section '${name}' ends at byte ${end} but the data is ${dataBytes} bytes: truncated file`);
    if (s.offset % DTYPES[dtype] !== 0) fail(`section '${name}' is misaligned`);
    // Copy into fresh, aligned arrays: the caller's buffer may sit at any byte offset.
    const raw = bytes.slice(dataStart + s.offset, dataStart + end).buffer;
    return raw;
  };

  const nnz = header.expressions.reduce((a, e) => a + e.count, 0);
  const neutral = new Float32Array(section('neutral', 'float32', V * 3));
  const triangles = new Uint16Array(section('triangles', 'uint16', header.triangleCount * 3));
  const exprIndex = new Uint16Array(section('exprIndex', 'uint16', nnz));
  const exprDelta = halfToFloat32(new Uint16Array(section('exprDelta', 'float16', nnz * 3)));
  const identityQ = new Int8Array(section('identity', 'int8', K * V * 3));

  for (let i = 0; i < neutral.length; i++) if (!Number.isFinite(neutral[i])) fail(`neutral position ${i} is not finite`);
  for (let i = 0; i < triangles.length; i++) if (triangles[i] >= V) fail(`triangle index ${triangles[i]} ≥ vertex count ${V}`);
  for (let i = 0; i < exprIndex.length; i++) if (exprIndex[i] >= V) fail(`expression vertex ${exprIndex[i]} ≥ vertex count ${V}`);
  for (let i = 0; i < exprDelta.length; i++) if (!Number.isFinite(exprDelta[i])) fail(`expression delta ${i} is not finite`);
  for (const l of header.landmarks68) if (l >= V) fail(`landmark vertex ${l} ≥ vertex count ${V}`);
  let covered = 0;
  for (const g of header.groups) {
    if (g.start !== covered) fail(`material group '${g.material}' starts at triangle ${g.start}, expected ${covered}`);
    covered += g.count;
  }
  if (covered !== header.triangleCount) fail(`material groups cover ${covered} of ${header.triangleCount} triangles`);

  const expressions = header.expressions.map((e) => {
    if (e.offset + e.count > nnz) fail(`expression '${e.name}' runs past the delta table`);
    return {
      name: e.name,
      vertices: exprIndex.subarray(e.offset, e.offset + e.count),
      deltas: exprDelta.subarray(3 * e.offset, 3 * (e.offset + e.count)),
    };
  });

  return {
    header,
    vertexCount: V,
    neutral,
    triangles,
    groups: header.groups,
    landmarks68: header.landmarks68,
    expressions,
    identityCount: K,
    identityQ,
    identityScales: Float32Array.from(header.identity.scales),
  };
}
