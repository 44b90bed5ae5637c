/**
 * Messages between the page and the ICT head's loader worker (ictHead.worker.ts), and the one file
 * reader both use. A small worker of its own, not the inference worker: preparing the head must
 * not delay a camera frame's inference. Every request gets exactly one reply with its id.
 */
import type { IctMeshDetail, IctPrepareTimings, PreparedIctHead } from '../core/ict/preparedIctHead';

/** A file to read: absolute URL, and how messages name it ("ICT head asset", "models/ict_head.bin"). */
export interface IctFileRef {
  url: string;
  what: string;
  shownAs: string;
}

export interface IctHeadRequest {
  id: number;
  detail: IctMeshDetail;
  head: IctFileRef;
  /** Only for detail 'lod'. */
  lod?: IctFileRef;
}

export type IctHeadReply = { id: number } & (
  | { ok: true; value: PreparedIctHead; timings: IctPrepareTimings & { fetchMs: number } }
  | { ok: false; error: string }
);

/** The file's bytes, or an error that names it (HTTP status, network failure). */
export async function fetchIctFile(ref: IctFileRef): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(ref.url);
  } catch (e) {
    throw new Error(`${ref.what}: could not fetch ${ref.shownAs} (${(e as Error).message})`, { cause: e });
  }
  if (!res.ok) throw new Error(`${ref.what}: HTTP ${res.status} for ${ref.shownAs}`);
  return new Uint8Array(await res.arrayBuffer());
}
