import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { startLiveLoop, type StopLiveLoop } from '../../worker/liveLoop';
import { defaultFusion, DEFAULT_VA_WEIGHT_2D } from '../../core/fusion/fusionPolicy';
import { EXPRESSION_LABELS } from '../../core/classes/expressionClasses';
import type { ClientResult } from '../../worker/inferenceClient';
import { useCameraStore } from '../../stores/cameraStore';
import { holdStills, usePipelineStore } from '../../stores/pipelineStore';
import { useTeachStore } from '../../stores/teachStore';
import { previewMode } from '../previewMode';
import { ParamExplorer } from './ParamExplorer';
import { TeachPipeline } from './TeachPipeline';
import { composeFigure, downloadCanvasPng } from './figureExport';
import { frozenValuesOrigin, frozenWithoutFaceOrigin, noFaceMessage, TEACH_PHOTO_WHOLE_IMAGE, teachFrame, teachFusedLabel } from './teachFrame';
import './teach.css';

const SHORTCUTS: [string, string][] = [
  ['F', 'freeze / unfreeze the camera frame (copies its parameters into the sliders)'],
  ['N / P', 'next / previous expression preset'],
  ['R', 'reset the sliders'],
  ['2 / 3', 'toggle the 2D / 3D branch in the fusion'],
  ['E', 'export the current view as a PNG figure'],
  ['L', 'presenter layout (large type, high contrast)'],
  ['?', 'show / hide these shortcuts'],
];

function frameToCanvas(src: CanvasImageSource, width: number, height: number): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  c.getContext('2d')!.drawImage(src, 0, 0, width, height);
  return c;
}

/**
 * Teaching mode: freeze a moment, follow it through the method, and drive the 3D head with sliders.
 * This shell does not follow live results (TeachPipeline does): the toolbar and the explorer stay
 * put while the camera runs.
 */
