/// <reference types="vitest/config" />
import { availableParallelism } from 'node:os';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { precachePlugin } from './src/sw/precachePlugin';

// Cross-origin isolation lets onnxruntime-web use WASM threads (SharedArrayBuffer).
// A static host must send the same two headers (see README "Deploying").
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// "Nothing leaves the browser": the built app may only talk to its own origin.
// Added at build time only, because the dev server's HMR preamble is an inline script.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self' blob: data:",
  "img-src 'self' blob: data:",
  "media-src 'self' blob: mediastream:",
  "style-src 'self' 'unsafe-inline'",
].join('; ');

const cspPlugin: Plugin = {
  name: 'ig3d-csp',
  apply: 'build',
  transformIndexHtml: (html) =>
    html.replace('<head>', `<head>\n    <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`),
};

export default defineConfig({
  // precachePlugin: dist/sw.js with the list of files to keep for offline use (teaching mode, lecture halls).
  plugins: [react(), cspPlugin, precachePlugin()],
  base: './',
  // These ship their own wasm loaders; pre-bundling breaks their relative asset lookups.
  optimizeDeps: { exclude: ['onnxruntime-web', '@mediapipe/tasks-vision'] },
  worker: { format: 'es' },
  server: { headers: isolationHeaders, port: 5173, strictPort: false },
  preview: { headers: isolationHeaders, port: 4173 },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    // cli.html is the page the command-line tools (npm run batch / extract) drive headlessly.
    rollupOptions: { input: { main: 'index.html', cli: 'cli.html' } },
  },
  test: {
    include: ['tests/**/*.test.ts', 'src/**/*.test.ts'],
    environment: 'node',
    // Vitest's default (cores − 1) runs one file at a time on a 2-core CI machine, where the CLI fault
    // tests (tests/cli/batchFaults.test.ts, ≈ 3 min) mostly wait on the CLI's Chromium: the other
    // files run beside them (vitest phase 222 → 187 s here). Not more: with the fault tests split in
    // two files and 3 workers (two CLIs at once) their worker-death case failed in one of two runs,
    // for 9 s gained. Without a cache vitest starts the largest file first (the fault file), and its
    // timing-sensitive case (a 10 s item timeout) comes after the other files have ended.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
