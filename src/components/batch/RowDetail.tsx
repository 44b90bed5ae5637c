import { useEffect, useMemo, useRef, useState } from 'react';
import { decodeImageFile } from '../../batch/buildItems';
import type { BatchRow } from '../../batch/batchTypes';
import { VideoFrameSource } from '../../batch/videoFrames';
import { EXPRESSIONS } from '../../core/classes/expressionClasses';
import { FaceMeshRenderer } from '../../render3d/faceMeshRenderer';
import { batchSession } from '../../stores/batchStore';
import { usePipelineStore } from '../../stores/pipelineStore';
import type { ClientResult } from '../../worker/inferenceClient';
import type { CropImage, FrameOptions } from '../../core/pipelineTypes';
import { ExpressionBars } from '../ExpressionBars';
import { fusedPanelLabel } from '../fusedPanel';
import { drawCrop, drawFaceBox, drawLandmarkPoints } from '../draw2d';
import { IctCredit } from '../ictHead/IctCredit';
import { IctHeadView } from '../ictHead/IctHeadView';
import { className, fixed } from './util';

const VIEW_MAX = 420;

async function decodeSource(id: number): Promise<ImageBitmap> {
  const src = batchSession.source(id);
  if (!src || src.kind === 'other') throw new Error('this row has no image to re-run');
  if (src.kind === 'image') return decodeImageFile(src.file, src.path);
  const video = await VideoFrameSource.open(src.file);
  try {
    return (await video.frameAt(src.time)).bitmap;
  } finally {
    video.close();
  }
}

async function runOne(bitmap: ImageBitmap, opts: Omit<FrameOptions, 'mode'>): Promise<{ result: ClientResult; triangles?: Uint32Array }> {
  const pooled = batchSession.inspectionClient();
  if (pooled) return { result: await pooled.detectWithCrops(bitmap, opts), triangles: pooled.info.triangles };
  const { client, triangles } = usePipelineStore.getState();
  if (!client) throw new Error('the model is not loaded');
  return { result: await client.detect(bitmap, opts), triangles };
}

function CropCanvas({ crop, name }: { crop: CropImage; name: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    drawCrop(ref.current!, crop);
  }, [crop]);
  return (
    <figure className="crop">
      <canvas ref={ref} data-testid="detail-crop" />
      <figcaption className="muted small">
        {name}: {crop.width}×{crop.height}
      </figcaption>
    </figure>
  );
}

