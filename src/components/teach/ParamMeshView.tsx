import { useEffect, useRef, useState } from 'react';
import { ParametricFaceRenderer } from '../../render3d/parametricFaceRenderer';
import type { FaceParamAdapter } from '../../core/blendshapeModel/faceParams';

interface Props {
  adapter: FaceParamAdapter;
  values: Float32Array;
  presenter: boolean;
  /** Receives the canvas, for "export figure". */
  canvasRef?: React.MutableRefObject<HTMLCanvasElement | null>;
}

/** The adapter's mesh for the current slider values (three.js, canonical face frame). */
export function ParamMeshView({ adapter, values, presenter, canvasRef }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const rendererRef = useRef<ParametricFaceRenderer | undefined>(undefined);
  const bufRef = useRef<Float32Array | undefined>(undefined);
  const [lost, setLost] = useState(false);
  const [wire, setWire] = useState(false);
  const [renders, setRenders] = useState(0);

  useEffect(() => {
    const canvas = ref.current!;
    if (canvasRef) canvasRef.current = canvas;
    const onLost = (e: Event) => {
      e.preventDefault();
      console.warn('teach mesh: WebGL context lost');
      setLost(true);
    };
    const onRestored = () => setLost(false);
    canvas.addEventListener('webglcontextlost', onLost);
    canvas.addEventListener('webglcontextrestored', onRestored);
    try {
      rendererRef.current = new ParametricFaceRenderer(canvas);
    } catch (e) {
      console.warn(`teach mesh: WebGL renderer failed: ${(e as Error).message}`);
      setLost(true);
    }
    return () => {
      canvas.removeEventListener('webglcontextlost', onLost);
      canvas.removeEventListener('webglcontextrestored', onRestored);
      rendererRef.current?.dispose();
      rendererRef.current = undefined;
      if (canvasRef) canvasRef.current = null;
    };
  }, [canvasRef]);

  useEffect(() => {
    rendererRef.current?.setTriangles(adapter.triangles);
  }, [adapter]);

  useEffect(() => {
    rendererRef.current?.setStyle(presenter ? { background: 0x000000, color: 0xf0d2bc } : { background: 0x15181e, color: 0xd9b8a0 });
  }, [presenter]);

  useEffect(() => {
    rendererRef.current?.setStyle({ wireframe: wire });
  }, [wire]);

  useEffect(() => {
    const r = rendererRef.current;
    if (!r) return;
    const m = adapter.mesh(values, bufRef.current);
    bufRef.current = m.positions;
    r.update(m.positions, m.rotation);
    setRenders((n) => n + 1);
  }, [adapter, values, wire]);

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
