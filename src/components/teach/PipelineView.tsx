import { memo, useEffect, useRef, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { EXPRESSION_LABELS } from '../../core/classes/expressionClasses';
import type { FaceParamAdapter } from '../../core/blendshapeModel/faceParams';
import type { CropImage } from '../../core/pipelineTypes';
import type { ClientResult } from '../../worker/inferenceClient';
import type { TeachFusion } from '../../core/fusion/fusionPolicy';
import { useTeachStore } from '../../stores/teachStore';
import { ExpressionBars } from '../ExpressionBars';
import { drawCrop, drawFaceBox, drawLandmarkMesh } from '../draw2d';
import { VACircumplex } from '../VACircumplex';
import { PAPER_URL, STAGES, type StageText } from './paper';
import { READ_WHOLE_EXPLANATION, teachFusedLabel } from './teachFrame';

/** A stage's plain-language paragraph: memoised, it does not change with the frame. */
const StageExplain = memo(function StageExplain({ s }: { s: StageText }) {
  const presenter = useTeachStore((st) => st.presenter);
  return (
    <p className={`teach-explain ${presenter ? '' : 'small'}`}>
      {s.text}{' '}
      <a href={PAPER_URL} target="_blank" rel="noreferrer noopener" className="small">
        Paper: {s.paper}
      </a>
    </p>
  );
});

function Stage({ s, children, testId, highlight }: { s: StageText; children: ReactNode; testId: string; highlight?: boolean }) {
  return (
    <section className={`teach-stage ${highlight ? 'teach-stage--alert' : ''}`} data-testid={testId} aria-label={s.title}>
      <h3>{s.title}</h3>
      <div className="teach-stage-body">{children}</div>
      <StageExplain s={s} />
    </section>
  );
}

/** Branch toggles and the 2D weight: they change with the user's hand, not with the frame. */
const FusionControls = memo(function FusionControls({ has3dHead }: { has3dHead: boolean }) {
  const { use2d, use3d, weight2d, setWeight2d, toggleBranch } = useTeachStore(useShallow((s) => ({ use2d: s.use2d, use3d: s.use3d, weight2d: s.weight2d, setWeight2d: s.setWeight2d, toggleBranch: s.toggleBranch })));
  return (
    <div className="teach-fusion-controls">
      <label>
        <input type="checkbox" checked={use2d} onChange={() => toggleBranch('2d')} data-testid="teach-use-2d" /> 2D branch <kbd>2</kbd>
      </label>
      <label>
        <input type="checkbox" checked={use3d} onChange={() => toggleBranch('3d')} disabled={!has3dHead} data-testid="teach-use-3d" /> 3D branch <kbd>3</kbd>
      </label>
      <label>
        w (2D weight) <output data-testid="teach-weight">{weight2d.toFixed(2)}</output>
        <input type="range" min={0} max={1} step={0.05} value={weight2d} aria-label="teach 2D weight" disabled={!(use2d && use3d && has3dHead)} onChange={(e) => setWeight2d(Number(e.target.value))} />
      </label>
    </div>
  );
});

const NO_TRAIL: { valence: number; arousal: number }[] = [];

/** Draws an image (+ optional landmarks and triangles) onto a canvas. */
function FrameCanvas({ image, result, triangles, testId, landmarks }: { image: HTMLCanvasElement; result?: ClientResult; triangles?: Uint32Array; testId: string; landmarks: boolean }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    c.width = image.width;
    c.height = image.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(image, 0, 0);
    const lm = result?.face?.landmarks;
    if (!landmarks || !lm) return;
    const W = image.width, H = image.height;
    if (triangles) drawLandmarkMesh(ctx, lm, triangles, { x: 0, y: 0, w: W, h: H }, { color: 'rgba(120, 220, 255, 0.5)', width: Math.max(1, W / 640) });
    const box = result?.face?.box;
    if (box) drawFaceBox(ctx, box, 1, { color: '#ffb454', width: Math.max(2, W / 320) });
  }, [image, result, triangles, landmarks]);
  return <canvas ref={ref} className="teach-frame" data-testid={testId} />;
}

export function CropCanvas({ crop }: { crop: CropImage }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current) drawCrop(ref.current, crop);
  }, [crop]);
  return <canvas ref={ref} className="teach-crop" data-testid="teach-crop" width={crop.width} height={crop.height} />;
}

const deg = (r: number) => `${((r * 180) / Math.PI).toFixed(0)}°`;

interface Props {
  result?: ClientResult;
  frozenImage?: HTMLCanvasElement;
  liveVideo: ReactNode;
  triangles?: Uint32Array;
  adapter?: FaceParamAdapter;
  /** Values feeding the 3D head (slider values when frozen). */
  params?: Float32Array;
  paramsEdited: boolean;
  /** The frame was analysed and no face was found (teachFrame). */
  noFace: boolean;
  fusion: TeachFusion;
  has3dHead: boolean;
  /** The pack's fusion weight, for the fused panel's note. */
  packWeight2d?: number;
}

/**
 * The frame's way through the method, stage by stage, with plain-language explanations. Memoised:
 * TeachPipeline re-renders for every live result but hands new props only for the results it shows.
 */
