/**
 * Loads public/models/ict_head.bin once per page (6 MB, fetched only when an ICT head view first
 * appears, so it adds nothing to the first load of the app) and parses it in the core's reader.
 */
import { parseIctHead, type IctHead } from '../../core/ict/ictAsset';

let pending: Promise<IctHead> | undefined;

export function ictHeadUrl(): string {
  return new URL('models/ict_head.bin', document.baseURI).href;
}

export function loadIctHead(): Promise<IctHead> {
  pending ??= (async () => {
    const res = await fetch(ictHeadUrl());
    if (!res.ok) throw new Error(`ICT head asset: HTTP ${res.status} for models/ict_head.bin`);
    return parseIctHead(new Uint8Array(await res.arrayBuffer()));
  })();
  // A failed load may be retried by the next view that asks.
  pending.catch(() => {
    pending = undefined;
  });
  return pending;
}
