/**
 * Live-mode results and the user's display settings. Smoothing and the VA trail live here
 * because they are about presentation, not inference.
 */
import { create } from 'zustand';
import type { FrameResult, FusionMode, StageTimings, ValenceArousal } from '../core/types';
import { NUM_CLASSES } from '../core/classes/expressionClasses';
import { releaseShownFrame, type ShownFrame } from './shownFrame';
import { startupMark } from '../core/startupMarks';

export const TRAIL_LENGTH = 24;

/** Exponential smoothing factor: weight of the newest frame. */
const SMOOTHING_ALPHA = 0.35;

export interface ProbSet {
  p2d?: Float32Array;
  p3d?: Float32Array;
  fused?: Float32Array;
}

interface LiveState {
  running: boolean;
  smoothing: boolean;
  fusionMode: FusionMode;
  weight2d: number;
  /** Apply the pack's declared calibration (class-prior correction); undefined = the pack's default. */
  calibrate?: boolean;
  latest?: FrameResult;
  probs: ProbSet;
  va?: ValenceArousal;
  trail: { valence: number; arousal: number }[];
  fps: number;
  /** From the frame reaching the page to its result on the page (ms), this frame. */
  latencyMs?: number;
  /** How camera frames reach the worker (worker/frameSource.ts). */
  framePath?: string;
  /**
   * The frame `latest` was computed on, when the preview shows analysed frames (software GPU): a
   * bitmap from the worker (closed here when the next replaces it) or the page loop's canvas.
   */
  shownFrame?: ShownFrame;
  /**
   * The inference loop: 'stopping' from Stop until no frame of it runs any more (on the worker
   * path, until the worker's own loop has ended), then 'ended'.
   */
  loop: 'idle' | 'running' | 'stopping' | 'ended';
  setLoop: (loop: LiveState['loop']) => void;
  /** Frames processed since the camera started (tests and the bench read it). */
  frames: number;
  timings: StageTimings & { render?: number };
  message?: string;
  setRunning: (running: boolean) => void;
  setSmoothing: (on: boolean) => void;
  setFusion: (mode: FusionMode, weight2d?: number) => void;
  setCalibrate: (on: boolean | undefined) => void;
  pushResult: (r: FrameResult, stats: { fps: number; latencyMs?: number; framePath?: string; shownFrame?: ShownFrame }) => void;
  setRenderTime: (ms: number) => void;
  reset: () => void;
}

function smooth(prev: Float32Array | undefined, next: Float32Array | undefined, on: boolean): Float32Array | undefined {
  if (!next) return undefined;
  if (!on || !prev || prev.length !== NUM_CLASSES) return next;
  const out = new Float32Array(next.length);
  for (let i = 0; i < next.length; i++) out[i] = SMOOTHING_ALPHA * next[i] + (1 - SMOOTHING_ALPHA) * prev[i];
  return out;
}

function frameMessage(r: FrameResult): string | undefined {
  if (r.detection === 'none') return 'No face found. Face the camera in good light.';
  return r.notes.length ? r.notes.join(' ') : undefined;
}

export const useLiveStore = create<LiveState>()((set, get) => ({
  running: false,
  loop: 'idle',
  setLoop: (loop) => set({ loop }),
  smoothing: true,
  fusionMode: 'weighted',
  weight2d: 1,
  probs: {},
  trail: [],
  fps: 0,
  frames: 0,
  timings: {},
  setRunning: (running) => set({ running }),
  setSmoothing: (smoothing) => set({ smoothing }),
  setFusion: (fusionMode, weight2d) => set({ fusionMode, weight2d: weight2d ?? get().weight2d }),
  setCalibrate: (calibrate) => set({ calibrate }),
  pushResult(r, { fps, latencyMs, framePath, shownFrame }) {
    const { smoothing, probs, va: prevVa, trail } = get();
    releaseShownFrame(get().shownFrame, shownFrame);
    const on = smoothing && r.detection !== 'none';
    const next: ProbSet = {
      p2d: smooth(probs.p2d, r.branch2d?.probs, on),
      p3d: smooth(probs.p3d, r.branch3d?.probs, on),
      fused: smooth(probs.fused, r.fused?.probs, on),
    };
    let va = r.va;
    if (va && prevVa && on) {
      va = {
        ...va,
        valence: SMOOTHING_ALPHA * va.valence + (1 - SMOOTHING_ALPHA) * prevVa.valence,
        arousal: SMOOTHING_ALPHA * va.arousal + (1 - SMOOTHING_ALPHA) * prevVa.arousal,
      };
    }
    if (get().frames === 0) startupMark('page:first-result');
    set({
      latest: r,
      probs: r.detection === 'none' ? {} : next,
      va: r.detection === 'none' ? undefined : va,
      trail: va && r.detection !== 'none' ? [...trail, { valence: va.valence, arousal: va.arousal }].slice(-TRAIL_LENGTH) : trail,
      fps,
      latencyMs,
      framePath,
      shownFrame,
      frames: get().frames + 1,
      timings: { ...get().timings, ...r.timings },
      message: frameMessage(r),
    });
  },
  setRenderTime: (ms) => set((s) => ({ timings: { ...s.timings, render: ms } })),
  reset: () => {
    releaseShownFrame(get().shownFrame);
    set({ latest: undefined, probs: {}, va: undefined, trail: [], fps: 0, latencyMs: undefined, framePath: undefined, shownFrame: undefined, frames: 0, timings: {}, message: undefined });
  },
}));
