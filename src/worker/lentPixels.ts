/**
 * An analysed frame's pixels lent by the inference worker for the live preview (worker/frameImage.ts):
 * shown like an ImageBitmap, and given back instead of closed, so the worker converts its next frames
 * into the same few buffers instead of a fresh 1.2 MB one each (issue #16: page faults). Like a closed
 * ImageBitmap, it reads as 0×0 once given back.
 */
export class LentPixels {
  private image?: ImageData;

  constructor(
    image: ImageData,
    private readonly giveBack: (buffer: ArrayBuffer) => void,
  ) {
    this.image = image;
  }

  get width(): number {
    return this.image?.width ?? 0;
  }

  get height(): number {
    return this.image?.height ?? 0;
  }

  /** The pixels, until given back. */
  get pixels(): ImageData | undefined {
    return this.image;
  }

  /** Gives the buffer back (once; later calls do nothing). Named like ImageBitmap's, as it replaces it. */
  close(): void {
    const image = this.image;
    if (!image) return;
    this.image = undefined;
    this.giveBack(image.data.buffer as ArrayBuffer);
  }
}
