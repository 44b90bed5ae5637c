import { useEffect, useRef, useState } from 'react';
import { FaceMeshRenderer } from '../render3d/faceMeshRenderer';
import { useLiveStore } from '../stores/liveStore';
import { usePipelineStore } from '../stores/pipelineStore';

/** React shell around the three.js renderer; the renderer itself knows nothing of React. */
export function Face3DView() {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const rendererRef = useRef<FaceMeshRenderer | undefined>(undefined);
  const [lost, setLost] = useState(false);
  const triangles = usePipelineStore((s) => s.triangles);
  const latest = useLiveStore((s) => s.latest);
  const setRenderTime = useLiveStore((s) => s.setRenderTime);

  useEffect(() => {
    const canvas = canvasRef.current!;
    const onLost = (e: Event) => {
      e.preventDefault();
      setLost(true);
    };
    const onRestored = () => setLost(false);
    canvas.addEventListener('webglcontextlost', onLost);
    canvas.addEventListener('webglcontextrestored', onRestored);
    try {
      rendererRef.current = new FaceMeshRenderer(canvas);
    } catch {
      setLost(true);
    }
    return () => {
      canvas.removeEventListener('webglcontextlost', onLost);
      canvas.removeEventListener('webglcontextrestored', onRestored);
      rendererRef.current?.dispose();
      rendererRef.current = undefined;
    };
  }, []);

  useEffect(() => {
    if (triangles) rendererRef.current?.setTriangles(triangles);
  }, [triangles]);

  useEffect(() => {
    const r = rendererRef.current;
    if (!r || !latest) return;
    const t0 = performance.now();
    if (latest.face) r.update(latest.face.landmarks, latest.imageSize.width / latest.imageSize.height);
    else r.clear();
    setRenderTime(performance.now() - t0);
  }, [latest, setRenderTime]);

  return (
    <section className="face3d" aria-label="3D face">
      <h3>3D face</h3>
      <canvas ref={canvasRef} data-testid="face3d-canvas" data-vertices={latest?.face ? latest.face.landmarks.length / 3 : 0} />
      {lost && <p className="warning">3D view unavailable: the browser’s WebGL context was lost. Predictions continue.</p>}
      <p className="muted small">Drag to orbit, scroll to zoom.</p>
    </section>
  );
}
