/**
 * Is this page's WebGL a software rasteriser (SwiftShader, llvmpipe, WARP: VMs, remote desktops,
 * CI)? There every WebGL call of the page — and of MediaPipe in the inference worker — runs on
 * the CPU in one GPU process, so the 3D views draw as cheaply as they can: no multisampling and
 * at most one pixel per CSS pixel (issue #16: the ICT head's draws held MediaPipe's read-back
 * up long enough to cost more than half the live throughput). Asked once per page, on a
 * throwaway canvas, because antialiasing must be chosen before a context exists.
 */
import { softwareAdapter } from '../core/inference/epPolicy';

let probed: { name?: string } | undefined;

/** The software rasteriser's name, or undefined on a hardware GPU (or when WebGL says nothing). */
export function softwareWebGl(): string | undefined {
  if (probed) return probed.name;
  probed = {};
  try {
    const canvas = document.createElement('canvas');
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return undefined;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    const vendor = String(gl.getParameter(ext ? ext.UNMASKED_VENDOR_WEBGL : gl.VENDOR) ?? '');
    probed.name = softwareAdapter({ vendor, description: renderer });
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  } catch {
    // No answer: treat it as a hardware GPU (the views look as before).
  }
  return probed.name;
}
