import { describe, expect, it } from 'vitest';
import { pickFaster, softwareAdapter, switchNeedsReload } from '../../src/core/inference/epPolicy';

describe('softwareAdapter', () => {
  it('names software rasterisers from GPUAdapterInfo', () => {
    expect(softwareAdapter({ vendor: 'google', architecture: 'swiftshader', device: '', description: '' })).toBe('SwiftShader');
    expect(softwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe('llvmpipe');
    expect(softwareAdapter({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' })).toBe('Microsoft Basic Render Driver');
  });
  it('treats a fallback adapter as software even when it names nothing', () => {
    expect(softwareAdapter({ isFallbackAdapter: true })).toBe('fallback adapter');
    expect(softwareAdapter({ isFallbackAdapter: true, vendor: 'acme' })).toBe('fallback adapter: acme');
  });
  it('leaves hardware adapters alone', () => {
    expect(softwareAdapter({ isFallbackAdapter: false, vendor: 'nvidia', architecture: 'ampere' })).toBeUndefined();
    expect(softwareAdapter({ vendor: 'apple', architecture: 'metal-3' })).toBeUndefined();
  });
});

describe('pickFaster', () => {
  it('picks the faster backend and gives both figures', async () => {
    const slowGpu = await pickFaster(async (ep) => (ep === 'wasm' ? 17 : 1126));
    expect(slowGpu.ep).toBe('wasm');
    expect(slowGpu.note).toBe("auto: WASM 17 ms vs WebGPU 1,126 ms per frame's models");
    const fastGpu = await pickFaster(async (ep) => (ep === 'wasm' ? 17 : 2.5));
    expect(fastGpu.ep).toBe('webgpu');
  });
  it('a backend that fails the timing run loses; both failing is an error', async () => {
    const r = await pickFaster(async (ep) => {
      if (ep === 'webgpu') throw new Error('no shader-f16');
      return 20;
    });
    expect(r.ep).toBe('wasm');
    expect(r.note).toContain('no shader-f16');
    await expect(pickFaster(async () => Promise.reject(new Error('x')))).rejects.toThrow(/no backend/);
  });
});

describe('switchNeedsReload', () => {
  it('forcing the EP that runs keeps the pipeline', () => {
    expect(switchNeedsReload('wasm', 'wasm')).toBe(false);
    expect(switchNeedsReload('webgpu', 'webgpu')).toBe(false);
  });
  it('another EP, Auto without a known choice, or nothing running yet reopens the pack', () => {
    expect(switchNeedsReload('wasm', 'webgpu')).toBe(true);
    expect(switchNeedsReload('webgpu', 'wasm')).toBe(true);
    expect(switchNeedsReload('wasm', 'auto')).toBe(true);
    expect(switchNeedsReload('webgpu', 'auto')).toBe(true);
    expect(switchNeedsReload(undefined, 'wasm')).toBe(true);
  });
  it('Auto keeps the pipeline only when its choice needs no timing and names what runs', () => {
    const software = { ep: 'wasm' as const, note: 'auto: WebGPU adapter is software (SwiftShader): using WASM' };
    expect(switchNeedsReload('wasm', 'auto', software)).toBe(false);
    expect(switchNeedsReload('webgpu', 'auto', software)).toBe(true);
    expect(switchNeedsReload(undefined, 'auto', software)).toBe(true);
    // A hardware adapter: both backends must be timed, whatever runs now.
    expect(switchNeedsReload('webgpu', 'auto', { ep: 'webgpu', measure: true })).toBe(true);
    expect(switchNeedsReload('wasm', 'auto', { ep: 'webgpu', measure: true })).toBe(true);
  });
});
