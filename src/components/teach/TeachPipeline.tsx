/**
 * The pipeline view bound to the teach store: the frozen frame, or the newest live result.
 *
 * The only part of the teaching view that follows live results (18–22 a second): the toolbar, the
 * parameter explorer and its 3D head subscribe to what they show and do not re-render with them.
 * On a software GPU (SwiftShader: school PCs, VMs) each composited frame costs CPU the inference
 * needs, so the live result shown here (preview overlay, bars, parameters, VA) changes at most as
 * often as the live view's displays, by the same rule (gaugePacing.ts, usePacedWithChanges); the
 * frozen frame, the sliders, the weight and the branch toggles are not paced: they apply at once.
 */
import { useMemo, type RefObject } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useTeachStore } from '../../stores/teachStore';
import { liveGaugePacingHere } from '../gaugePacing';
import { usePacedWithChanges } from '../usePaced';
import { VideoPreview } from '../VideoPreview';
import { PipelineView } from './PipelineView';
import { teachFrame } from './teachFrame';

interface Props {
  videoRef: RefObject<HTMLVideoElement | null>;
  stream?: MediaStream;
  /** The camera is on or starting (the preview draws live results then). */
  cameraActive: boolean;
  triangles?: Uint32Array;
  has3dHead: boolean;
  vaWeight2d: number;
  /** The pack's fusion weight, for the fused panel's note. */
  packWeight2d?: number;
}

export function TeachPipeline({ videoRef, stream, cameraActive, triangles, has3dHead, vaWeight2d, packWeight2d }: Props) {
  const pacing = useMemo(liveGaugePacingHere, []);
  // While frozen the loop is stopped and the frozen frame is shown: a live result is not needed.
  const live = usePacedWithChanges(useTeachStore((s) => (s.frozen ? undefined : s.live)), pacing.minIntervalMs);
  const s = useTeachStore(
    useShallow((st) => ({ frozen: st.frozen, head: st.head, adapter: st.adapter, values: st.values, valuesOrigin: st.valuesOrigin, use2d: st.use2d, use3d: st.use3d, weight2d: st.weight2d, fusionMode: st.fusionMode })),
  );
  const frame = useMemo(() => teachFrame({ ...s, live, cameraOn: !!stream, vaWeight2d }), [s, live, stream, vaWeight2d]);
  const liveResult = cameraActive && !s.frozen ? live : undefined;

  // Memoised with the frame: a result the pacing holds re-renders this component only, not the stages.
  const liveVideo = useMemo(
    () => (
      <div>
        <VideoPreview stream={stream} videoRef={videoRef} result={liveResult} triangles={triangles} />
        {!cameraActive && <p className="muted small">Camera off. Start it, or open a photo.</p>}
        {cameraActive && pacing.minIntervalMs > 0 && (
          <p className="muted small" data-testid="teach-pacing">
            Live stages update {pacing.label}.
          </p>
        )}
      </div>
    ),
    [stream, videoRef, liveResult, triangles, cameraActive, pacing],
  );

  return (
    <PipelineView
      result={frame.result}
      frozenImage={s.frozen?.image}
      liveVideo={liveVideo}
      triangles={triangles}
      adapter={s.adapter}
      params={frame.params}
      paramsEdited={frame.paramsEdited}
      fusion={frame.fusion}
      has3dHead={has3dHead}
      packWeight2d={packWeight2d}
    />
  );
}
