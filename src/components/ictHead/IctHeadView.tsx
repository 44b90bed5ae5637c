import { useEffect, useRef, useState } from 'react';
import type { IctHead } from '../../core/ict/ictAsset';
import { buildIctMapping, mapBlendshapes } from '../../core/ict/ictBlendshapes';
import { IctDeformer } from '../../core/ict/ictDeform';
import { IdentityFitter } from '../../core/ict/identityFit';
import { observedLandmarks68 } from '../../core/ict/landmarkCorrespondence';
import { IctHeadRenderer } from '../../render3d/ictHeadRenderer';
import { useExposeCanvas, useWebGLRenderer } from '../useWebGLRenderer';
import { loadIctHead, type LoadedIctHead } from './loadIctHead';
import { drawSkipped } from '../benchSkip';
import { liveHeadPacingHere } from './drawPacing';
import { drawDelayMs, heldDrawTimerMs } from '../pacing';
import { ictMeshDetailHere } from './meshDetail';

/** What drives the head for one frame. */
export interface IctHeadInput {
  /** MediaPipe's 52 blendshape scores, in its order. */
  blendshapes: ArrayLike<number>;
  /** MediaPipe's facial transformation matrix (4×4 column-major); none = facing the viewer. */
  matrix?: ArrayLike<number>;
  /** 478 image landmarks and the image size: the identity is fitted to them. */
  landmarks?: Float32Array;
  imageSize?: { width: number; height: number };
  /** Identity coefficients set by hand (teaching sliders) instead of fitted. */
  identity?: ArrayLike<number>;
}

/** Timings of the last frames, read by `npm run bench` and the e2e specs (debug hook). */
export interface IctHeadStats {
  deformMs: number[];
  /** Only frames where the fitted identity moved enough to rebuild the dense base. */
  identityMs: number[];
  fitMs: number[];
  normalsMs: number[];
  fitErrorMm: number[];
}

/**
 * How the last head view was set up (bench and e2e debug hook): where the CPU work ran, its steps
 * (ms; fetch and prepare in the worker or, as a fallback, on the page), and what stayed on the page:
 * building the three.js geometry, waiting for the programs to link (not blocking), the first draw.
 */
export interface IctHeadSetup {
  preparedBy: LoadedIctHead['preparedBy'];
  fetchMs: number;
  parseMs: number;
  lodMs: number;
  basisMs: number;
  geometryMs: number;
  compileWaitMs: number;
  firstDrawMs: number;
  /** The first drawn result: fit, identity rebuild, blend, normals, the draw with its buffer upload. */
  firstResultDrawMs?: number;
}
declare global {
  interface Window {
    __ictHeadStats?: IctHeadStats;
    __ictHeadSetup?: IctHeadSetup;
  }
}
const KEEP = 200;
function record(key: keyof IctHeadStats, v: number) {
  const s = (window.__ictHeadStats ??= { deformMs: [], identityMs: [], fitMs: [], normalsMs: [], fitErrorMm: [] });
  s[key].push(v);
  if (s[key].length > KEEP) s[key].shift();
}

interface Props {
  input?: IctHeadInput;
  /** Fit iterations per input: 1 for video (the fit accumulates over frames), more for a still image. */
  fitSteps?: number;
  /** Mirror left/right like the selfie preview. */
  mirror?: boolean;
  testId?: string;
  /** Receives the canvas (for "export figure"). */
  canvasRef?: React.MutableRefObject<HTMLCanvasElement | null>;
  /** Called with the milliseconds one frame cost here (fit + deformation + normals + draw). */
  onRendered?: (ms: number) => void;
  /**
   * False holds the 6 MB asset back (default true). Live mode holds it until the models are up
   * and the first prediction is drawn, so it never competes with them at start-up.
   */
  load?: boolean;
  /**
   * Redrawn for every analysed camera frame (the live view): on a software rasteriser it draws at
   * half resolution (SceneViewOptions.softwarePixelRatio says why) and at most every
   * drawPacing.ts's interval (it says why). Stills and exports stay sharp.
   */
  perFrame?: boolean;
}

/**
 * Identity changes smaller than this (norm of the coefficient step, σ units) do not rebuild the dense
 * base (40 components × 80 K values): a step of 0.05 moves a vertex by well under 0.5 mm.
 */
const IDENTITY_EPS = 0.05;
/**
 * A fitted identity in video (one fit step per frame) rebuilds the dense base at most this often: the fit moves a
 * little on most frames of a moving face, and the rebuild (≈ 6 ms on a quiet 2-core machine) then
 * ran on most frames, on the main thread beside the inference worker (issue #16). Identity hardly
 * changes within a second; stills and hand-set identities (sliders) are never throttled.
 */
const FITTED_IDENTITY_REBUILD_MS = 1000;

/** Lets the page paint and handle input before the next set-up step. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * The ICT-FaceKit head: expression from MediaPipe's blendshapes, rotation from its transformation
 * matrix, identity fitted to the landmarks over frames (or set by hand). Rendering in render3d/.
 */
