/**
 * Is this page's WebGL a software rasteriser (SwiftShader, llvmpipe, WARP: VMs, remote desktops,
 * CI)? There every WebGL call of the page — and of MediaPipe in the inference worker — runs on
 * the CPU in one GPU process, so the 3D views draw as cheaply as they can: no multisampling and
 * at most one pixel per CSS pixel (issue #16: the ICT head's draws held MediaPipe's read-back
 * up long enough to cost more than half the live throughput). Asked once per page, on a
 * throwaway canvas, because antialiasing must be chosen before a context exists.
 *
 * When: creating that context blocks the main thread ≈ 0.1 s on SwiftShader, and during start-up the
 * page's main thread is what hands the inference worker its first message (Chrome delivers a message
 * posted before the worker ran through the page's thread), so the live view asks for it when the
 * page is idle (`probeSoftwareWebGlWhenIdle`), and whatever needs the answer sooner still gets it
 * at once from `softwareWebGl()` (issue #16, README "Benchmarks").
 */
import { softwareAdapter } from '../core/inference/epPolicy';
import { startupMark } from '../core/startupMarks';

let probed: { name?: string } | undefined;
let idleProbeScheduled = false;
const listeners = new Set<() => void>();

/** Whether the probe has run, i.e. `softwareWebGl()` answers without touching WebGL. */
export function softwareWebGlKnown(): boolean {
  return probed !== undefined;
}

/**
 * Probe when the main thread is next idle (at most 2 s from now), unless something asks sooner.
 * `listener` hears once, when the answer is known (at once if it already is). Returns the unsubscribe.
 */
export function probeSoftwareWebGlWhenIdle(listener?: () => void): () => void {
  if (probed) {
    if (listener) queueMicrotask(listener);
    return () => undefined;
  }
  if (listener) listeners.add(listener);
  if (!idleProbeScheduled) {
    idleProbeScheduled = true;
    const probe = () => void softwareWebGl();
    if (typeof requestIdleCallback === 'function') requestIdleCallback(probe, { timeout: 2000 });
    else setTimeout(probe, 200);
  }
  return () => {
    if (listener) listeners.delete(listener);
  };
}

function announce(): void {
  // Not synchronously: the first caller may be a React render, which must not set state elsewhere.
  const heard = [...listeners];
  listeners.clear();
  queueMicrotask(() => heard.forEach((l) => l()));
}

/** The software rasteriser's name, or undefined on a hardware GPU (or when WebGL says nothing). */
export function softwareWebGl(): string | undefined {
  if (probed) return probed.name;
  probed = {};
  try {
    return probeWebGl(probed);
  } finally {
    startupMark('page:webgl-probed');
    announce();
  }
}

function probeWebGl(into: { name?: string }): string | undefined {
  try {
    const canvas = document.createElement('canvas');
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return undefined;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    const vendor = String(gl.getParameter(ext ? ext.UNMASKED_VENDOR_WEBGL : gl.VENDOR) ?? '');
    into.name = softwareAdapter({ vendor, description: renderer });
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  } catch {
    // No answer: treat it as a hardware GPU (the views look as before).
  }
  return into.name;
}
