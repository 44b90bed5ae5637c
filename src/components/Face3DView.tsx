import { useEffect } from 'react';
import { FaceMeshRenderer } from '../render3d/faceMeshRenderer';
import { useLiveStore } from '../stores/liveStore';
import { usePipelineStore } from '../stores/pipelineStore';
import { useWebGLRenderer } from './useWebGLRenderer';

/** React shell around the three.js renderer; the renderer itself knows nothing of React. */
export function Face3DView() {
  const { canvasRef, rendererRef, lost, onScreen } = useWebGLRenderer((c) => new FaceMeshRenderer(c), '3D face');
  const triangles = usePipelineStore((s) => s.triangles);
  const latest = useLiveStore((s) => s.latest);
  const setRenderTime = useLiveStore((s) => s.setRenderTime);

  useEffect(() => {
    if (triangles) rendererRef.current?.setTriangles(triangles);
  }, [triangles, rendererRef]);

  useEffect(() => {
    const r = rendererRef.current;
    // Off-screen: skip the draw; the latest result is drawn when the view scrolls back.
    if (!r || !latest || !onScreen) return;
    const t0 = performance.now();
    if (latest.face) r.update(latest.face.landmarks, latest.imageSize.width / latest.imageSize.height);
    else r.clear();
    setRenderTime(performance.now() - t0);
  }, [latest, setRenderTime, rendererRef, onScreen]);

  return (
    <section className="face3d" aria-label="3D face">
      <h3>3D face</h3>
      <canvas ref={canvasRef} data-testid="face3d-canvas" data-vertices={latest?.face ? latest.face.landmarks.length / 3 : 0} />
      {lost && <p className="warning">3D view unavailable: the browser’s WebGL context was lost. Predictions continue.</p>}
      <p className="muted small">Drag to orbit, scroll to zoom.</p>
    </section>
  );
}
