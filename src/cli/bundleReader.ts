/**
 * Page side of the command-line runner's file bundles (fileBundle.ts): hands out each input
 * file as a Blob, fetching its bundle on first demand and dropping it once every file in it has
 * been taken, so the page holds about one bundle at a time however large the dataset.
 * A file asked for again (a row redone after a worker died) refetches its bundle.
 */
import { bundleHeaderLength, bundleLayout, type BundleEntry } from './fileBundle';

export interface BundleRef {
  url: string;
  /** The items' ids, in the bundle's order. */
  ids: number[];
}

interface OpenBundle {
  files: Promise<{ blob: Blob; entries: BundleEntry[] }>;
  /** Ids of this bundle not handed out yet; the bundle is dropped when none are left. */
  left: Set<number>;
}

export class BundleReader {
  private readonly where = new Map<number, { bundle: number; index: number }>();
  private readonly open = new Map<number, OpenBundle>();
  private readonly taken = new Set<number>();

  constructor(
    private readonly bundles: readonly BundleRef[],
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {
    bundles.forEach((b, bundle) => b.ids.forEach((id, index) => this.where.set(id, { bundle, index })));
  }

  /** Bundles currently held (for tests and memory checks). */
  get held(): number {
    return this.open.size;
  }

  /** The file of item `id`; rejects with the reason when it could not be read. */
  async file(id: number): Promise<Blob> {
    const at = this.where.get(id);
    if (!at) throw new Error(`item ${id} is in no file bundle`);
    let b = this.open.get(at.bundle);
    if (!b) {
      const ids = this.bundles[at.bundle].ids;
      b = { files: this.load(this.bundles[at.bundle]), left: new Set(ids.filter((x) => x === id || !this.taken.has(x))) };
      this.open.set(at.bundle, b);
    }
    b.left.delete(id);
    this.taken.add(id);
    if (b.left.size === 0) this.open.delete(at.bundle);
    let files: Awaited<OpenBundle['files']>;
    try {
      files = await b.files;
    } catch (e) {
      // A failed fetch is not kept: the next file of this bundle tries again.
      if (this.open.get(at.bundle) === b) this.open.delete(at.bundle);
      throw e;
    }
    const entry = files.entries[at.index];
    if ('error' in entry) throw new Error(entry.error);
    return files.blob.slice(entry.offset, entry.offset + entry.size);
  }

  private async load(ref: BundleRef): Promise<{ blob: Blob; entries: BundleEntry[] }> {
    const res = await this.fetchFn(ref.url);
    if (!res.ok) throw new Error(`could not fetch the input files (HTTP ${res.status})`);
    const blob = await res.blob();
    const headerLength = bundleHeaderLength(new Uint8Array(await blob.slice(0, 4).arrayBuffer()), blob.size);
    const entries = bundleLayout(await blob.slice(4, 4 + headerLength).text(), headerLength, blob.size, ref.ids.length);
    return { blob, entries };
  }
}
