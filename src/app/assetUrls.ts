/** URLs of runtime assets. All are on the app's own origin: nothing is fetched from a CDN. */
export function appAssetUrls() {
  const base = document.baseURI;
  return {
    ortWasm: new URL('vendor/ort-wasm-simd-threaded.jsep.wasm', base).href,
    ortMjs: new URL('vendor/ort-wasm-simd-threaded.jsep.mjs', base).href,
    mediapipeWasmDir: new URL('vendor/mediapipe', base).href,
  };
}

/** The default pack ships with the app under models/. */
export function defaultPackUrl(): string {
  return new URL('models/', document.baseURI).href;
}
