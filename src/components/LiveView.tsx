import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { startLiveLoop, type StopLiveLoop } from '../worker/liveLoop';
import { useCameraStore } from '../stores/cameraStore';
import { useLiveStore } from '../stores/liveStore';
import { usePipelineStore, whenClientReady } from '../stores/pipelineStore';
import { modelByRole } from '../core/manifest/parseManifest';
import { defaultFusion } from '../core/fusion/fusionPolicy';
import { liveCalibrationDefault } from '../core/calibration/priorCorrection';
import { CameraControls } from './CameraControls';
import { ExpressionBars } from './ExpressionBars';
import { FusionControl } from './FusionControl';
import { PerformancePanel } from './PerformancePanel';
import { VACircumplex } from './VACircumplex';
import { VideoPreview } from './VideoPreview';
import { previewMode } from './previewMode';
import { liveHeadPacingHere } from './ictHead/drawPacing';
import { liveGaugePacingHere } from './gaugePacing';
import { usePacedWithChanges } from './usePaced';
import { fusedPanelLabel } from './fusedPanel';
import { useHeadViewStore } from '../stores/headViewStore';
import { useAwaitingFirstPrediction } from './useAwaitingFirstPrediction';
import { useSoftwareWebGlKnown } from './useSoftwareWebGlKnown';

// three.js and the 3D views load beside the models instead of before them: the script the page
// must parse before it can start loading models is ≈ 0.6 MB smaller (start-up, issue #16).
const Head3DPanel = lazy(() => import('./Head3DPanel').then((m) => ({ default: m.Head3DPanel })));
const FlameView = lazy(() => import('./FlameView').then((m) => ({ default: m.FlameView })));
const FlameParamsPanel = lazy(() => import('./FlameView').then((m) => ({ default: m.FlameParamsPanel })));

