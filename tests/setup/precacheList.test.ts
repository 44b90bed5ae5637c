// The offline precache leaves out onnxruntime-web's WebGPU-only runtime (26.8 MB) and keeps the
// plain WASM runtime the app runs on, plus the page, its assets and the pack's models.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { precacheList } from '../../src/sw/precachePlugin';

describe('precacheList', () => {
  it('precaches the plain WASM runtime and not the WebGPU-only asyncify build', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'precache-'));
    mkdirSync(path.join(dir, 'assets'));
    mkdirSync(path.join(dir, 'models'));
    for (const f of ['index-AbC123.js', 'ort-wasm-simd-threaded-Xy9.wasm', 'ort-wasm-simd-threaded.asyncify-D5D0fo7z.wasm', 'ort-wasm-simd-threaded.asyncify-Q1_w.mjs']) {
      writeFileSync(path.join(dir, 'assets', f), f);
    }
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(path.join(dir, 'models', 'manifest.json'), JSON.stringify({ models: [{ file: 'fer2d.onnx', card: 'fer2d.md' }] }));
    writeFileSync(path.join(dir, 'models', 'fer2d.onnx'), 'x');
    const { files } = precacheList(dir);
    expect(files).toEqual(['assets/index-AbC123.js', 'assets/ort-wasm-simd-threaded-Xy9.wasm', 'index.html', 'models/fer2d.onnx', 'models/manifest.json']);
  });

  it('precaches the ICT head, its card and the live view\'s lower-detail mesh, so the head works offline', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'precache-'));
    mkdirSync(path.join(dir, 'models'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(path.join(dir, 'models', 'manifest.json'), JSON.stringify({ models: [] }));
    for (const f of ['ict_head.bin', 'ict_head_lod.bin', 'ict_head.md']) writeFileSync(path.join(dir, 'models', f), f);
    const { files } = precacheList(dir);
    for (const f of ['models/ict_head.bin', 'models/ict_head_lod.bin', 'models/ict_head.md']) expect(files).toContain(f);
  });
});
