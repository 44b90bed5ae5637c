/** BatchRow ↔ plain JSON, for crossing from the headless page to Node. */
import type { BatchRow } from '../batch/batchTypes';

const F32_KEYS = ['p2d', 'p3d', 'fused', 'p2dRaw', 'fusedRaw', 'logits2d', 'logits3d', 'features3d', 'canonicalLandmarks', 'blendshapes'] as const;
type F32Key = (typeof F32_KEYS)[number];
export type SerializedRow = Omit<BatchRow, F32Key | 'crop2d'> & Partial<Record<F32Key, number[]>> & { crop2d?: number[] };

export function serializeRow(row: BatchRow): SerializedRow {
  const out: Record<string, unknown> = { ...row };
  for (const k of F32_KEYS) if (row[k]) out[k] = Array.from(row[k]!);
  if (row.crop2d) out.crop2d = Array.from(row.crop2d);
  return out as SerializedRow;
}

export function deserializeRow(row: SerializedRow): BatchRow {
  const out: Record<string, unknown> = { ...row };
  for (const k of F32_KEYS) if (row[k]) out[k] = Float32Array.from(row[k]!);
  if (row.crop2d) out.crop2d = Uint8Array.from(row.crop2d);
  return out as unknown as BatchRow;
}
