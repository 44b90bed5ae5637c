/**
 * `--shard k/n`: a deterministic, disjoint part of a run's inputs (issue #15).
 *
 * An input belongs to shard 1 + (sha1(relative path) mod n). The hash depends only on the path,
 * so the split is the same on every machine whatever order the file system lists the folder
 * in, and adding files to a dataset does not move the others between shards. Shard sizes are
 * equal only on average (±√(N/n)), which is fine for dataset-sized N.
 */
import { createHash } from 'node:crypto';

export interface Shard {
  index: number; // 1-based
  count: number;
}

export function parseShard(spec: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  if (!m) throw new Error(`--shard must look like k/n (e.g. 3/8), got "${spec}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new Error(`--shard ${spec}: k must be between 1 and n (n ≥ 1)`);
  return { index, count };
}

export function shardOf(path: string, count: number): number {
  // First 6 bytes of sha1 as an integer: uniform, exact in a double.
  return 1 + (createHash('sha1').update(path, 'utf8').digest().readUIntBE(0, 6) % count);
}

export function selectShard<T extends string>(paths: readonly T[], shard: Shard | undefined): T[] {
  return shard ? paths.filter((p) => shardOf(p, shard.count) === shard.index) : [...paths];
}
