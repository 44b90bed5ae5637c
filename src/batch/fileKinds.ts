/**
 * What a dropped file is, from its name (cheap, for the preview) and from its first bytes
 * (before decoding, so a text file renamed .jpg gets a clear reason instead of a browser's
 * "source image could not be decoded"). Framework-free and pure.
 */

export type FileKind = 'image' | 'video' | 'labels' | 'system' | 'other';

export const IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'bmp', 'gif'] as const;
export const VIDEO_EXTENSIONS = ['mp4', 'webm', 'mov', 'm4v', 'ogv'] as const;
/** Files that may hold labels (CSV tables). */
export const LABEL_EXTENSIONS = ['csv'] as const;

const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini', '.ds_store']);

export function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** Kind by name alone. Hidden files (".foo", "__MACOSX/…") and OS droppings are 'system' and silently skipped. */
export function kindFromName(path: string): FileKind {
  const parts = path.split(/[\\/]/).filter(Boolean);
  const base = (parts[parts.length - 1] ?? '').toLowerCase();
  if (SYSTEM_FILES.has(base) || base.startsWith('.') || parts.some((p) => p === '__MACOSX')) return 'system';
  const ext = extensionOf(base);
  if ((IMAGE_EXTENSIONS as readonly string[]).includes(ext)) return 'image';
  if ((VIDEO_EXTENSIONS as readonly string[]).includes(ext)) return 'video';
  if ((LABEL_EXTENSIONS as readonly string[]).includes(ext)) return 'labels';
  return 'other';
}

export type SniffedType = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'avif' | 'mp4' | 'webm' | 'text' | 'empty' | 'unknown';

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** Content type from the first bytes (16 are enough). */
export function sniffType(bytes: Uint8Array): SniffedType {
  if (bytes.length === 0) return 'empty';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (ascii(bytes, 0, 4) === 'GIF8') return 'gif';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  if (ascii(bytes, 0, 2) === 'BM' && bytes.length >= 14) return 'bmp';
  if (ascii(bytes, 4, 8) === 'ftyp') return /avi[fs]/.test(ascii(bytes, 8, 12)) ? 'avif' : 'mp4';
  if (startsWith(bytes, [0x1a, 0x45, 0xdf, 0xa3])) return 'webm';
  if (looksLikeText(bytes)) return 'text';
  return 'unknown';
}

function looksLikeText(bytes: Uint8Array): boolean {
  let i = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  if (i >= bytes.length) return true;
  for (; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 9 || c === 10 || c === 13) continue;
    if (c < 32 || c === 127) return false;
  }
  return true;
}

const IMAGE_TYPES: readonly SniffedType[] = ['png', 'jpeg', 'gif', 'webp', 'bmp', 'avif'];

/**
 * Why a file named as an image cannot be one, or undefined when its bytes look like an image.
 * The decoder still has the last word (a truncated PNG passes this check).
 */
export function notAnImageReason(bytes: Uint8Array, name: string): string | undefined {
  const t = sniffType(bytes);
  if (IMAGE_TYPES.includes(t)) return undefined;
  const ext = extensionOf(name) || 'no extension';
  if (t === 'empty') return 'the file is empty (0 bytes)';
  if (t === 'text') return `not an image: the file contains text (named .${ext})`;
  if (t === 'mp4' || t === 'webm') return `not an image: the file is a ${t} video (named .${ext})`;
  return `not an image: unknown file format (named .${ext}, starts with ${hex(bytes.subarray(0, 8))})`;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** Readable reason for a decode failure, given the sniffed type (the browser's own message is often vague). */
export function decodeFailureReason(bytes: Uint8Array, name: string, browserMessage: string): string {
  const t = sniffType(bytes);
  const msg = browserMessage ? ` (${browserMessage})` : '';
  if (IMAGE_TYPES.includes(t)) return `corrupt or truncated ${t.toUpperCase()} image: it could not be decoded${msg}`;
  return notAnImageReason(bytes, name) ?? `could not decode${msg}`;
}
