/** URLs of runtime assets. All are on the app's own origin: nothing is fetched from a CDN. */
// onnxruntime-web/webgpu 1.30 runs on the asyncify build of the runtime (the JSEP files lack
// webgpuInit). Importing it as a Vite asset makes the build ship exactly one copy of it.
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
// The plain SIMD-threaded build (14.2 MB vs 26.8 MB) serves the WASM EP: it loads faster, and
// runs the 2D model several times faster than the asyncify build (asyncify instruments every
// call so WebGPU can await; the WASM EP never needs that). See ortSession.ts.
import ortWasmPlainUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';

export function appAssetUrls() {
  const base = document.baseURI;
  return {
    ortWasm: new URL(ortWasmUrl, base).href,
    ortWasmPlain: new URL(ortWasmPlainUrl, base).href,
    mediapipeWasmDir: new URL('vendor/mediapipe', base).href,
  };
}

/** The default pack ships with the app under models/. */
export function defaultPackUrl(): string {
  return new URL('models/', document.baseURI).href;
}
