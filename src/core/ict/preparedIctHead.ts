/**
 * Everything a head view needs from the ICT files before it can build its three.js geometry, in one
 * object of plain data and typed arrays: the parsed head (at the detail asked for), the identity
 * fitter's basis and the eyes' vertex colours. Preparing it is CPU work with no DOM or WebGL (parse,
 * float16 → float32, the lower-detail mesh, the fitter's precomputation), so the page has a small
 * worker do it (worker/ictHead.worker.ts) and takes the arrays over by transfer; where no worker
 * can run, the page calls the same function itself (components/ictHead/loadIctHead.ts).
 */
import { parseIctHead, type IctHead } from './ictAsset';
import { applyIctLod, parseIctLod } from './ictLod';
import { identityFitBasis, type IdentityFitBasis } from './identityFit';
import { ictEyeColours } from './ictEyeColours';

/** Which ICT mesh a view draws: the full head, or the live view's lower-detail mesh (ictLod.ts). */
export type IctMeshDetail = 'full' | 'lod';

export interface PreparedIctHead {
  detail: IctMeshDetail;
  head: IctHead;
  fitBasis: IdentityFitBasis;
  /** [V*3] vertex colours (ictEyeColours.ts). */
  eyeColours: Float32Array;
}

/** The file bytes a detail needs: the head, and for 'lod' its lower-detail file too. */
export interface IctHeadFiles {
  head: Uint8Array;
  lod?: Uint8Array;
}

/** Milliseconds of each preparation step, reported with the result (bench, README). */
export interface IctPrepareTimings {
  parseMs: number;
  lodMs: number;
  basisMs: number;
}

/**
 * Parses and prepares the files for `detail`. Throws the readers' messages ("ICT head asset: …",
 * "ICT head LOD: …") for a corrupt file. `between` runs between the steps: the page's fallback
 * yields there so that no single task is long; the worker needs no pause.
 */
export async function prepareIctHead(detail: IctMeshDetail, files: IctHeadFiles, between: () => Promise<void> = async () => undefined): Promise<{ prepared: PreparedIctHead; timings: IctPrepareTimings }> {
  if (detail === 'lod' && !files.lod) throw new Error('ICT head LOD: file missing');
  let t = performance.now();
  const full = parseIctHead(files.head);
  const parseMs = performance.now() - t;
  let head = full;
  let lodMs = 0;
  if (detail === 'lod') {
    await between();
    t = performance.now();
    head = applyIctLod(full, parseIctLod(files.lod!));
    lodMs = performance.now() - t;
  }
  await between();
  t = performance.now();
  const fitBasis = identityFitBasis(head);
  const eyeColours = ictEyeColours(head);
  const basisMs = performance.now() - t;
  return { prepared: { detail, head, fitBasis, eyeColours }, timings: { parseMs, lodMs, basisMs } };
}

/**
 * The distinct ArrayBuffers under a prepared head, for a transfer list. Views that share a buffer
 * (the expression shapes are slices of one table) arrive sharing it: structured clone keeps that.
 */
export function preparedIctHeadBuffers(p: PreparedIctHead): ArrayBuffer[] {
  const { head, fitBasis } = p;
  const views: ArrayBufferView[] = [head.neutral, head.triangles, head.identityQ, head.identityScales, p.eyeColours, fitBasis.J, fitBasis.Jp, fitBasis.n0, fitBasis.E];
  for (const e of head.expressions) views.push(e.vertices, e.deltas);
  const buffers = new Set<ArrayBuffer>();
  for (const v of views) if (v.buffer instanceof ArrayBuffer) buffers.add(v.buffer);
  return [...buffers];
}
