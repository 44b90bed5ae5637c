import { useEffect, useRef } from 'react';
import type { FlameResult, FrameResult } from '../core/types';
import { drawLandmarkMesh, drawLandmarkPoints, type Context2D } from './draw2d';
import { cpuOverlayContext } from './cpuOverlay';
import { drawSkipped } from './benchSkip';
import { LentPixels } from '../worker/lentPixels';
import type { ShownFrame } from '../stores/shownFrame';

/**
 * FLAME vertices projected with the regressor's orthographic camera, mapped back through its
 * crop (camera.toImage), as dots. Returns how many landed inside the image.
 */
function drawFlamePoints(ctx: Context2D, flame: FlameResult): number {
  const [a, b, c, d, e, f] = flame.camera.toImage;
  const v = flame.vertices;
  const { width, height } = ctx.canvas;
  const r = Math.max(1, width / 640);
  let inside = 0;
  ctx.fillStyle = 'rgba(255, 180, 84, 0.55)';
  for (let i = 0; i < v.length; i += 6) {
    // every other vertex: FLAME's 5023 are denser than the preview's pixels
    const x = a * v[i] + c * v[i + 1] + e;
    const y = b * v[i] + d * v[i + 1] + f;
    if (x < 0 || y < 0 || x >= width || y >= height) continue;
    inside++;
    ctx.fillRect(x - r / 2, y - r / 2, r, r);
  }
  return inside;
}

interface Props {
  stream?: MediaStream;
  videoRef: React.RefObject<HTMLVideoElement | null>;
  result?: FrameResult;
  triangles?: Uint32Array;
  /**
   * The frame `result` was computed on: when given, the preview shows it (drawn with its
   * landmarks, one screen update per result) instead of the live <video>, which makes the
   * compositor draw 30 frames a second (LiveView decides when; see previewMode.ts).
   */
  shownFrame?: ShownFrame;
  analysed?: boolean;
}

/** Mirrored camera preview with the landmark mesh drawn over it. */
export function VideoPreview({ stream, videoRef, result, triangles, shownFrame, analysed = false }: Props) {
  const overlayRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    video.srcObject = stream ?? null;
    if (stream) void video.play().catch(() => undefined);
  }, [stream, videoRef]);

  useEffect(() => {
    const canvas = overlayRef.current;
    if (!canvas || drawSkipped('overlay')) return;
    // CPU-rastered (willReadFrequently): a GPU-accelerated canvas strokes the ≈ 2,700-triangle mesh
    // as one translucent path, which on a software GPU (SwiftShader, llvmpipe: VMs, remote
    // desktops, CI) costs more than all of inference (issue #16: landmarks 204 → 45 ms with the
    // overlay off). Shown through a transferred OffscreenCanvas, which the compositor takes
    // about 3× more cheaply there than a page canvas's update (cpuOverlay.ts).
    const { width, height } = result?.imageSize ?? { width: canvas.width, height: canvas.height };
    const ctx = cpuOverlayContext(canvas, width, height);
    if (!ctx) return;
    ctx.clearRect(0, 0, width, height);
    // A worker's bitmap is closed once the next result replaces it (liveStore); if this effect
    // runs late, that frame is gone (width 0) and the next effect draws its successor.
    const frame = analysed && shownFrame && shownFrame.width > 0 ? shownFrame : undefined;
    // Lent pixels are put as they are: the canvas has the frame's size (its result's imageSize).
    if (frame instanceof LentPixels) ctx.putImageData(frame.pixels!, 0, 0);
    else if (frame) ctx.drawImage(frame, 0, 0, width, height);
    canvas.dataset.shownFrame = String(!!frame);
    canvas.dataset.flamePoints = String(result?.flame ? drawFlamePoints(ctx, result.flame) : 0);
    const lm = result?.face?.landmarks;
    if (!lm) return;
    const at = { x: 0, y: 0, w: width, h: height };
    if (triangles) drawLandmarkMesh(ctx, lm, triangles, at, { color: 'rgba(120, 220, 255, 0.45)', width: Math.max(1, width / 640) });
    else drawLandmarkPoints(ctx, lm, at, 'rgba(120, 220, 255, 0.45)', 2);
  }, [result, triangles, shownFrame, analysed]);

  return (
    <div className="preview mirrored" data-testid="preview" data-preview={analysed ? 'analysed' : 'video'}>
      {/* Hidden, not removed, in analysed mode: the camera stream stays attached and playing. */}
      <video ref={videoRef} playsInline muted data-testid="video" style={analysed || drawSkipped('video') ? { visibility: 'hidden' } : undefined} />
      <canvas ref={overlayRef} className="overlay" data-testid="landmark-overlay" />
    </div>
  );
}
