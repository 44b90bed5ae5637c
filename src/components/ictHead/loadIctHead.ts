/**
 * Loads public/models/ict_head.bin once per page and detail (6 MB, fetched only when an ICT head view
 * first appears, so it adds nothing to the first load of the app); for the live view on a software
 * rasteriser (meshDetail.ts) with its lower-detail mesh ict_head_lod.bin (≈ 85 KB of vertex and
 * triangle indices into the full head, core/ict/ictLod.ts). The CPU work (fetch, parse, float16 →
 * float32, the LOD, the fitter's precomputation) runs in a small worker of its own
 * (worker/ictHeadClient.ts), or on the page where no worker can run; `preparedBy` says which.
 */
import type { IctMeshDetail } from '../../core/ict/preparedIctHead';
import { loadPreparedIctHead, type LoadedIctHead } from '../../worker/ictHeadClient';
import type { IctFileRef } from '../../worker/ictHeadProtocol';

export type { IctMeshDetail };
export type { LoadedIctHead };

const pending: Partial<Record<IctMeshDetail, Promise<LoadedIctHead>>> = {};

function modelFile(file: string, what: string): IctFileRef {
  return { url: new URL(`models/${file}`, document.baseURI).href, what, shownAs: `models/${file}` };
}

export function loadIctHead(detail: IctMeshDetail = 'full'): Promise<LoadedIctHead> {
  let p = pending[detail];
  if (!p) {
    // The LOD indexes the full head's vertices: both files are read for it.
    const head = modelFile('ict_head.bin', 'ICT head asset');
    p = loadPreparedIctHead(detail, detail === 'full' ? { head } : { head, lod: modelFile('ict_head_lod.bin', 'ICT head LOD') });
    pending[detail] = p;
    // A failed load may be retried by the next view that asks.
    p.catch(() => {
      if (pending[detail] === p) delete pending[detail];
    });
  }
  return p;
}