export function LiveView() {
  const videoRef = useRef<HTMLVideoElement>(null);
  const stopLoopRef = useRef<StopLiveLoop | undefined>(undefined);
  const { client, status: pipelineStatus, manifest, triangles, flameMesh } = usePipelineStore(useShallow((s) => ({ client: s.client, status: s.status, manifest: s.manifest, triangles: s.triangles, flameMesh: s.flameMesh })));
  const camera = useCameraStore(useShallow((s) => ({ message: s.message, refreshDevices: s.refreshDevices, status: s.status, stream: s.stream })));
  const live = useLiveStore(useShallow((s) => ({ frames: s.frames, loop: s.loop, fusionMode: s.fusionMode, weight2d: s.weight2d, latest: s.latest, message: s.message, running: s.running, setCalibrate: s.setCalibrate, setFusion: s.setFusion, setSmoothing: s.setSmoothing, smoothing: s.smoothing })));
  // Start-up (issue #16): what the page's WebGL is, asked when the page is idle (softwareGl.ts).
  const glKnown = useSoftwareWebGlKnown();
  const gaugePacing = useMemo(() => (glKnown ? liveGaugePacingHere() : undefined), [glKnown]);
  // One paced snapshot: the preview, the bars and the VA disc change together, at most as often as
  // gaugePacing says, and show the same result.
  const gauges = usePacedWithChanges(useLiveStore(useShallow((s) => ({ probs: s.probs, va: s.va, trail: s.trail, latest: s.latest, shownFrame: s.shownFrame }))), gaugePacing?.minIntervalMs ?? 0);
  const has3d = !!manifest && !!modelByRole(manifest, 'head3d');
  const packWeight2d = useMemo(() => (manifest ? defaultFusion(manifest).weight2d : undefined), [manifest]);
  const fusedLabel = fusedPanelLabel({ mode: live.fusionMode, weight2d: live.weight2d, has3d, no3dReason: 'This pack has no 3D head', packWeight2d });
  const preview = useMemo(() => (glKnown ? previewMode() : undefined), [glKnown]);
  const headPacing = useMemo(() => (glKnown ? liveHeadPacingHere() : undefined), [glKnown]);
  // Start-up (issue #16): the 3D view (three.js and a WebGL context, ≈ 0.3–0.5 s of main thread on
  // a software GPU) opens once the first prediction is on screen, or once the models are up if
  // the camera is not on; until then the page's CPU goes to the models.
  // Once open it stays open (an EP switch reloads the models, not the view).
  const awaitingFirst = useAwaitingFirstPrediction();
  const [opened3d, setOpened3d] = useState(false);
  const defer3d = !opened3d && (pipelineStatus === 'loading' || awaitingFirst);
  useEffect(() => {
    if (!defer3d) setOpened3d(true);
  }, [defer3d]);
  const headView = useHeadViewStore((s) => s.kind);

  // Adopt the pack's default fusion when a pack loads (a pack that declares none shows 2D alone).
  useEffect(() => {
    if (!manifest) live.setFusion('2d', 1);
    else {
      const d = defaultFusion(manifest);
      live.setFusion(d.declared ? d.mode : '2d', d.weight2d);
    }
    live.setCalibrate(undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [manifest]);

  const stop = useCallback(() => {
    const stopping = stopLoopRef.current?.();
    stopLoopRef.current = undefined;
    if (stopping) {
      useLiveStore.getState().setLoop('stopping');
      void stopping.then(() => {
        // Unless a new loop started meanwhile.
        if (!stopLoopRef.current) useLiveStore.getState().setLoop('ended');
      });
    }
    useCameraStore.getState().stop();
    useLiveStore.getState().setRunning(false);
  }, []);

  const start = useCallback(async () => {
    // Start may be pressed while the models still load: the camera opens meanwhile.
    const stream = await useCameraStore.getState().start();
    const video = videoRef.current;
    if (!stream || !video) return;
    const c = await whenClientReady();
    // Stopped (or another start) while waiting, or the pack failed to load (its banner says why).
    if (useCameraStore.getState().stream !== stream || stopLoopRef.current) return;
    if (!c) return useCameraStore.getState().stop();
    useLiveStore.getState().reset();
    useLiveStore.getState().setRunning(true);
    useLiveStore.getState().setLoop('running');
    stopLoopRef.current = startLiveLoop(video, c, {
      frameOptions: () => {
        const s = useLiveStore.getState();
        return { mode: 'video', fusionMode: s.fusionMode, weight2d: s.weight2d, calibrate: s.calibrate ?? liveCalibrationDefault(usePipelineStore.getState().calibrations) };
      },
      onResult: (r, stats) => useLiveStore.getState().pushResult(r, stats),
      onError: (message) => useLiveStore.setState({ message: `Frame failed: ${message}` }),
      // Decided now (the idle probe may not have run yet): the preview below shows the same choice.
      keepFrames: previewMode().analysed,
    });
  }, []);

  // A new pipeline (EP switch) invalidates the running loop: restart it on the new client.
  useEffect(() => {
    if (stopLoopRef.current && client) {
      stop();
      void start();
    }
  }, [client, start, stop]);

  useEffect(() => stop, [stop]);
  useEffect(() => {
    void camera.refreshDevices();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const statusText = (() => {
    if (camera.status === 'denied' || camera.status === 'unavailable' || camera.status === 'error') return camera.message;
    if (pipelineStatus === 'loading') return 'Loading models…';
    if (!live.running) return 'Camera is off.';
    if (!live.latest) return 'Waiting for the first frame…';
    return live.message ?? (live.latest.faceCount > 0 ? 'Tracking.' : undefined);
  })();
  const alert = camera.status === 'denied' || camera.status === 'unavailable' || camera.status === 'error' || live.latest?.detection === 'none';

  return (
    <div className="live">
      <div className="live-left">
        <CameraControls onStart={() => void start()} onStop={stop} canStart={pipelineStatus === 'ready' || pipelineStatus === 'loading'} />
        <VideoPreview stream={camera.stream} videoRef={videoRef} result={live.running ? gauges.latest : undefined} triangles={triangles} analysed={preview?.analysed ?? false} shownFrame={live.running ? gauges.shownFrame : undefined} />
        <p className={`status ${alert ? 'status--alert' : ''}`} role="status" data-testid="live-status" data-frames={live.frames} data-loop={live.loop}>
          {statusText}
        </p>
        {live.latest?.fused?.fallback && <p className="muted small" data-testid="fusion-fallback">{live.latest.fused.fallback}</p>}
        <label className="toggle">
          <input type="checkbox" checked={live.smoothing} onChange={(e) => live.setSmoothing(e.target.checked)} /> Temporal smoothing
        </label>
        <PerformancePanel preview={preview?.reason} headRedraw={headView === 'ict' ? headPacing?.label : undefined} gaugesRedraw={gaugePacing?.label} />
      </div>
      <div className="live-right">
        <FusionControl has3d={has3d} />
        <div className="bars-row">
          <ExpressionBars title="2D model" probs={gauges.probs.p2d} testId="bars-2d" emphasis={live.fusionMode === '2d'} />
          {live.latest?.calibration && (
            <p className="muted small" data-testid="frame-calibration" title="The calibration this frame's branch logits carry">
              calibration: {live.latest.calibration}
            </p>
          )}
          {has3d && <ExpressionBars title="3D head" probs={gauges.probs.p3d} testId="bars-3d" emphasis={live.fusionMode === '3d'} />}
          <ExpressionBars title={fusedLabel.title} note={fusedLabel.note} noteDetail={fusedLabel.detail} noteAsHint probs={gauges.probs.fused} testId="bars-fused" emphasis />
        </div>
        <div className="gauges-row">
          <VACircumplex va={gauges.va} trail={gauges.trail} />
          <Suspense fallback={<p className="muted small">Loading the 3D view…</p>}>
            {defer3d ? (
              <p className="muted small" data-testid="head3d-deferred">
                The 3D view opens once the models are up (with the camera on, after the first prediction).
              </p>
            ) : (
              <Head3DPanel />
            )}
            {flameMesh && <FlameView />}
          </Suspense>
        </div>
        {flameMesh && (
          <Suspense fallback={null}>
            <FlameParamsPanel />
          </Suspense>
        )}
      </div>
    </div>
  );
}
