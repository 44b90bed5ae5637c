import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The module keeps its answer for the page's lifetime: each test gets a fresh copy.
async function freshModule() {
  vi.resetModules();
  return import('../../src/render3d/softwareGl');
}

describe('software WebGL probe, asked when idle (issue #16 start-up)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('does not probe while mounting; probes on the next idle moment and tells each listener once', async () => {
    const getContext = vi.fn(() => null);
    vi.stubGlobal('document', { createElement: () => ({ getContext }) });
    const gl = await freshModule();
    const heard = vi.fn();
    gl.probeSoftwareWebGlWhenIdle(heard);
    gl.probeSoftwareWebGlWhenIdle(heard); // a second render subscribing again: still one probe
    expect(gl.softwareWebGlKnown()).toBe(false);
    expect(getContext).not.toHaveBeenCalled();
    await vi.runAllTimersAsync();
    expect(gl.softwareWebGlKnown()).toBe(true);
    expect(getContext).toHaveBeenCalledTimes(2); // webgl2, then webgl: one throwaway canvas
    expect(heard).toHaveBeenCalledTimes(1);
  });

  it('answers at once when asked before the idle moment, and the idle probe does not run again', async () => {
    const getContext = vi.fn(() => ({
      getExtension: (name: string) => (name === 'WEBGL_debug_renderer_info' ? { UNMASKED_RENDERER_WEBGL: 1, UNMASKED_VENDOR_WEBGL: 2 } : null),
      getParameter: (p: number) => (p === 1 ? 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)' : 'Google Inc. (Google)'),
    }));
    vi.stubGlobal('document', { createElement: () => ({ getContext }) });
    const gl = await freshModule();
    const heard = vi.fn();
    gl.probeSoftwareWebGlWhenIdle(heard);
    expect(gl.softwareWebGl()).toMatch(/swiftshader/i); // e.g. the camera started before the page was idle
    await vi.runAllTimersAsync();
    expect(heard).toHaveBeenCalledTimes(1);
    expect(getContext).toHaveBeenCalledTimes(1);
    // A view mounted later hears at once (asynchronously) and nothing is probed again.
    const late = vi.fn();
    gl.probeSoftwareWebGlWhenIdle(late);
    await Promise.resolve();
    expect(late).toHaveBeenCalledTimes(1);
    expect(getContext).toHaveBeenCalledTimes(1);
  });

  it('an unsubscribed listener is not called', async () => {
    vi.stubGlobal('document', { createElement: () => ({ getContext: () => null }) });
    const gl = await freshModule();
    const heard = vi.fn();
    const off = gl.probeSoftwareWebGlWhenIdle(heard);
    off();
    await vi.runAllTimersAsync();
    expect(gl.softwareWebGlKnown()).toBe(true);
    expect(heard).not.toHaveBeenCalled();
  });
});
