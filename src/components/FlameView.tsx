import { useEffect } from 'react';
import { FlameMeshRenderer } from '../render3d/flameMeshRenderer';
import { useLiveStore } from '../stores/liveStore';
import { usePipelineStore } from '../stores/pipelineStore';
import { useWebGLRenderer } from './useWebGLRenderer';

/** The decoded FLAME head of a FLAME pack (EMOCA v2 / SMIRK), shaded and orbitable. */
export function FlameView() {
  const { canvasRef, rendererRef, lost } = useWebGLRenderer((c) => new FlameMeshRenderer(c), 'FLAME view');
  const flameMesh = usePipelineStore((s) => s.flameMesh);
  const flame = useLiveStore((s) => s.latest?.flame);

  useEffect(() => {
    if (flameMesh) rendererRef.current?.setTriangles(flameMesh.triangles);
  }, [flameMesh, rendererRef]);

  useEffect(() => {
    const r = rendererRef.current;
    if (!r) return;
    if (flame) r.update(flame.vertices);
    else r.clear();
  }, [flame, rendererRef]);

  const family = flameMesh?.family === 'emoca-v2' ? 'EMOCA v2' : 'SMIRK';
  return (
    <section className="face3d" aria-label="FLAME head">
      <h3>FLAME head ({family})</h3>
      <canvas ref={canvasRef} data-testid="flame-canvas" data-vertices={flame ? flame.vertices.length / 3 : 0} />
      {lost && <p className="warning">FLAME view unavailable: the browser’s WebGL context was lost. Predictions continue.</p>}
    </section>
  );
}

/** The regressor's parameter groups for the current frame (what can feed the 3D head). */
export function FlameParamsPanel() {
  const flame = useLiveStore((s) => s.latest?.flame);
  const features = useLiveStore((s) => s.latest?.features3d);
  return (
    <section className="flame-params" data-testid="flame-params" aria-label="FLAME parameters">
      <h3>FLAME parameters</h3>
      {!flame && <p className="muted">—</p>}
      {flame && (
        <ul>
          {Object.entries(flame.params).map(([group, v]) => (
            <li key={group} data-group={group} data-size={v.length} data-norm={norm(v).toFixed(4)}>
              <span className="label">{group}</span> <span className="muted">[{v.length}]</span>{' '}
              <span className="values">{Array.from(v.subarray(0, 3), (x) => x.toFixed(2)).join(', ')}{v.length > 3 ? ', …' : ''}</span>
            </li>
          ))}
        </ul>
      )}
      {features && (
        <p className="muted small" data-testid="features3d" data-size={features.values.length} data-groups={features.groups.map((g) => `${g.group}:${g.size}`).join(',')}>
          3D feature vector: {features.groups.map((g) => `${g.group} ${g.size}`).join(' + ')} = {features.values.length}
        </p>
      )}
    </section>
  );
}

function norm(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}
