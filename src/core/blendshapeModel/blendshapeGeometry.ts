/**
 * The learned blendshape geometry (public/models/blendshape_geometry.bin, fitted by
 * training/fit_blendshape_geometry.py): 478 landmarks in MediaPipe's canonical face frame (cm)
 *   landmarks(s, z) = mean + Σᵢ sᵢ·Bᵢ + Σⱼ zⱼ·Uⱼ
 * s = MediaPipe's 52 blendshape scores, z = identity coefficients in std units (Uⱼ carry σⱼ).
 * File: "IG3DBSG1", u32 LE header length, JSON header, float32 LE arrays (see the model card).
 */

export const BLENDSHAPE_GEOMETRY_MAGIC = 'IG3DBSG1';
export const BLENDSHAPE_GEOMETRY_FORMAT = 'ig3d-blendshape-geometry';

export interface BlendshapeGeometryHeader {
  format: string;
  version: number;
  vertexCount: number;
  units: string;
  frame: string;
  blendshapes: string[];
  identity: { count: number; std: number[]; note?: string };
  lambda: number;
  fittedOn?: string;
  card?: string;
  layout: { name: string; offset: number; count: number }[];
  floatCount: number;
}

export interface BlendshapeGeometry {
  header: BlendshapeGeometryHeader;
  vertexCount: number;
  blendshapeNames: readonly string[];
  identityCount: number;
  /** [V*3] face at all-zero scores. */
  mean: Float32Array;
  /** [52, V*3] displacement per unit score. */
  basis: Float32Array;
  /** [K, V*3] identity directions, already multiplied by their std. */
  identity: Float32Array;
}

export function parseBlendshapeGeometry(buffer: ArrayBuffer | Uint8Array): BlendshapeGeometry {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
  if (bytes.length < 12) throw new Error('blendshape geometry: file too short');
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== BLENDSHAPE_GEOMETRY_MAGIC) throw new Error(`blendshape geometry: bad magic '${magic}'`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = dv.getUint32(8, true);
  const dataStart = 12 + headerLen;
  if (dataStart > bytes.length || dataStart % 4 !== 0) throw new Error('blendshape geometry: bad header length');
  let header: BlendshapeGeometryHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, dataStart))) as BlendshapeGeometryHeader;
  } catch (e) {
    throw new Error(`blendshape geometry: header is not JSON (${(e as Error).message})`, { cause: e });
  }
  if (header.format !== BLENDSHAPE_GEOMETRY_FORMAT || header.version !== 1) {
    throw new Error(`blendshape geometry: unsupported format ${header.format} v${header.version}`);
  }
  const floats = (bytes.length - dataStart) / 4;
  if (!Number.isInteger(floats) || floats < header.floatCount) {
    throw new Error(`blendshape geometry: ${bytes.length - dataStart} data bytes, header says ${header.floatCount} floats`);
  }
  // Copy once into an aligned buffer (the file's data offset is 4-aligned, its byteOffset may not be).
  const data = new Float32Array(header.floatCount);
  new Uint8Array(data.buffer).set(bytes.subarray(dataStart, dataStart + header.floatCount * 4));
  if (!new Uint8Array(new Uint16Array([1]).buffer)[0]) throw new Error('blendshape geometry: big-endian hosts are not supported');
  const part = (name: string, count: number) => {
    const l = header.layout.find((x) => x.name === name);
    if (!l) throw new Error(`blendshape geometry: no '${name}' array`);
    if (l.count !== count) throw new Error(`blendshape geometry: '${name}' has ${l.count} floats, expected ${count}`);
    return data.subarray(l.offset, l.offset + l.count);
  };
  const V = header.vertexCount;
  const S = header.blendshapes.length;
  const K = header.identity?.count ?? 0;
  return {
    header,
    vertexCount: V,
    blendshapeNames: header.blendshapes,
    identityCount: K,
    mean: part('mean', V * 3),
    basis: part('blendshapes', S * V * 3),
    identity: K ? part('identity', K * V * 3) : new Float32Array(0),
  };
}

/**
 * Landmarks for given scores (and identity coefficients) into `out` (length V*3, allocated if
 * not given). Scores beyond the model's count are ignored; missing ones count as 0.
 */
export function evaluateBlendshapeGeometry(
  g: BlendshapeGeometry,
  scores: ArrayLike<number>,
  identity?: ArrayLike<number>,
  out?: Float32Array,
): Float32Array {
  const D = g.vertexCount * 3;
  const res = out ?? new Float32Array(D);
  if (res.length !== D) throw new Error(`output has ${res.length} values, expected ${D}`);
  res.set(g.mean);
  const S = Math.min(scores.length, g.blendshapeNames.length);
  for (let i = 0; i < S; i++) {
    const s = scores[i];
    if (!s) continue;
    const b = g.basis.subarray(i * D, (i + 1) * D);
    for (let k = 0; k < D; k++) res[k] += s * b[k];
  }
  if (identity) {
    const K = Math.min(identity.length, g.identityCount);
    for (let j = 0; j < K; j++) {
      const z = identity[j];
      if (!z) continue;
      const u = g.identity.subarray(j * D, (j + 1) * D);
      for (let k = 0; k < D; k++) res[k] += z * u[k];
    }
  }
  return res;
}
