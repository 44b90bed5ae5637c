/**
 * Many input files in one HTTP response, for the command-line runner (`npm run batch`,
 * `npm run extract`). Pure: shared by the Node side that writes bundles
 * (scripts/cli/inputBundles.ts) and the page that reads them (bundleReader.ts).
 *
 * Why: one request per file cost 11.5–12.5 ms of CPU per image (fetch and decode of 2 KB FER+
 * images), spread over Chromium's browser process, its network service, the page and Node,
 * against 1.5–2.2 ms with bundles of 32 — a sixth of the whole per-image budget at 30 images/s
 * on two cores.
 *
 * Layout: the header's length (u32, little-endian), the header (UTF-8 JSON, `BundleHeader`),
 * then the bytes of every readable file, in the header's order. A file that could not be read
 * has an `error` entry and no bytes, so one bad file fails its own row, not the bundle.
 */

export const BUNDLE_VERSION = 1;

export type BundleHeaderEntry = { size: number } | { error: string };

export interface BundleHeader {
  version: typeof BUNDLE_VERSION;
  files: BundleHeaderEntry[];
}

/** Where each file lies in the whole bundle (offsets count from its first byte), or why it is absent. */
export type BundleEntry = { offset: number; size: number } | { error: string };

/** Bundles hold at most this many files and (unless one file alone is larger) this many bytes. */
export const BUNDLE_LIMITS = { files: 32, bytes: 8 * 2 ** 20 };

/** The bytes that precede the files: the header's length, then the header. */
export function encodeBundlePrefix(files: readonly BundleHeaderEntry[]): Uint8Array {
  const header: BundleHeader = { version: BUNDLE_VERSION, files: [...files] };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(4 + json.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  return out;
}

/** The header's length from the bundle's first 4 bytes; throws when it cannot fit the bundle. */
export function bundleHeaderLength(first4: Uint8Array, totalBytes: number): number {
  if (first4.length < 4 || totalBytes < 4) throw new Error(`file bundle: ${totalBytes} bytes, too short for a header`);
  const n = new DataView(first4.buffer, first4.byteOffset, 4).getUint32(0, true);
  if (4 + n > totalBytes) throw new Error(`file bundle: header of ${n} bytes does not fit in ${totalBytes} bytes`);
  return n;
}

/**
 * Checks the header against the bundle's size and says where each file lies. Throws a message
 * naming what is wrong (not JSON, wrong version, a bad entry, sizes that do not add up).
 */
export function bundleLayout(headerText: string, headerLength: number, totalBytes: number, expectedFiles?: number): BundleEntry[] {
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch {
    throw new Error('file bundle: header is not JSON');
  }
  const h = header as Partial<BundleHeader> | null;
  if (!h || typeof h !== 'object' || h.version !== BUNDLE_VERSION) throw new Error(`file bundle: header version ${String(h?.version)}, expected ${BUNDLE_VERSION}`);
  if (!Array.isArray(h.files)) throw new Error('file bundle: header has no files list');
  if (expectedFiles !== undefined && h.files.length !== expectedFiles) throw new Error(`file bundle: ${h.files.length} files, expected ${expectedFiles}`);
  let offset = 4 + headerLength;
  const entries = h.files.map((f, i): BundleEntry => {
    const e = f as Partial<{ size: unknown; error: unknown }> | null;
    if (e && typeof e.error === 'string') return { error: e.error };
    if (!e || typeof e.size !== 'number' || !Number.isSafeInteger(e.size) || e.size < 0) throw new Error(`file bundle: file ${i} has neither a size nor an error`);
    const entry = { offset, size: e.size };
    offset += e.size;
    return entry;
  });
  if (offset !== totalBytes) throw new Error(`file bundle: the files add up to ${offset} bytes, the bundle has ${totalBytes}`);
  return entries;
}

/**
 * Groups items, in order, into bundles of consecutive items within BUNDLE_LIMITS. Returns the
 * items' ids per bundle. Order is kept because the batch runner decodes items in order, so a
 * bundle is fetched once and dropped when its last item has been taken.
 */
export function planBundles(items: readonly { id: number; size: number }[], limits = BUNDLE_LIMITS): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const { id, size } of items) {
    if (current.length > 0 && (current.length >= limits.files || bytes + size > limits.bytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(id);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}
