/**
 * Frames of a video file for batch mode: an offscreen <video> seeks to each sampled time and
 * createImageBitmap(video) grabs the frame. One video element per file; seeks are serialised,
 * so two inference workers asking for frames of the same video never race.
 */

const MEDIA_ERRORS: Record<number, string> = {
  1: 'loading was aborted',
  2: 'a network error occurred while reading it',
  3: 'the video data is corrupt or uses a codec this browser cannot decode',
  4: 'the format or codec is not supported by this browser',
};

function waitFor(el: HTMLVideoElement, event: string, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      el.removeEventListener(event, ok);
      el.removeEventListener('error', bad);
    };
    const ok = () => (cleanup(), resolve());
    const bad = () => (cleanup(), reject(new Error(MEDIA_ERRORS[el.error?.code ?? 0] ?? el.error?.message ?? 'unknown media error')));
    const timer = setTimeout(() => (cleanup(), reject(new Error(`timed out ${what}`))), timeoutMs);
    el.addEventListener(event, ok, { once: true });
    el.addEventListener('error', bad, { once: true });
  });
}

/**
 * A <video> element reading `file` until `until` fires, its length checked. The caller owns the element
 * and its object URL (closeVideo); on failure both are released here and the error says why.
 */
async function loadVideo(file: Blob, until: 'loadedmetadata' | 'loadeddata', timeoutMs: number): Promise<{ video: HTMLVideoElement; url: string }> {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = until === 'loadeddata' ? 'auto' : 'metadata';
  video.playsInline = true;
  const url = URL.createObjectURL(file);
  try {
    const loaded = waitFor(video, until, timeoutMs, 'reading the video');
    video.src = url;
    await loaded;
    if (until === 'loadeddata' && !(video.videoWidth > 0 && video.videoHeight > 0)) throw new Error('the file has no video track');
    if (!Number.isFinite(video.duration) || video.duration <= 0) throw new Error('the video has no known duration');
    return { video, url };
  } catch (e) {
    closeVideo(video, url);
    throw e;
  }
}

function closeVideo(video: HTMLVideoElement, url: string): void {
  video.removeAttribute('src');
  video.load();
  URL.revokeObjectURL(url);
}

/**
 * A video's length in seconds from its metadata alone (no frame is decoded), so the Batch tab can
 * count a run's frames in the preview and size its pool. Rejects with a readable reason, like
 * VideoFrameSource.open, when the file cannot be read or its length is not known.
 */
export async function probeVideoDuration(file: Blob, timeoutMs = 10_000): Promise<number> {
  const { video, url } = await loadVideo(file, 'loadedmetadata', timeoutMs);
  const duration = video.duration;
  closeVideo(video, url);
  return duration;
}

export class VideoFrameSource {
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly video: HTMLVideoElement,
    private readonly url: string,
  ) {}

  get duration(): number {
    return this.video.duration;
  }
  get width(): number {
    return this.video.videoWidth;
  }
  get height(): number {
    return this.video.videoHeight;
  }

  /** Rejects with a readable reason when the file is not a video this browser can decode. */
  static async open(file: Blob, timeoutMs = 15_000): Promise<VideoFrameSource> {
    const { video, url } = await loadVideo(file, 'loadeddata', timeoutMs);
    return new VideoFrameSource(video, url);
  }

  /** The frame shown at `time` seconds, plus an optional small JPEG thumbnail of it. */
  frameAt(time: number, thumbWidth = 0): Promise<{ bitmap: ImageBitmap; thumb?: Blob }> {
    const run = async () => {
      if (this.closed) throw new Error('video source closed');
      const v = this.video;
      if (Math.abs(v.currentTime - time) > 1e-4 || v.readyState < 2) {
        const seeked = waitFor(v, 'seeked', 10_000, `seeking to ${time.toFixed(3)} s`);
        v.currentTime = time;
        await seeked;
      }
      const bitmap = await createImageBitmap(v);
      let thumb: Blob | undefined;
      if (thumbWidth > 0) {
        const h = Math.max(1, Math.round((thumbWidth * v.videoHeight) / v.videoWidth));
        const c = new OffscreenCanvas(thumbWidth, h);
        c.getContext('2d')!.drawImage(bitmap, 0, 0, thumbWidth, h);
        thumb = await c.convertToBlob({ type: 'image/jpeg', quality: 0.7 });
      }
      return { bitmap, thumb };
    };
    const p = this.lock.then(run, run);
    this.lock = p.catch(() => undefined);
    return p;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeVideo(this.video, this.url);
  }
}
