/** Load a pack file: user-dropped files first, then the pack URL; optional sha256 check. */

export interface PackSource {
  packBaseUrl: string;
  packFiles?: Record<string, ArrayBuffer>;
}

export async function loadPackFile(src: PackSource, path: string, sha256?: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  const given = src.packFiles?.[path];
  if (given) {
    bytes = new Uint8Array(given);
  } else {
    const base = src.packBaseUrl.endsWith('/') ? src.packBaseUrl : `${src.packBaseUrl}/`;
    const url = new URL(path, new URL(base, globalThis.location?.href));
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new Error(`could not fetch ${path} from ${url.href}: ${(e as Error).message}`, { cause: e });
    }
    const hint = path.startsWith('third_party/') ? ' (run `npm run setup` to provision third-party models)' : '';
    if (!res.ok) throw new Error(`could not fetch ${path}: HTTP ${res.status}${hint}`);
    // Single-page-app hosts answer a missing file with index.html; that is "not found", not a model.
    if ((res.headers.get('content-type') ?? '').startsWith('text/html')) {
      throw new Error(`${path} is missing from the pack (the server sent a web page instead)${hint}`);
    }
    bytes = new Uint8Array(await res.arrayBuffer());
  }
  if (bytes.length === 0) throw new Error(`${path} is empty`);
  if (sha256) {
    const digest = await sha256Hex(bytes);
    if (digest !== sha256) throw new Error(`${path}: sha256 ${digest} does not match the manifest's ${sha256}`);
  }
  return bytes;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, '0')).join('');
}