export function TeachView() {
  const videoRef = useRef<HTMLVideoElement>(null);
  const meshCanvasRef = useRef<HTMLCanvasElement | null>(null);
  const stopLoopRef = useRef<StopLiveLoop | undefined>(undefined);
  const fileRef = useRef<HTMLInputElement>(null);
  const { client, status: pipelineStatus, manifest, triangles } = usePipelineStore(useShallow((s) => ({ client: s.client, status: s.status, manifest: s.manifest, triangles: s.triangles })));
  const camera = useCameraStore(useShallow((s) => ({ message: s.message, status: s.status, stream: s.stream })));
  const t = useTeachStore(useShallow((s) => ({ adapter: s.adapter, adapterError: s.adapterError, adapterStatus: s.adapterStatus, frozen: s.frozen, presenter: s.presenter, setPresenter: s.setPresenter, hasValues: !!s.values })));
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [help, setHelp] = useState(false);
  const fusionDefaults = useMemo(() => (manifest ? defaultFusion(manifest) : undefined), [manifest]);
  // The live view's preview rule: analysed frames instead of the 30 fps <video> on a software GPU.
  const preview = useMemo(previewMode, []);

  useEffect(() => {
    if (triangles) void useTeachStore.getState().loadAdapter();
  }, [triangles]);

  // Default fusion weight: the pack's, when it declares one and has both branches.
  useEffect(() => {
    if (fusionDefaults?.declared && fusionDefaults.has3d) useTeachStore.getState().setWeight2d(fusionDefaults.weight2d);
  }, [fusionDefaults]);

  const stopLoop = useCallback(() => {
    void stopLoopRef.current?.();
    stopLoopRef.current = undefined;
  }, []);

  const startLoop = useCallback(() => {
    const video = videoRef.current;
    const c = usePipelineStore.getState().client;
    if (!video || !c || stopLoopRef.current) return;
    stopLoopRef.current = startLiveLoop(video, c, {
      frameOptions: () => ({ mode: 'video', fusionMode: 'weighted', weight2d: useTeachStore.getState().weight2d, wantCrops: true }),
      onResult: (r, stats) => useTeachStore.getState().setLive(r as ClientResult, stats.shownFrame),
      onError: (m) => setMessage(`Frame failed: ${m}`),
      keepFrames: preview.analysed,
    });
  }, [preview]);

  const startCamera = useCallback(async () => {
    setMessage(undefined);
    const stream = await useCameraStore.getState().start();
    if (!stream) return;
    useTeachStore.getState().setFrozen(undefined);
    useTeachStore.getState().setLive(undefined);
    startLoop();
  }, [startLoop]);

  const stopCamera = useCallback(() => {
    stopLoop();
    useCameraStore.getState().stop();
  }, [stopLoop]);

  // Freeze and photos are still images: have the worker build its landmarker for stills now, while
  // the teacher is still reading the page. Built on the first Freeze instead, that Freeze took
  // 1.3–1.8 s; prepared, 0.4–0.6 s, and later ones ≈ 0.15 s (`npm run bench -- teach-freeze`).
  // A failure here is not the visitor's: the first still builds it again and reports its own error.
  // Leaving the tab gives its memory (≈ 40–50 MiB) back; the live view has no stills.
  useEffect(() => (client ? holdStills(client) : undefined), [client]);

  // Leaving the tab stops the loop and the camera; a new client (EP switch) restarts the loop.
  useEffect(() => () => stopCamera(), [stopCamera]);
  useEffect(() => {
    if (stopLoopRef.current && client) {
      stopLoop();
      startLoop();
    }
  }, [client, startLoop, stopLoop]);

  /** Run one still frame through the pipeline and make it the frozen frame; copy its parameters. */
  const analyseStill = useCallback(async (image: HTMLCanvasElement, source: 'camera' | 'image') => {
    const c = usePipelineStore.getState().client;
    if (!c) return;
    setBusy(true);
    try {
      const bitmap = await createImageBitmap(image);
      const wholeImage = source === 'image' ? { wholeImageFallback: TEACH_PHOTO_WHOLE_IMAGE } : {};
      const result = await c.detect(bitmap, { fusionMode: 'weighted', weight2d: useTeachStore.getState().weight2d, wantCrops: true, wantCanonicalLandmarks: true, ...wholeImage });
      const st = useTeachStore.getState();
      st.setFrozen({ result, image, source, at: Date.now() });
      const a = st.adapter;
      if (!result.face) {
        // The values stay as they are (nothing to copy): only their origin says why.
        useTeachStore.setState({ valuesOrigin: frozenWithoutFaceOrigin(source) });
        setMessage(noFaceMessage(result, source));
      } else if (a) {
        const v = a.fromFrame(result);
        if (typeof v === 'string') setMessage(`Frozen, but the parameters could not be copied: ${v}.`);
        else {
          st.setValues(v, frozenValuesOrigin(source));
          useTeachStore.setState({ presetIndex: -1 });
          setMessage(undefined);
        }
      }
    } catch (e) {
      setMessage(`Could not analyse the frame: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  }, []);

  const freeze = useCallback(async () => {
    const st = useTeachStore.getState();
    if (st.frozen) {
      // Unfreeze: back to the live camera if it is on.
      st.setFrozen(undefined);
      if (useCameraStore.getState().stream) startLoop();
      return;
    }
    const video = videoRef.current;
    if (!video || !useCameraStore.getState().stream || video.videoWidth === 0) {
      setMessage('Start the camera first (or open a photo).');
      return;
    }
    stopLoop();
    await analyseStill(frameToCanvas(video, video.videoWidth, video.videoHeight), 'camera');
  }, [analyseStill, startLoop, stopLoop]);

  const openPhoto = useCallback(
    async (file: File) => {
      try {
        const bmp = await createImageBitmap(file);
        const canvas = frameToCanvas(bmp, bmp.width, bmp.height);
        bmp.close();
        stopLoop();
        await analyseStill(canvas, 'image');
      } catch (e) {
        setMessage(`Could not open ${file.name}: ${(e as Error).message}`);
      }
    },
    [analyseStill, stopLoop],
  );

  // What the view explains, from the store at this moment (the newest live result, not a paced one).
  const exportFigure = useCallback(async () => {
    const st = useTeachStore.getState();
    const stream = useCameraStore.getState().stream;
    const { result: r, fusion, paramsEdited, noFace } = teachFrame({ ...st, cameraOn: !!stream, vaWeight2d: fusionDefaults?.vaWeight2d ?? DEFAULT_VA_WEIGHT_2D });
    const d = fusion.disagreement;
    const crop = r?.crops ? Object.values(r.crops)[0] : undefined;
    const frameImage = st.frozen?.image ?? (videoRef.current && videoRef.current.videoWidth ? frameToCanvas(videoRef.current, videoRef.current.videoWidth, videoRef.current.videoHeight) : undefined);
    const fused = teachFusedLabel(st, fusion, { has3dHead: !!fusionDefaults?.has3d, weight2d: fusionDefaults?.declared ? fusionDefaults.weight2d : undefined }, { noFace });
    const fig = composeFigure({
      title: 'Ig3D in the browser: 2D pixels + 3D face parameters',
      subtitle: `Parameters: ${st.valuesOrigin}. ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      frame: frameImage && r ? { image: frameImage, landmarks: r.face?.landmarks, triangles } : undefined,
      crop,
      mesh: meshCanvasRef.current,
      bars: [
        { title: '2D network', probs: fusion.probs2d, emphasis: d?.followed === '2d' },
        { title: paramsEdited ? '3D head (edited parameters)' : '3D head', probs: fusion.probs3d, emphasis: d?.followed === '3d' },
        { title: fused.title, probs: fusion.fused?.probs, emphasis: true },
      ],
      va: fusion.va,
      notes: [
        d
          ? `2D says ${EXPRESSION_LABELS[d.top2d]}, 3D says ${EXPRESSION_LABELS[d.top3d]}: the fusion followed ${d.followed === 'neither' ? 'neither' : `the ${d.followed.toUpperCase()} branch`} (${EXPRESSION_LABELS[d.topFused]}).`
          : 'Late fusion: ℓ = w·ℓ2D + (1−w)·ℓ3D, then softmax.',
      ],
    });
    await downloadCanvasPng(fig, `ig3d-figure-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.png`);
  }, [fusionDefaults, triangles]);

  // Keyboard shortcuts (not while typing in a text field or choosing in a select).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const el = e.target as HTMLElement | null;
      if (el && (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || (el.tagName === 'INPUT' && !['range', 'checkbox', 'button'].includes((el as HTMLInputElement).type)))) return;
      const st = useTeachStore.getState();
      const k = e.key.toLowerCase();
      if (k === 'f') void freeze();
      else if (k === 'n') st.nextPreset(1);
      else if (k === 'p') st.nextPreset(-1);
      else if (k === 'r') st.resetValues();
      else if (k === '2') st.toggleBranch('2d');
      else if (k === '3') st.toggleBranch('3d');
      else if (k === 'e') void exportFigure();
      else if (k === 'l') st.setPresenter(!st.presenter);
      else if (e.key === '?') setHelp((h) => !h);
      else if (e.key === 'Escape') setHelp(false);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [freeze, exportFigure]);

  const cameraOn = camera.status === 'on' || camera.status === 'starting';
  return (
    <div className={`teach ${t.presenter ? 'teach--presenter' : ''}`} data-testid="teach-view" data-presenter={t.presenter}>
      <div className="teach-toolbar" role="toolbar" aria-label="teaching mode">
        {cameraOn ? (
          <button type="button" onClick={stopCamera}>
            Stop camera
          </button>
        ) : (
          <button type="button" onClick={() => void startCamera()} disabled={pipelineStatus !== 'ready'} data-testid="teach-start-camera">
            Start camera
          </button>
        )}
        <button type="button" onClick={() => void freeze()} disabled={busy || pipelineStatus !== 'ready'} data-testid="teach-freeze" aria-pressed={!!t.frozen}>
          {t.frozen ? 'Unfreeze' : 'Freeze & copy parameters'} <kbd>F</kbd>
        </button>
        <button type="button" onClick={() => fileRef.current?.click()} disabled={busy || pipelineStatus !== 'ready'}>
          Open photo…
        </button>
        <input
          ref={fileRef}
          type="file"
          accept="image/*"
          hidden
          data-testid="teach-photo-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void openPhoto(f);
          }}
        />
        <button type="button" onClick={() => void exportFigure()} data-testid="teach-export">
          Export figure <kbd>E</kbd>
        </button>
        <label className="toggle">
          <input type="checkbox" checked={t.presenter} onChange={(e) => t.setPresenter(e.target.checked)} data-testid="teach-presenter" /> Presenter layout <kbd>L</kbd>
        </label>
        <button type="button" onClick={() => setHelp((h) => !h)} aria-expanded={help}>
          Shortcuts <kbd>?</kbd>
        </button>
      </div>
      {help && (
        <dl className="teach-help" data-testid="teach-help">
          {SHORTCUTS.map(([k, d]) => (
            <div key={k}>
              <dt>
                <kbd>{k}</kbd>
              </dt>
              <dd>{d}</dd>
            </div>
          ))}
        </dl>
      )}
      <p className="status" role="status" data-testid="teach-status" data-frozen={!!t.frozen}>
        {busy
          ? 'Analysing the frame…'
          : (message ??
            (t.frozen
              ? `Frozen ${t.frozen.source === 'camera' ? 'camera frame' : 'photo'}: its parameters are in the sliders. Move them and watch the 3D head and the fusion change.`
              : cameraOn
                ? 'Live. Press F to freeze this moment and copy its 3D parameters into the sliders.'
                : 'Start the camera (or open a photo), or play with the sliders and presets on the right.'))}
      </p>
      {camera.status === 'denied' || camera.status === 'unavailable' || camera.status === 'error' ? <p className="status status--alert">{camera.message}</p> : null}
      {t.adapterStatus === 'error' && <p className="banner banner--error">{t.adapterError}</p>}

      <div className="teach-grid">
        <TeachPipeline
          videoRef={videoRef}
          stream={camera.stream}
          cameraActive={cameraOn}
          analysedPreview={preview.analysed}
          triangles={triangles}
          has3dHead={!!fusionDefaults?.has3d}
          vaWeight2d={fusionDefaults?.vaWeight2d ?? DEFAULT_VA_WEIGHT_2D}
          packWeight2d={fusionDefaults?.declared ? fusionDefaults.weight2d : undefined}
        />
        {t.adapter && t.hasValues ? <ParamExplorer adapter={t.adapter} meshCanvasRef={meshCanvasRef} /> : <p className="muted">{t.adapterStatus === 'error' ? '' : 'Loading the face model…'}</p>}
      </div>
      <p className="muted small" data-testid="teach-frame-params" data-blendshapes={t.frozen?.result.face ? JSON.stringify(Array.from(t.frozen.result.face.blendshapes, (v) => Math.round(v * 1e4) / 1e4)) : ''}>
        Method: {''}
        <a href="https://arxiv.org/abs/2408.16907" target="_blank" rel="noreferrer noopener">
          Dong et al., Ig3D (arXiv:2408.16907)
        </a>
        . The learned face geometry is described in models/blendshape_geometry.md.
      </p>
    </div>
  );
}
