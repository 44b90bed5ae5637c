/**
 * A minimal static server on 127.0.0.1 for the command-line tools: the built app at `/`,
 * an optional pack at `/__pack/`, the input files in bundles (`handle`, inputBundles.ts). Same origin for
 * everything, with the cross-origin isolation headers the app needs for WASM threads.
 *
 * `headers: 'vite-preview'` serves like `vite preview` with the app's config instead: the two
 * isolation headers only (no Cross-Origin-Resource-Policy, no Cache-Control), the host on which the
 * service worker must re-wrap its cache hits (sw/, README "Offline"); the benches use it to show that case.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.task': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.svg': 'image/svg+xml',
};

export interface Mounts {
  [prefix: string]: string;
}

/** Resolve a URL path under a root folder; undefined if it tries to leave the folder. */
function safeJoin(root: string, urlPath: string): string | undefined {
  const p = normalize(join(root, decodeURIComponent(urlPath)));
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep) ? p : undefined;
}

export interface StaticServerOptions {
  /** 'app' (default): isolation headers, CORP and Cache-Control like a static host; 'vite-preview': COOP/COEP only. */
  headers?: 'app' | 'vite-preview';
  /** Answers a request before the static files do (e.g. the CLI's input bundles); false: not handled. */
  handle?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export async function startStaticServer(mounts: Mounts, options: StaticServerOptions = {}): Promise<{ server: Server; origin: string }> {
  const previewLike = options.headers === 'vite-preview';
  const entries = Object.entries(mounts)
    .map(([prefix, dir]) => [prefix, resolve(dir)] as const)
    .sort((a, b) => b[0].length - a[0].length);
  const server = createServer((req, res) => {
    if (options.handle?.(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const mount = entries.find(([prefix]) => url.pathname.startsWith(prefix));
    let file = mount ? safeJoin(mount[1], url.pathname.slice(mount[0].length)) : undefined;
    try {
      if (file && statSync(file).isDirectory()) file = join(file, 'index.html');
      const st = file ? statSync(file) : undefined;
      if (!file || !st?.isFile()) throw new Error('not found');
      res.writeHead(200, {
        'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': st.size,
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        ...(previewLike
          ? {}
          : {
              'Cross-Origin-Resource-Policy': 'same-origin',
              // Like a real static host: content-hashed and vendored files are immutable, which also
              // lets Chromium cache compiled WebAssembly between workers (no re-compile per worker).
              'Cache-Control': /^\/(assets|vendor)\//.test(url.pathname) ? 'public, max-age=31536000, immutable' : 'no-store',
            }),
      });
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('server has no port');
  return { server, origin: `http://127.0.0.1:${address.port}` };
}