export function IctHeadView({ input, fitSteps = 1, mirror = true, testId = 'ict-canvas', canvasRef, onRendered, load = true, perFrame = false }: Props) {
  const onRenderedRef = useRef(onRendered);
  onRenderedRef.current = onRendered;
  const { canvasRef: ref, rendererRef, lost, onScreen } = useWebGLRenderer((c) => new IctHeadRenderer(c, perFrame ? { softwarePixelRatio: 0.5, softwareLambert: true, softwareSkipShaderChecks: true } : { softwareSkipShaderChecks: true }), 'ICT head');
  // Live view on a software rasteriser: the lower-detail mesh (meshDetail.ts says why).
  const [detail, setDetail] = useState(() => ictMeshDetailHere(perFrame));
  // Why the lower-detail mesh could not be used (the full head is drawn instead).
  const [lodError, setLodError] = useState<string>();
  // The prepared head as loaded, then (`head`) once its geometry is built and its programs linked.
  const [loaded, setLoaded] = useState<LoadedIctHead>();
  const [head, setHead] = useState<IctHead>();
  const [error, setError] = useState<string>();
  const state = useRef<{ deformer: IctDeformer; fitter: IdentityFitter; mapping: Int16Array; weights: Float32Array; out: Float32Array; shown: Float64Array; rebuiltAt: number; drawnAt: number }>(undefined);
  // Live view on a software rasteriser: the head redraws at most this often (0 = every input).
  const [minIntervalMs] = useState(() => (perFrame ? liveHeadPacingHere().minIntervalMs : 0));
  // Bumped when a held input's wait is over, so the effect below draws it.
  const [heldDue, setHeldDue] = useState(0);
  const [info, setInfo] = useState({ frames: 0, signature: '', exprSignature: '', fitErrorMm: NaN, jawOpen: 0 });

  // Hand the canvas to the parent (for "export figure").
  useExposeCanvas(canvasRef, ref);

  useEffect(() => {
    if (!load) return;
    let alive = true;
    // The shader program links meanwhile (it does not need the head): off the head's critical path.
    void rendererRef.current?.prepareProgram();
    loadIctHead(detail).then(
      (h) => alive && setLoaded(h),
      (e) => {
        if (!alive) return;
        // The lower-detail mesh only saves CPU: without it the full head is drawn, and a note says why.
        if (detail === 'lod') {
          setLodError((e as Error).message);
          setDetail('full');
        } else setError((e as Error).message);
      },
    );
    return () => {
      alive = false;
    };
  }, [load, detail, rendererRef]);

  // Set-up on the page, in separate tasks so that none is long (issue #16: this ran as one task of
  // 200–400 ms right after the first live prediction, freezing the preview, bars and VA disc):
  // the fitter and deformer on the prepared arrays and the three.js geometry; then the program link,
  // waited for without blocking; then the first draw (buffer upload) of the neutral head.
  useEffect(() => {
    const r = rendererRef.current;
    if (!loaded) return;
    // No WebGL here (the view says so): nothing to build or draw.
    if (!r) return setHead(loaded.head);
    let alive = true;
    void (async () => {
      const h = loaded.head;
      const t0 = performance.now();
      state.current = {
        deformer: new IctDeformer(h),
        fitter: new IdentityFitter(h, { basis: loaded.fitBasis }),
        mapping: buildIctMapping(h.expressions.map((e) => e.name)),
        weights: new Float32Array(h.expressions.length),
        out: new Float32Array(h.neutral.length),
        shown: new Float64Array(h.identityCount),
        // A fitted identity is first rebuilt a throttle interval after set-up (below), not with the
        // first drawn result: its fit has seen one frame then, and the dense rebuild is the largest
        // step of a frame's draw.
        rebuiltAt: performance.now(),
        drawnAt: -Infinity,
      };
      r.setHead(h, loaded.eyeColours);
      const geometryMs = performance.now() - t0;
      await nextTask();
      const t1 = performance.now();
      if (alive) await r.compile();
      const compileWaitMs = performance.now() - t1;
      await nextTask();
      if (!alive) return;
      const t2 = performance.now();
      // The first draw, of the neutral head, in a task of its own: it uploads the buffers and runs
      // three.js's draw path for the first time (unoptimised code); the first result's draw (the
      // effect below, inside the commit of a new live result) then costs what later ones do.
      r.render();
      const firstDrawMs = performance.now() - t2;
      window.__ictHeadSetup = { preparedBy: loaded.preparedBy, ...loaded.timings, geometryMs, compileWaitMs, firstDrawMs };
      setHead(h);
    })();
    return () => {
      alive = false;
    };
  }, [loaded, rendererRef]);

  useEffect(() => {
    const s = state.current;
    const r = rendererRef.current;
    // Off-screen: nothing to fit or draw; the latest input is drawn when the view scrolls back.
    if (!s || !r || !head || !input || !onScreen) return;
    const tStart = performance.now();
    const wait = drawDelayMs(s.drawnAt, tStart, minIntervalMs);
    if (wait > 0) {
      // Held: a newer input re-runs this effect and clears the timer, so the newest one is drawn,
      // with the next result once the interval is over, or by the timer if none comes.
      const timer = setTimeout(() => setHeldDue((n) => n + 1), heldDrawTimerMs(wait, minIntervalMs));
      return () => clearTimeout(timer);
    }
    s.drawnAt = tStart;
    mapBlendshapes(input.blendshapes, s.mapping, s.weights);
    let fitErrorMm = NaN;
    let target: ArrayLike<number> | undefined = input.identity;
    if (!target && input.landmarks && input.imageSize) {
      const t0 = performance.now();
      const observed = observedLandmarks68(input.landmarks, input.imageSize.width, input.imageSize.height);
      for (let k = 0; k < fitSteps; k++) fitErrorMm = s.fitter.update(observed, s.weights).meanErrorMm;
      record('fitMs', performance.now() - t0);
      record('fitErrorMm', fitErrorMm);
      target = s.fitter.coefficients;
    }
    const t1 = performance.now();
    // Video (one fit step per frame) only: a still's fit must show at once.
    const throttled = !input.identity && fitSteps === 1 && t1 - s.rebuiltAt < FITTED_IDENTITY_REBUILD_MS;
    if (target && !throttled) {
      let d2 = 0;
      for (let k = 0; k < s.shown.length; k++) d2 += ((target[k] ?? 0) - s.shown[k]) ** 2;
      if (Math.sqrt(d2) > IDENTITY_EPS) {
        s.deformer.setIdentity(target);
        s.shown.set(s.deformer.identityCoefficients);
        s.rebuiltAt = t1;
        record('identityMs', performance.now() - t1);
      }
    }
    const t2 = performance.now();
    s.deformer.apply(s.weights, s.out);
    record('deformMs', performance.now() - t2);
    r.setPose(input.matrix, mirror);
    if (!drawSkipped('3dgl')) r.commit(s.out);
    record('normalsMs', r.lastNormalsMs);
    const frameMs = performance.now() - tStart;
    onRenderedRef.current?.(frameMs);
    if (window.__ictHeadSetup && window.__ictHeadSetup.firstResultDrawMs === undefined) window.__ictHeadSetup.firstResultDrawMs = frameMs;
    // Debug hook: a vertex signature of the whole head, and one of the expression part alone.
    let sig = 0, exprSig = 0;
    for (let i = 0; i < s.out.length; i += 97) {
      sig += s.out[i] * ((i % 7) + 1);
      exprSig += (s.out[i] - s.deformer.base[i]) * ((i % 7) + 1);
    }
    const jaw = head.expressions.findIndex((e) => e.name === 'jawOpen');
    setInfo((p) => ({ frames: p.frames + 1, signature: sig.toFixed(4), exprSignature: exprSig.toFixed(4), fitErrorMm, jawOpen: s.weights[jaw] ?? 0 }));
  }, [input, head, fitSteps, mirror, rendererRef, onScreen, minIntervalMs, heldDue]);

  // After a restored WebGL context, draw the last frame again (three.js re-uploads the buffers).
  useEffect(() => {
    if (!lost) rendererRef.current?.render();
  }, [lost, rendererRef]);

  return (
    <>
      <canvas
        ref={ref}
        className="ict-canvas"
        data-testid={testId}
        data-vertices={head && info.frames > 0 ? head.vertexCount : 0}
        data-triangles={head && info.frames > 0 ? head.triangles.length / 3 : 0}
        data-mesh-detail={detail}
        data-ict-prepared={loaded?.preparedBy ?? ''}
        data-frames={info.frames}
        data-min-interval-ms={minIntervalMs}
        data-renders={info.frames}
        data-signature={info.signature}
        data-expression-signature={info.exprSignature}
        data-fit-error-mm={Number.isFinite(info.fitErrorMm) ? info.fitErrorMm.toFixed(2) : ''}
        data-jaw-open={info.jawOpen.toFixed(2)}
        aria-label="ICT-FaceKit head"
      />
      {head && detail === 'lod' && (
        <p className="muted small" data-testid="ict-mesh-note">
          Lower-detail mesh ({(head.triangles.length / 3).toLocaleString('en')} triangles, a subset of the head’s vertices): WebGL here is a software rasteriser. Stills show the full head.
        </p>
      )}
      {loaded?.workerProblem && (
        <p className="muted small" data-testid="ict-prepared-note">
          The head was prepared on this page ({loaded.workerProblem}).
        </p>
      )}
      {lodError && (
        <p className="warning" data-testid="ict-lod-error">
          Lower-detail mesh unavailable ({lodError}): drawing the full head.
        </p>
      )}
      {!head && !error && <p className="muted small">Loading the ICT head (6 MB)…</p>}
      {error && (
        <p className="warning" data-testid="ict-error">
          ICT head unavailable: {error}
        </p>
      )}
      {lost && <p className="warning">3D view unavailable: the browser’s WebGL context was lost. Predictions continue.</p>}
    </>
  );
}
