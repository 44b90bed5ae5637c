import { useEffect, useState } from 'react';
import { batchSession } from '../../stores/batchStore';

/** Files up to this size are shown directly; larger ones get a downscaled copy first. */
const DIRECT_MAX_BYTES = 1_500_000;
const THUMB_SIDE = 64;

async function makeThumb(file: Blob): Promise<Blob> {
  const bmp = await createImageBitmap(file, { resizeWidth: THUMB_SIDE, resizeQuality: 'low' });
  try {
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    c.getContext('2d')!.drawImage(bmp, 0, 0);
    return await c.convertToBlob({ type: 'image/jpeg', quality: 0.7 });
  } finally {
    bmp.close();
  }
}

/**
 * Thumbnail of one row, made only while the row is mounted (the table is virtualised, so
 * only visible rows are): its object URL is revoked when the row scrolls away.
 */
export function Thumb({ id }: { id: number }) {
  const [url, setUrl] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let alive = true;
    let made: string | undefined;
    const src = batchSession.source(id);
    const set = (blob: Blob) => {
      made = URL.createObjectURL(blob);
      if (alive) setUrl(made);
      else URL.revokeObjectURL(made);
    };
    const run = async () => {
      if (!src || src.kind === 'other') return setFailed(true);
      if (src.kind === 'video-frame') {
        const t = batchSession.thumb(id);
        return t ? set(t) : setFailed(true);
      }
      if (src.file.size <= DIRECT_MAX_BYTES) return set(src.file);
      // Timer first: decoding a huge image for a thumbnail must not block fast scrolling.
      await new Promise((r) => setTimeout(r, 150));
      if (!alive) return;
      set(await makeThumb(src.file));
    };
    run().catch(() => alive && setFailed(true));
    return () => {
      alive = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [id]);
  if (failed) return <span className="thumb thumb--none" aria-label="no preview" />;
  return url ? <img className="thumb" src={url} alt="" onError={() => setFailed(true)} decoding="async" /> : <span className="thumb" />;
}
