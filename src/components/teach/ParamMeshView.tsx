import { useEffect, useRef, useState } from 'react';
import { ParametricFaceRenderer } from '../../render3d/parametricFaceRenderer';
import type { FaceParamAdapter } from '../../core/blendshapeModel/faceParams';
import { useWebGLRenderer } from '../useWebGLRenderer';

interface Props {
  adapter: FaceParamAdapter;
  values: Float32Array;
  presenter: boolean;
  /** Receives the canvas, for "export figure". */
  canvasRef?: React.MutableRefObject<HTMLCanvasElement | null>;
}

/** The adapter's mesh for the current slider values (three.js, canonical face frame). */
export function ParamMeshView({ adapter, values, presenter, canvasRef }: Props) {
  const { canvasRef: ref, rendererRef, lost } = useWebGLRenderer((c) => new ParametricFaceRenderer(c), 'teach mesh');
  const bufRef = useRef<Float32Array | undefined>(undefined);
  const [wire, setWire] = useState(false);
  const [renders, setRenders] = useState(0);

  // Hand the canvas to the parent (for "export figure").
  useEffect(() => {
    if (!canvasRef) return;
    canvasRef.current = ref.current;
    return () => {
      canvasRef.current = null;
    };
  }, [canvasRef, ref]);

  useEffect(() => {
    rendererRef.current?.setTriangles(adapter.triangles);
  }, [adapter, rendererRef]);

  useEffect(() => {
    rendererRef.current?.setStyle(presenter ? { background: 0x000000, color: 0xf0d2bc } : { background: 0x15181e, color: 0xd9b8a0 });
  }, [presenter, rendererRef]);

  useEffect(() => {
    rendererRef.current?.setStyle({ wireframe: wire });
  }, [wire, rendererRef]);

  useEffect(() => {
    const r = rendererRef.current;
    if (!r) return;
    const m = adapter.mesh(values, bufRef.current);
    bufRef.current = m.positions;
    r.update(m.positions, m.rotation);
    setRenders((n) => n + 1);
  }, [adapter, values, wire, rendererRef]);

  return (
    <div className="teach-mesh">
      <canvas ref={ref} data-testid="teach-mesh" data-renders={renders} aria-label="parametric face mesh" />
      {lost && <p className="warning">3D view unavailable: the browser’s WebGL context was lost.</p>}
      <div className="teach-mesh-tools small">
        <label>
          <input type="checkbox" checked={wire} onChange={(e) => setWire(e.target.checked)} /> wireframe
        </label>
        <button type="button" onClick={() => rendererRef.current?.resetView()}>
          Reset view
        </button>
        <span className="muted">
          {adapter.label}; {adapter.vertexCount} points, {adapter.triangles.length / 3} triangles, {adapter.units}. Drag to orbit.
        </span>
      </div>
    </div>
  );
}
