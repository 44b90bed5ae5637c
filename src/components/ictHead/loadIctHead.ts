/**
 * Loads public/models/ict_head.bin once per page (6 MB, fetched only when an ICT head view first
 * appears, so it adds nothing to the first load of the app) and parses it in the core's reader; and,
 * for the live view on a software rasteriser (liveMesh.ts), its lower-detail mesh
 * ict_head_lod.bin (≈ 85 KB of vertex and triangle indices into the full head, core/ict/ictLod.ts).
 */
import { parseIctHead, type IctHead } from '../../core/ict/ictAsset';
import { applyIctLod, parseIctLod } from '../../core/ict/ictLod';

export type IctMeshDetail = 'full' | 'lod';

const pending: Partial<Record<IctMeshDetail, Promise<IctHead>>> = {};

function modelUrl(file: string): string {
  return new URL(`models/${file}`, document.baseURI).href;
}

export function ictHeadUrl(): string {
  return modelUrl('ict_head.bin');
}

async function fetchBytes(file: string, what: string): Promise<Uint8Array> {
  const res = await fetch(modelUrl(file));
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} for models/${file}`);
  return new Uint8Array(await res.arrayBuffer());
}

export function loadIctHead(detail: IctMeshDetail = 'full'): Promise<IctHead> {
  let p = pending[detail];
  if (!p) {
    p =
      detail === 'full'
        ? fetchBytes('ict_head.bin', 'ICT head asset').then(parseIctHead)
        : // The LOD indexes the full head (which stills and the teaching view share): both are needed.
          Promise.all([loadIctHead('full'), fetchBytes('ict_head_lod.bin', 'ICT head LOD').then(parseIctLod)]).then(([head, lod]) => applyIctLod(head, lod));
    pending[detail] = p;
    // A failed load may be retried by the next view that asks.
    p.catch(() => {
      if (pending[detail] === p) delete pending[detail];
    });
  }
  return p;
}
