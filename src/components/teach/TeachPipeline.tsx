/**
 * The pipeline view bound to the teach store: the frozen frame, or the newest live result.
 *
 * The only part of the teaching view that follows live results (18–22 a second): the toolbar, the
 * parameter explorer and its 3D head subscribe to what they show and do not re-render with them.
 * On a software GPU (SwiftShader: school PCs, VMs) each composited frame costs CPU the inference
 * needs, so the live result shown here (preview, bars, parameters, VA) changes at most as often as
 * the live view's displays, by the same rules (gaugePacing.ts, usePacedWithChanges; the preview
 * shows the analysed frame instead of the 30 fps <video>, previewMode.ts); the frozen frame, the
 * sliders, the weight and the branch toggles are not paced: they apply at once.
 */
import { useMemo, type RefObject } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ShownFrame } from '../../stores/shownFrame';
import { useTeachStore } from '../../stores/teachStore';
import type { ClientResult } from '../../worker/inferenceClient';
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
  /** Show each analysed frame instead of the live <video> (previewMode.ts: software GPU). */
  analysedPreview: boolean;
  triangles?: Uint32Array;
  has3dHead: boolean;
  vaWeight2d: number;
  /** The pack's fusion weight, for the fused panel's note. */
  packWeight2d?: number;
}

const NOT_LIVE: { live?: ClientResult; frame?: ShownFrame } = {};

export function TeachPipeline({ videoRef, stream, cameraActive, analysedPreview, triangles, has3dHead, vaWeight2d, packWeight2d }: Props) {
  const pacing = useMemo(liveGaugePacingHere, []);
  // The result and its frame change together. While frozen the loop is stopped and the frozen
  // frame is shown: no live result is needed.
  const shown = usePacedWithChanges(
    useTeachStore(useShallow((s) => (s.frozen ? NOT_LIVE : { live: s.live, frame: s.liveFrame }))),
    pacing.minIntervalMs,
  );
  const live = shown.live;
  const s = useTeachStore(
    useShallow((st) => ({ frozen: st.frozen, head: st.head, adapter: st.adapter, values: st.values, valuesOrigin: st.valuesOrigin, use2d: st.use2d, use3d: st.use3d, weight2d: st.weight2d, fusionMode: st.fusionMode })),
  );
  const frame = useMemo(() => teachFrame({ ...s, live, cameraOn: !!stream, vaWeight2d }), [s, live, stream, vaWeight2d]);
  const liveResult = cameraActive && !s.frozen ? live : undefined;

  // Memoised with the frame: a result the pacing holds re-renders this component only, not the stages.
  const liveVideo = useMemo(
    () => (
      <div>
        <VideoPreview stream={stream} videoRef={videoRef} result={liveResult} triangles={triangles} analysed={analysedPreview} shownFrame={liveResult ? shown.frame : undefined} />
        {!cameraActive && <p className="muted small">Camera off. Start it, or open a photo.</p>}
        {cameraActive && pacing.minIntervalMs > 0 && (
          <p className="muted small" data-testid="teach-pacing">
            Live stages update {pacing.label}
            {analysedPreview ? '; the preview shows the analysed frames, not the 30 fps video' : ''}.
          </p>
        )}
      </div>
    ),
    [stream, videoRef, liveResult, shown.frame, triangles, cameraActive, analysedPreview, pacing],
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
      noFace={frame.noFace}
      fusion={frame.fusion}
      has3dHead={has3dHead}
      packWeight2d={packWeight2d}
    />
  );
}