export const PipelineView = memo(function PipelineView({ result, frozenImage, liveVideo, triangles, adapter, params, paramsEdited, noFace, fusion, has3dHead, packWeight2d }: Props) {
  const { use2d, use3d, weight2d, fusionMode } = useTeachStore(useShallow((s) => ({ use2d: s.use2d, use3d: s.use3d, weight2d: s.weight2d, fusionMode: s.fusionMode })));
  const crop = result?.crops ? Object.values(result.crops)[0] : undefined;
  const face = result?.face;
  const topParams = (() => {
    if (!adapter || !params) return [];
    return adapter.params
      .map((p, i) => ({ p, v: params[i], i }))
      .filter(({ p }) => p.group !== 'pose' && p.group !== 'identity' && !p.hidden && p.key !== '_neutral')
      .sort((a, b) => Math.abs(b.v) - Math.abs(a.v))
      .slice(0, 8);
  })();
  const d = fusion.disagreement;
  const fusedLabel = teachFusedLabel({ use2d, use3d, weight2d, fusionMode }, fusion, { has3dHead, weight2d: packWeight2d }, { noFace });
  // No face, yet a 2D answer: the photo looked like a dataset's face crop and was read whole.
  const readWhole = noFace && !!result?.branch2d;
  const poseIdx = adapter?.params.findIndex((p) => p.key === 'pose.yaw') ?? -1;

  return (
    <div className="teach-pipeline" data-testid="teach-pipeline" data-frame={result?.frameId ?? ''}>
      <Stage s={STAGES.input} testId="stage-input">
        {frozenImage && <FrameCanvas image={frozenImage} testId="teach-frame" landmarks={false} />}
        {/* Kept mounted while frozen: the live loop needs the same video element on unfreeze. */}
        <div hidden={!!frozenImage}>{liveVideo}</div>
      </Stage>
      <Stage s={STAGES.landmarks} testId="stage-landmarks">
        {frozenImage && result ? <FrameCanvas image={frozenImage} result={result} triangles={triangles} testId="teach-frame-landmarks" landmarks /> : null}
        <p className="small" data-testid="teach-detection">
          {!result
            ? 'No frame yet: start the camera, freeze, or open a photo.'
            : face
              ? `Face found (${result.detection === 'padded' ? 'after padding the image' : 'directly'}), ${face.landmarks.length / 3} landmarks${result.faceCount > 1 ? `; ${result.faceCount} faces, using the largest` : ''}. Head pose: yaw ${deg(face.headPose.yaw)}, pitch ${deg(face.headPose.pitch)}, roll ${deg(face.headPose.roll)}.`
              : readWhole
                ? `No face found: ${READ_WHOLE_EXPLANATION}.`
                : 'No face found in this frame.'}
        </p>
      </Stage>
      <Stage s={STAGES.crop} testId="stage-crop">
        {crop ? <CropCanvas crop={crop} /> : <p className="muted small">—</p>}
        {crop && (
          <span className="muted small" data-testid="teach-crop-note">
            {' '}
            {readWhole ? 'the whole image (no face to align), ' : ''}
            {crop.width}×{crop.height} pixels, shown enlarged
          </span>
        )}
      </Stage>
      <Stage s={STAGES.p2d} testId="stage-2d">
        <ExpressionBars title="2D network" probs={fusion.probs2d} testId="teach-bars-2d" emphasis={d?.followed === '2d'} />
      </Stage>
      <Stage s={STAGES.params} testId="stage-params">
        {noFace && !paramsEdited && (
          <p className="small" data-testid="teach-no-params">
            No face, so no 3D parameters from this frame.{frozenImage ? ' Move a slider or pick a preset in the explorer to give the 3D head some.' : ''}
          </p>
        )}
        {topParams.length > 0 && (
          <>
            <p className="small">
              Strongest {adapter?.id === 'flame' ? 'FLAME parameters' : 'blendshapes'}{paramsEdited ? <strong className="teach-edited"> (edited in the explorer)</strong> : ''}:
            </p>
            <ul className="teach-topparams" data-testid="teach-topparams">
              {topParams.map(({ p, v }) => (
                <li key={p.key}>
                  <span>{p.label}</span>
                  <span className="track">
                    <span className="fill" style={{ width: `${Math.max(0, Math.min(1, v)) * 100}%` }} />
                  </span>
                  <span>{v.toFixed(2)}</span>
                </li>
              ))}
            </ul>
            {poseIdx >= 0 && params && (
              <p className="muted small">
                Head pose: yaw {deg(params[poseIdx])}, pitch {deg(params[poseIdx + 1])}, roll {deg(params[poseIdx + 2])}.
              </p>
            )}
          </>
        )}
      </Stage>
      <Stage s={STAGES.p3d} testId="stage-3d">
        {has3dHead ? (
          <ExpressionBars title={paramsEdited ? '3D head (edited parameters)' : '3D head'} probs={fusion.probs3d} testId="teach-bars-3d-pipeline" emphasis={d?.followed === '3d'} />
        ) : (
          <p className="muted small">This model pack has no 3D head, so only the 2D branch runs.</p>
        )}
      </Stage>
      <Stage s={STAGES.fusion} testId="stage-fusion" highlight={!!d}>
        <FusionControls has3dHead={has3dHead} />
        <ExpressionBars title={fusedLabel.title} note={fusedLabel.note} noteDetail={fusedLabel.detail} probs={fusion.fused?.probs} testId="teach-bars-fused" emphasis />
        {d && (
          <p className="teach-disagree" role="note" data-testid="teach-disagreement" data-followed={d.followed}>
            The branches disagree: 2D says <strong>{EXPRESSION_LABELS[d.top2d]}</strong>, 3D says <strong>{EXPRESSION_LABELS[d.top3d]}</strong>. The fusion
            followed {d.followed === 'neither' ? 'neither' : <strong>the {d.followed.toUpperCase()} branch</strong>} → <strong>{EXPRESSION_LABELS[d.topFused]}</strong>.
          </p>
        )}
      </Stage>
      <Stage s={STAGES.va} testId="stage-va">
        <VACircumplex va={fusion.va} trail={NO_TRAIL} />
      </Stage>
    </div>
  );
});