/** Re-runs one row's image with crops and shows everything the pipeline saw and produced. */
export function RowDetail({ row, fusion, onClose }: { row: BatchRow; fusion: Omit<FrameOptions, 'mode' | 'wantCrops'>; onClose: () => void }) {
  const imageRef = useRef<HTMLCanvasElement>(null);
  const meshRef = useRef<HTMLCanvasElement>(null);
  const [state, setState] = useState<{ status: 'running' | 'done' | 'error'; result?: ClientResult; message?: string }>({ status: 'running' });

  useEffect(() => {
    let alive = true;
    let renderer: FaceMeshRenderer | undefined;
    (async () => {
      const bitmap = await decodeSource(row.id);
      // Draw first: the bitmap is transferred (and closed) by the worker.
      const scale = Math.min(1, VIEW_MAX / Math.max(bitmap.width, bitmap.height));
      const canvas = imageRef.current;
      if (canvas) {
        canvas.width = Math.max(1, Math.round(bitmap.width * scale));
        canvas.height = Math.max(1, Math.round(bitmap.height * scale));
        canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      }
      const { result, triangles } = await runOne(bitmap, { ...fusion, wantCrops: true });
      if (!alive) return;
      if (canvas && result.face) {
        const ctx = canvas.getContext('2d')!;
        drawLandmarkPoints(ctx, result.face.landmarks, { x: 0, y: 0, w: canvas.width, h: canvas.height }, '#5cc8ff', 1.5);
        drawFaceBox(ctx, result.face.box, canvas.width / result.imageSize.width, { color: '#ffb454', width: 1.5 });
      }
      if (meshRef.current && result.face) {
        try {
          renderer = new FaceMeshRenderer(meshRef.current);
          if (triangles) renderer.setTriangles(triangles);
          renderer.update(result.face.landmarks, result.imageSize.width / result.imageSize.height, false);
        } catch {
          /* WebGL unavailable: the 3D view stays empty, the rest still shows */
        }
      }
      setState({ status: 'done', result });
    })().catch((e) => alive && setState({ status: 'error', message: (e as Error).message }));
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => {
      alive = false;
      window.removeEventListener('keydown', onKey);
      renderer?.dispose();
    };
  }, [row.id, fusion, onClose]);

  const r = state.result;
  // The fused result's own mode and weight: a face without 3D features fell back to 2D alone.
  const fusedLabel = r?.fused
    ? fusedPanelLabel({ mode: r.fused.mode, weight2d: r.fused.weight2d, has2d: !!r.branch2d, no2dReason: 'No 2D model output for this face', has3d: !!r.branch3d, no3dReason: 'No 3D features for this face' })
    : { title: 'Fused', note: undefined };
  const ictInput = useMemo(
    () => r?.face && { blendshapes: r.face.blendshapes, matrix: r.face.headPose.matrix, landmarks: r.face.landmarks, imageSize: r.imageSize },
    [r],
  );
  return (
    <div className="detail-backdrop" onClick={onClose}>
      <div className="detail" role="dialog" aria-modal="true" aria-label={`details of ${row.path}`} data-testid="row-detail" data-status={state.status} onClick={(e) => e.stopPropagation()}>
        <div className="batch-toolbar">
          <h3 className="cell-path">{row.path}</h3>
          <button onClick={onClose} data-testid="detail-close">
            Close
          </button>
        </div>
        <p className="muted small">
          Batch row: {row.status}
          {row.reason ? ` — ${row.reason}` : ''}
          {row.label?.expression && ` · label ${className(EXPRESSIONS.indexOf(row.label.expression))}`}
          {row.label?.valence !== undefined && ` · label V ${fixed(row.label.valence, 2)} A ${fixed(row.label.arousal, 2)}`}
        </p>
        {row.p2dRaw && row.calibration?.includes('dataset prior') && (
          <p className="muted small" data-testid="detail-dataset-prior">
            The table shows this image adapted to the batch's class mix ({row.calibration}); the detail below re-runs it alone, as the net gives it.
          </p>
        )}
        {state.status === 'running' && <p>Re-running this image…</p>}
        {state.status === 'error' && (
          <p className="status--alert" data-testid="detail-error">
            {state.message}
          </p>
        )}
        <div className="detail-grid">
          <figure>
            <canvas ref={imageRef} className="detail-image" data-testid="detail-image" />
            <figcaption className="muted small">
              {r ? `${r.imageSize.width}×${r.imageSize.height}, ${r.faceCount} face(s), found ${r.detection}` : ''}
            </figcaption>
          </figure>
          <div className="detail-crops">{r?.crops && Object.entries(r.crops).map(([k, c]) => <CropCanvas key={k} crop={c} name={k} />)}</div>
          <figure className="detail-mesh">
            <canvas ref={meshRef} data-testid="detail-mesh" />
            <figcaption className="muted small">{r?.face ? '3D face (drag to orbit)' : 'no face: no 3D mesh'}</figcaption>
          </figure>
          {ictInput && (
            <figure className="detail-ict">
              {/* One image: iterate the fit on it (video rows are fitted per frame, like stills). */}
              <IctHeadView
                input={ictInput}
                fitSteps={30}
                mirror={false}
                testId="detail-ict"
              />
              <figcaption>
                <IctCredit />
              </figcaption>
            </figure>
          )}
        </div>
        {r && (
          <>
            <div className="bars-row">
              <ExpressionBars title="2D model" probs={r.branch2d?.probs} testId="detail-bars-2d" />
              {r.branch3d && <ExpressionBars title="3D head" probs={r.branch3d.probs} testId="detail-bars-3d" />}
              <ExpressionBars title={fusedLabel.title} note={fusedLabel.note} noteDetail={fusedLabel.detail} probs={r.fused?.probs} testId="detail-bars-fused" emphasis />
            </div>
            <dl className="detail-facts">
              <dt>Valence / arousal</dt>
              <dd data-testid="detail-va">
                {r.va ? `${fixed(r.va.valence)} / ${fixed(r.va.arousal)} (${r.va.source})` : '—'}
              </dd>
              <dt>Head pose (yaw, pitch, roll °)</dt>
              <dd>
                {r.face
                  ? [r.face.headPose.yaw, r.face.headPose.pitch, r.face.headPose.roll].map((x) => ((x * 180) / Math.PI).toFixed(1)).join(', ')
                  : '—'}
              </dd>
              <dt>3D features</dt>
              <dd>{r.features3d ? r.features3d.groups.map((g) => `${g.group} (${g.size})`).join(', ') : '—'}</dd>
              <dt>Timings (ms)</dt>
              <dd>
                {Object.entries(r.timings)
                  .map(([k, v]) => `${k} ${(v as number).toFixed(1)}`)
                  .join(', ')}
              </dd>
              <dt>Notes</dt>
              <dd>{r.notes.length ? r.notes.join('; ') : '—'}</dd>
            </dl>
          </>
        )}
      </div>
    </div>
  );
}
