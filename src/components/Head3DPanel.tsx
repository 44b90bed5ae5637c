import { useMemo } from 'react';
import { useHeadViewStore, type HeadViewKind } from '../stores/headViewStore';
import { useLiveStore } from '../stores/liveStore';
import { usePipelineStore } from '../stores/pipelineStore';
import { useAwaitingFirstPrediction } from './useAwaitingFirstPrediction';
import { Face3DView } from './Face3DView';
import { IctCredit } from './ictHead/IctCredit';
import { IctHeadView, type IctHeadInput } from './ictHead/IctHeadView';
import { drawSkipped } from './benchSkip';

/** Radio switch between the ICT-FaceKit head and MediaPipe's landmark mesh (remembered). */
export function HeadViewSwitch() {
  const kind = useHeadViewStore((s) => s.kind);
  const setKind = useHeadViewStore((s) => s.setKind);
  const options: [HeadViewKind, string][] = [
    ['ict', 'ICT head'],
    ['landmarks', 'Landmark mesh'],
  ];
  return (
    <div className="head-switch small" role="radiogroup" aria-label="3D view">
      {options.map(([k, label]) => (
        <label key={k}>
          <input type="radio" name="head-view" checked={kind === k} onChange={() => setKind(k)} data-testid={`head-view-${k}`} /> {label}
        </label>
      ))}
    </div>
  );
}

/** Live mode's 3D view: the ICT head fitted to the face, or the landmark mesh. */
export function Head3DPanel() {
  if (drawSkipped('3d')) return <p className="muted small" data-testid="head3d-skipped">3D view not drawn (bench)</p>;
  return <Head3DPanelDrawn />;
}

function Head3DPanelDrawn() {
  const kind = useHeadViewStore((s) => s.kind);
  const latest = useLiveStore((s) => s.latest);
  const setRenderTime = useLiveStore((s) => s.setRenderTime);
  // Start-up (issue #16): the head's 6 MB asset waits for the models and the first prediction.
  const pipelineUp = usePipelineStore((s) => s.status !== 'loading' && s.status !== 'idle');
  const awaitingFirst = useAwaitingFirstPrediction();
  const input = useMemo<IctHeadInput | undefined>(
    () =>
      latest?.face && {
        blendshapes: latest.face.blendshapes,
        matrix: latest.face.headPose.matrix,
        landmarks: latest.face.landmarks,
        imageSize: latest.imageSize,
      },
    [latest],
  );
  return (
    <div className="head3d-panel">
      <HeadViewSwitch />
      {kind === 'ict' ? (
        <section className="face3d" aria-label="ICT head">
          <h3>3D head</h3>
          <IctHeadView input={input} onRendered={setRenderTime} load={pipelineUp && !awaitingFirst} perFrame />
          <IctCredit />
          <p className="muted small">Drag to orbit, scroll to zoom.</p>
        </section>
      ) : (
        <Face3DView />
      )}
    </div>
  );
}
