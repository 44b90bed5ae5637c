import { useEffect, useMemo, useRef, useState } from 'react';
import { ParametricFaceRenderer } from '../../render3d/parametricFaceRenderer';
import type { FaceParamAdapter } from '../../core/blendshapeModel/faceParams';
import { useExposeCanvas, useWebGLRenderer } from '../useWebGLRenderer';
import { BLENDSHAPE_NAMES } from '../../core/blendshapeModel/blendshapeNames';
import { poseMatrixFromEuler } from '../../core/ict/poseMatrix';
import { useHeadViewStore } from '../../stores/headViewStore';
import { IctCredit } from '../ictHead/IctCredit';
import { IctHeadView, type IctHeadInput } from '../ictHead/IctHeadView';

interface Props {
  adapter: FaceParamAdapter;
  values: Float32Array;
  presenter: boolean;
  /** Receives the canvas, for "export figure". */
  canvasRef?: React.MutableRefObject<HTMLCanvasElement | null>;
}

/**
 * Where each slider of a MediaPipe-blendshape adapter lives in the value vector (blendshapes, pose,
 * identity), or undefined for adapters the ICT head cannot show (FLAME packs).
 */
function ictSlots(adapter: FaceParamAdapter) {
  const at = (key: string) => adapter.params.findIndex((p) => p.key === key);
  const blendshapes = BLENDSHAPE_NAMES.map(at);
  if (blendshapes.filter((i) => i >= 0).length < 40) return undefined;
  const identity: number[] = [];
  for (let j = 0; at(`id.${j}`) >= 0; j++) identity.push(at(`id.${j}`));
  return { blendshapes, yaw: at('pose.yaw'), pitch: at('pose.pitch'), roll: at('pose.roll'), identity };
}

/**
 * The explorer's 3D view: the ICT-FaceKit head driven by the sliders (blendshapes, pose, and the
 * identity sliders as ICT's first identity components), or the adapter's own mesh (learned landmark
 * face; FLAME with a FLAME pack).
 */
export function ParamMeshView(props: Props) {
  const { adapter, values, canvasRef } = props;
  const kind = useHeadViewStore((s) => s.kind);
  const slots = useMemo(() => ictSlots(adapter), [adapter]);
  const input = useMemo<IctHeadInput | undefined>(() => {
    if (!slots) return undefined;
    const v = (i: number) => (i >= 0 ? values[i] : 0);
    return {
      blendshapes: slots.blendshapes.map(v),
      matrix: poseMatrixFromEuler(v(slots.yaw), v(slots.pitch), v(slots.roll)),
      identity: slots.identity.map(v),
    };
  }, [slots, values]);
  if (!slots) return <LearnedMeshView {...props} />;
  return (
    <div className="teach-mesh-wrap">
      <div className="head-switch small" role="radiogroup" aria-label="explorer 3D view">
        <label>
          <input type="radio" name="teach-head-view" checked={kind === 'ict'} onChange={() => useHeadViewStore.getState().setKind('ict')} data-testid="teach-view-ict" /> ICT head
        </label>
        <label>
          <input type="radio" name="teach-head-view" checked={kind !== 'ict'} onChange={() => useHeadViewStore.getState().setKind('landmarks')} data-testid="teach-view-landmarks" /> Learned landmark face
        </label>
      </div>
      {kind === 'ict' ? (
        <div className="teach-mesh">
          <IctHeadView input={input} mirror={false} testId="teach-mesh" canvasRef={canvasRef} />
          <IctCredit />
          <p className="muted small">Identity sliders drive ICT’s first identity components (σ units); the 3D head’s prediction uses only blendshapes and pose.</p>
        </div>
      ) : (
        <LearnedMeshView {...props} />
      )}
    </div>
  );
}

/** The adapter's mesh for the current slider values (three.js, canonical face frame). */
function LearnedMeshView({ adapter, values, presenter, canvasRef }: Props) {
  const { canvasRef: ref, rendererRef, lost } = useWebGLRenderer((c) => new ParametricFaceRenderer(c), 'teach mesh');
  const bufRef = useRef<Float32Array | undefined>(undefined);
  const [wire, setWire] = useState(false);
  const [renders, setRenders] = useState(0);

  // Hand the canvas to the parent (for "export figure").
  useExposeCanvas(canvasRef, ref);

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
