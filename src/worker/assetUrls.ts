/** URLs of runtime assets. All are on the app's own origin: nothing is fetched from a CDN. */
// onnxruntime-web/webgpu 1.30 runs on the asyncify build of the runtime (the JSEP files lack
// webgpuInit). Importing it as a Vite asset makes the build ship exactly one copy of it.
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';

export function appAssetUrls() {
  const base = document.baseURI;
  return {
    ortWasm: new URL(ortWasmUrl, base).href,
    mediapipeWasmDir: new URL('vendor/mediapipe', base).href,
  };
}

/** The default pack ships with the app under models/. */
export function defaultPackUrl(): string {
  return new URL('models/', document.baseURI).href;
}
