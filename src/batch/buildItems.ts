/**
 * Browser side: a batch plan becomes BatchItems whose decode() runs only when the item's turn
 * comes (so 10,000 files never mean 10,000 bitmaps). Non-images get a clear reason before the
 * decoder is asked; videos are opened here to learn their length and sampled at `fps`.
 */
import { extensionOf, notAnImageReason, decodeFailureReason } from './fileKinds';
import { framePath, sampleTimes } from './frameSampling';
import type { BatchItem } from './batchTypes';
import type { BatchPlan, PlannedFile } from './prepareBatch';
import { VideoFrameSource } from './videoFrames';

/** What a row came from, for thumbnails and the detail view. */
export type ItemSource =
  | { kind: 'image'; file: Blob; path: string }
  | { kind: 'video-frame'; file: Blob; path: string; videoPath: string; time: number }
  | { kind: 'other'; path: string };

export interface BuiltItems {
  items: BatchItem[];
  sources: Map<number, ItemSource>;
  /** Thumbnails made while decoding video frames (id → small JPEG). */
  thumbs: Map<number, Blob>;
  videoSources: VideoFrameSource[];
  /** Per-video notes (e.g. sampling capped). */
  notes: string[];
}

async function head(file: Blob, n = 16): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(0, n).arrayBuffer());
}

export async function decodeImageFile(file: Blob, path: string): Promise<ImageBitmap> {
  const bytes = await head(file);
  const reason = notAnImageReason(bytes, path);
  if (reason) throw new Error(reason);
  try {
    // 'from-image' honours EXIF orientation, as a person sees the photo.
    return await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch (e) {
    throw new Error(decodeFailureReason(bytes, path, (e as Error).message), { cause: e });
  }
}

function imageItem(id: number, f: PlannedFile): BatchItem {
  return { id, path: f.path, kind: 'image', label: f.label, decode: () => decodeImageFile(f.file, f.path) };
}

export async function buildItems(plan: BatchPlan, opts: { fps: number; onStatus?: (s: string) => void }): Promise<BuiltItems> {
  const items: BatchItem[] = [];
  const sources = new Map<number, ItemSource>();
  const thumbs = new Map<number, Blob>();
  const videoSources: VideoFrameSource[] = [];
  const notes: string[] = [];
  let id = 0;

  for (const f of plan.images) {
    sources.set(id, { kind: 'image', file: f.file, path: f.path });
    items.push(imageItem(id++, f));
  }

  for (const [i, v] of plan.videos.entries()) {
    opts.onStatus?.(`Reading video ${i + 1} of ${plan.videos.length}: ${v.path}`);
    let src: VideoFrameSource;
    try {
      src = await VideoFrameSource.open(v.file);
    } catch (e) {
      const reason = `unreadable video: ${(e as Error).message}`;
      sources.set(id, { kind: 'other', path: v.path });
      items.push({ id: id++, path: v.path, kind: 'video-frame', decode: () => Promise.reject(new Error(reason)) });
      continue;
    }
    videoSources.push(src);
    const { times, capped } = sampleTimes(src.duration, opts.fps);
    if (capped) notes.push(`${v.path}: ${capped}`);
    for (const time of times) {
      const itemId = id++;
      sources.set(itemId, { kind: 'video-frame', file: v.file, path: framePath(v.path, time), videoPath: v.path, time });
      items.push({
        id: itemId,
        path: framePath(v.path, time),
        kind: 'video-frame',
        video: { path: v.path, time },
        label: v.label,
        decode: async () => {
          const { bitmap, thumb } = await src.frameAt(time, 64);
          if (thumb) thumbs.set(itemId, thumb);
          return bitmap;
        },
      });
    }
  }

  for (const o of plan.others) {
    const ext = extensionOf(o.path);
    let what = ext ? `.${ext} file` : 'file without an extension';
    try {
      const bytes = await head(o.file);
      const sniff = notAnImageReason(bytes, o.path);
      if (!sniff) what = `${what} (its content looks like an image: rename it with an image extension to include it)`;
    } catch {
      /* unreadable: keep the generic reason */
    }
    const reason = `not an image or video: ${what}`;
    sources.set(id, { kind: 'other', path: o.path });
    items.push({ id: id++, path: o.path, kind: 'image', label: o.label, decode: () => Promise.reject(new Error(reason)) });
  }
  return { items, sources, thumbs, videoSources, notes };
}
