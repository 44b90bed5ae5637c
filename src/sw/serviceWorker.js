/* ig3d-web service worker: the app and its model pack work offline after the first visit.
 * Plain script (no bundling); dist/sw.js = the precache list (self.__IG3D_PRECACHE, written by
 * src/sw/precachePlugin.ts) + this file.
 *  - install: download every precached file into a versioned cache (progress posted to pages);
 *  - activate: delete caches of older versions;
 *  - fetch: same-origin GETs are served cache-first (then network, cached at run time); other
 *    origins are never touched. Responses keep (or get) COOP/COEP/CORP headers so the page stays
 *    cross-origin isolated (WASM threads) when served from the cache.
 * Nothing is ever sent anywhere: the worker only reads this site's own files.
 */
const PRECACHE = self.__IG3D_PRECACHE || { version: 'dev', files: [], bytes: 0 };
// "h2": entries are stored with the isolation headers on (older caches lack them; activate drops them).
const CACHE = `ig3d-precache-h2-${PRECACHE.version}`;
const RUNTIME = `ig3d-runtime-h2-${PRECACHE.version}`;
const SCOPE = new URL(self.registration.scope);
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
let progress = { done: 0, total: PRECACHE.files.length, bytes: PRECACHE.bytes, version: PRECACHE.version, state: 'installing' };

async function broadcast(msg) {
  const clients = await self.clients.matchAll({ includeUncontrolled: true, type: 'window' });
  for (const c of clients) c.postMessage({ source: 'ig3d-sw', ...msg });
}

async function precache() {
  const cache = await caches.open(CACHE);
  const queue = PRECACHE.files.slice();
  let lastPost = 0;
  const worker = async () => {
    while (queue.length) {
      const file = queue.shift();
      const url = new URL(file, SCOPE).href;
      if (await cache.match(url, { ignoreVary: true })) {
        progress.done++;
        continue;
      }
      const res = await fetch(new Request(url, { cache: 'reload', credentials: 'same-origin' }));
      if (!res.ok) throw new Error(`${file}: HTTP ${res.status}`);
      // Stored with the isolation headers already on, so a hit is served as the cached entry
      // itself (see withIsolation: re-wrapping it in a new Response at every visit made it a
      // synthetic response, which Chrome does not code-cache: the wasm was compiled again).
      await cache.put(url, withIsolation(res));
      progress.done++;
      if (Date.now() - lastPost > 250) {
        lastPost = Date.now();
        void broadcast({ type: 'progress', ...progress });
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  // The page itself, under the scope URL too ("/" as well as "/index.html").
  const index = await cache.match(new URL('index.html', SCOPE).href, { ignoreVary: true });
  if (index) await cache.put(SCOPE.href, index.clone());
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    precache().then(
      () => {
        progress = { ...progress, state: 'installed' };
        return broadcast({ type: 'installed', ...progress });
      },
      (e) => {
        progress = { ...progress, state: 'error', error: String(e && e.message ? e.message : e) };
        return broadcast({ type: 'error', ...progress }).then(() => {
          throw e;
        });
      },
    ),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith('ig3d-') && key !== CACHE && key !== RUNTIME) await caches.delete(key);
      }
      progress = { ...progress, state: 'ready' };
      await broadcast({ type: 'ready', ...progress });
    })(),
  );
});

/* A response that lacks the isolation headers gets them, in a new Response. Cached entries are
 * stored with them (precache, runtime cache), so at fetch time a hit normally passes through
 * untouched: Chrome keeps V8's compiled code for a wasm module alongside the Cache Storage entry
 * it was streamed from, and only for that entry, not for a Response built from its body. */
function withIsolation(res) {
  if (!res || res.type === 'opaque' || res.type === 'opaqueredirect' || res.status === 0) return res;
  const headers = new Headers(res.headers);
  let changed = false;
  for (const [k, v] of Object.entries(ISOLATION)) {
    if (!headers.has(k)) {
      headers.set(k, v);
      changed = true;
    }
  }
  return changed ? new Response(res.body, { status: res.status, statusText: res.statusText, headers }) : res;
}

async function respond(request) {
  const url = new URL(request.url);
  // Navigations to the app (any query/hash) get the cached page: the app shell.
  if (request.mode === 'navigate' && (url.pathname === SCOPE.pathname || url.pathname === `${SCOPE.pathname}index.html`)) {
    const shell = (await caches.match(new URL('index.html', SCOPE).href, { cacheName: CACHE, ignoreVary: true })) || null;
    if (shell) return withIsolation(shell);
  }
    // ignoreVary: the server may send "Vary: Origin"; module scripts and workers ask with an Origin header,
  // the precache did not, and both are the same file.
  const hit = (await caches.match(request, { cacheName: CACHE, ignoreVary: true })) || (await caches.match(request, { cacheName: RUNTIME, ignoreVary: true }));
  if (hit) return withIsolation(hit);
  const res = await fetch(request);
  if (res.ok && res.type === 'basic' && !request.headers.has('range')) {
    const copy = withIsolation(res.clone());
    void caches.open(RUNTIME).then((c) => c.put(request, copy)).catch(() => undefined);
  }
  return withIsolation(res);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // Other origins: not ours to handle (the app never contacts them).
  if (url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return;
  // The command-line tools' page and the worker script itself always come from the network.
  if (url.pathname.endsWith('/cli.html') || url.pathname.endsWith('/sw.js')) return;
  event.respondWith(respond(request));
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'status') {
    event.source && event.source.postMessage({ source: 'ig3d-sw', type: 'status', ...progress });
  }
});
